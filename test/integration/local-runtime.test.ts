/**
 * `npm start` in-process: the runtime starts its own DynamoDB Local and fauxqs on random
 * ports, serves the real handler modules behind the emulated API Gateway, polls the refund
 * queue and stops everything it started.
 *
 * Depends on the real functions: the seeded/tenancy tests need `ingest` and `reads`; the
 * settlement test needs `quote`, `unsubscribe`, `reads` and `refund-processor`; the purger
 * run needs `purger` and the unsubscription made by the settlement test; the reconciler run
 * needs `reconciler`. The 401/403/404 and
 * shutdown tests need none of them.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#infra/local/emulators.ts';
import { signJwt } from '#infra/local/jwt.ts';
import { type LocalRuntime, RuntimeAlreadyStartedError, startLocalRuntime } from '#infra/local/runtime.ts';
import { DEMO_ACCOUNT, OTHER_DEMO_ACCOUNT, seedDemoData } from '#infra/local/seed.ts';
import { OPENAPI_FILE } from '#infra/openapi/document.ts';

const SECRET = 'integration-secret';
let runtime: LocalRuntime;
const logs: string[] = [];

beforeAll(async () => {
  runtime = await startLocalRuntime({
    schedule: false,
    visibilityTimeoutSeconds: 2,
    jwtSecret: SECRET,
    log: (line) => logs.push(line),
  });
});

afterAll(async () => {
  await runtime?.stop();
});

async function call(
  method: string,
  path: string,
  init: { token?: string; json?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('local runtime', () => {
  it('listens on loopback and points the handlers at its emulators', () => {
    expect(runtime.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.env.TABLE_NAME).toBe('refunds');
    expect(process.env.REFUND_QUEUE_URL).toBe(runtime.refundQueueUrl);
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(runtime.dynamoEndpoint);
    expect(process.env.AWS_ENDPOINT_URL_SQS).toBe(runtime.sqsEndpoint);
  });

  it('answers 401 UNAUTHORIZED without a token', async () => {
    const response = await call('GET', '/instances');

    expect(response.status).toBe(401);
    expect(response.body).toEqual({
      error: { code: 'UNAUTHORIZED', message: 'A bearer token is required', details: {} },
    });
  });

  it('answers 401 UNAUTHORIZED for a token signed with another secret', async () => {
    const response = await call('GET', '/instances', { token: signJwt(DEMO_ACCOUNT, 'local-dev-secret') });

    expect(response.status).toBe(401);
  });

  it('routes POST /webhooks/stripe without a token to the webhook function (404 with the simulator)', async () => {
    const response = await call('POST', '/webhooks/stripe', { json: { type: 'refund.updated' } });

    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({
      error: { code: 'NOT_FOUND', message: 'Stripe is not the configured payment provider' },
    });
  });

  it('answers 403 FORBIDDEN on an internal route with a public token', async () => {
    const response = await call('POST', '/internal/orders', { token: runtime.token(DEMO_ACCOUNT), json: {} });

    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  it.each([
    ['an unknown path', 'GET', '/nothing-here'],
    ['a known path with another method', 'DELETE', '/instances/demo-fresh'],
  ])('answers 404 NOT_FOUND for %s', async (_, method, path) => {
    const response = await call(method, path, { token: runtime.token(DEMO_ACCOUNT) });

    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: { code: 'NOT_FOUND', details: {} } });
  });

  describe('with the real functions', () => {
    beforeAll(async () => {
      await seedDemoData(runtime.url, SECRET);
    });

    it('shows the seeded instances to the demo account', async () => {
      const response = await call('GET', '/instances?limit=100', { token: runtime.token(DEMO_ACCOUNT) });

      expect(response.status).toBe(200);
      const ids = (response.body.items as { instanceId: string }[]).map((i) => i.instanceId).sort();
      expect(ids).toEqual(['demo-closed', 'demo-flaky', 'demo-fresh', 'demo-renewing']);
    });

    it("hides the demo account's instances from another account", async () => {
      const response = await call('GET', '/instances/demo-fresh', {
        token: runtime.token(OTHER_DEMO_ACCOUNT),
      });

      expect(response.status).toBe(404);
    });

    it('settles a flaky- refund through the queue poller after its transient failures', async () => {
      const token = runtime.token(DEMO_ACCOUNT);
      const quote = await call('POST', '/instances/demo-flaky/refund-quotes', {
        token,
        json: { kind: 'UNSUBSCRIBE' },
      });
      expect(quote.status).toBe(201);

      const order = await call('POST', '/instances/demo-flaky/unsubscriptions', {
        token,
        headers: { 'idempotency-key': 'local-runtime-flaky' },
        json: {
          quoteId: quote.body.quoteId,
          refundType: quote.body.refundType,
          confirmations: { rulesAndAmountConfirmed: true, dataBackupConfirmed: true },
          reason: { code: 'NO_LONGER_NEEDED' },
        },
      });
      expect(order.status).toBe(202);

      const deadline = Date.now() + 45_000;
      let status = order.body.status;
      let details = order.body;
      while (status !== 'SUCCEEDED' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        details = (await call('GET', `/unsubscribe-orders/${order.body.unsubscribeOrderId}`, { token })).body;
        status = details.status;
      }
      expect(status).toBe('SUCCEEDED');
      expect(details.refundAmount).toBe(quote.body.refundAmount);
      expect(logs.some((line) => /refund-processor: \d+ message\(s\), [1-9]\d* to retry/.test(line))).toBe(
        true,
      );
    }, 60_000);

    it('serves the OpenAPI document at GET /openapi.json without a token, as checked in', async () => {
      const response = await call('GET', '/openapi.json');
      expect(response.status).toBe(200);
      expect(response.body).toEqual(JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')));
    });

    it('runs the purger with the given time on POST /local/purger-runs (after the retention deadlines)', async () => {
      const token = runtime.token(DEMO_ACCOUNT);
      const before = await call('GET', '/instances/demo-flaky', { token });
      expect(before.body.status).toBe('UNSUBSCRIBED');

      const now = await call('POST', '/local/purger-runs', { json: { time: new Date().toISOString() } });
      expect(now.status).toBe(200);
      expect((await call('GET', '/instances/demo-flaky', { token })).body.status).toBe('UNSUBSCRIBED');

      const later = new Date(Date.now() + 8 * 24 * 60 * 60 * 1000).toISOString();
      const response = await call('POST', '/local/purger-runs', { json: { time: later } });

      expect(response.status).toBe(200);
      expect(Object.values(response.body).some((value) => typeof value === 'number' && value > 0)).toBe(true);
      const after = await call('GET', '/instances/demo-flaky', { token });
      expect(after.body).toMatchObject({
        status: 'RELEASED',
        retention: { configData: { status: 'PURGED' }, logData: { status: 'PURGED' } },
      });
    });

    it('runs the reconciler with a scheduled event whose time is its now', async () => {
      const time = new Date(Date.now() + 10 * 60 * 1000).toISOString();

      const summary = await runtime.runReconciler(time);

      expect(summary).toMatchObject({ now: time, enqueued: 0, failed: 0 });
    });
  });

  describe('the local routes, reachable only from this machine', () => {
    /** A request with exactly these headers (fetch cannot set `Host`). */
    const raw = (method: string, path: string, headers: Record<string, string>, body?: string) =>
      new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
        const req = request(`${runtime.url}${path}`, { method, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} });
          });
        });
        req.on('error', reject);
        req.end(body);
      });
    const rebound = 'rebound.example:3000';
    const signIn = JSON.stringify({ accountId: DEMO_ACCOUNT });

    it.each([
      ['POST', '/local/tokens', signIn],
      ['GET', '/local/events', undefined],
      ['POST', '/local/purger-runs', JSON.stringify({ time: new Date().toISOString() })],
    ])(
      '%s %s answers 403 FORBIDDEN to a page whose name was rebound to 127.0.0.1',
      async (method, path, body) => {
        const headers = { host: rebound, ...(body ? { 'content-type': 'application/json' } : {}) };
        const response = await raw(method, path, headers, body);

        expect(response.status).toBe(403);
        expect(response.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
        expect(response.body).not.toHaveProperty('token');
        expect(response.body).not.toHaveProperty('events');
      },
    );

    it('refuses a text/plain sign-in (a cross-site form) with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      const response = await raw('POST', '/local/tokens', { 'content-type': 'text/plain' }, signIn);

      expect(response.status).toBe(415);
      expect(response.body).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    });

    it('signs in as the console does (JSON, on localhost) with a token the API accepts', async () => {
      const host = `localhost:${runtime.port}`;
      const signedIn = await raw(
        'POST',
        '/local/tokens',
        { host, 'content-type': 'application/json' },
        signIn,
      );
      expect(signedIn.status).toBe(200);

      const token = signedIn.body.token as string;
      const listed = await raw('GET', '/instances', { host, authorization: `Bearer ${token}` });
      expect(listed.status).toBe(200);
    });
  });

  it('answers 400 VALIDATION_FAILED for a purger run with a bad time', async () => {
    const response = await call('POST', '/local/purger-runs', { json: { time: 'now' } });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });

  it('stops its server and emulators', async () => {
    const { url, dynamoEndpoint } = runtime;

    await runtime.stop();

    await expect(fetch(`${url}/instances`)).rejects.toThrow();
    const dynamo = new DynamoDBClient({
      endpoint: dynamoEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
    await expect(dynamo.send(new ListTablesCommand({}))).rejects.toThrow();
    dynamo.destroy();
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).not.toBe(dynamoEndpoint);
  });

  it('refuses a second start in the same process (the handlers keep their cold-start config)', async () => {
    await expect(startLocalRuntime({ schedule: false })).rejects.toBeInstanceOf(RuntimeAlreadyStartedError);
  });
});
