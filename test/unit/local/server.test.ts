import { mkdtempSync, writeFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { functionRegistry, type LocalHandler } from '#infra/local/functions.ts';
import { signJwt } from '#infra/local/jwt.ts';
import { createApiServer } from '#infra/local/server.ts';

const SECRET = 'unit-secret';
const MISSING_DIR = mkdtempSync(join(tmpdir(), 'no-functions-'));
writeFileSync(join(MISSING_DIR, 'ingest.ts'), 'export const notAHandler = 1;\n');

let calls: { event: APIGatewayProxyEventV2WithJWTAuthorizer; context: Context }[] = [];
let purgerTimes: string[] = [];
let reconcilerTimes: string[] = [];
let logs: string[] = [];

const echo: LocalHandler = async (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => {
  calls.push({ event, context });
  return {
    statusCode: 201,
    headers: { 'Content-Type': 'application/json', 'X-Fn': context.functionName },
    body: JSON.stringify({ sub: event.requestContext.authorizer.jwt.claims.sub }),
  };
};
const boom: LocalHandler = async () => {
  throw new Error('table refunds-secret-name unreachable');
};

let server: Server;
let base: string;

beforeAll(async () => {
  server = createApiServer({
    registry: functionRegistry({ reads: echo, quote: echo, ops: echo, 'cancel-renewal': boom }, MISSING_DIR),
    jwtSecret: SECRET,
    region: 'us-east-1',
    runPurger: async (time) => {
      purgerTimes.push(time);
      return { purged: 2, time };
    },
    runReconcilers: async (time) => {
      reconcilerTimes.push(time);
      return { reconciler: { enqueued: 0 }, submittedReconciler: { finished: 1 } };
    },
    log: (line) => logs.push(line),
    maxBodyBytes: 64 * 1024,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  calls = [];
  purgerTimes = [];
  reconcilerTimes = [];
  logs = [];
});

const publicToken = signJwt('acct-1', SECRET, { ttlSeconds: 60 });
const internalToken = signJwt('billing', SECRET, { ttlSeconds: 60, scopes: ['refunds/internal'] });

async function call(
  method: string,
  path: string,
  init: { token?: string; body?: string; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...init.headers },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text ? (JSON.parse(text) as unknown) : undefined,
  };
}

describe('local API server', () => {
  it('invokes the route function with an API Gateway 2.0 event and writes its answer back', async () => {
    const response = await call('POST', '/instances/i%201/refund-quotes?x=1', {
      token: publicToken,
      body: '{"kind":"UNSUBSCRIBE"}',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'k-1' },
    });

    expect(response.status).toBe(201);
    expect(response.json).toEqual({ sub: 'acct-1' });
    expect(response.headers.get('x-fn')).toBe('refund-service-local-quote');
    expect(response.headers.get('apigw-requestid')).toBeTruthy();
    expect(calls).toHaveLength(1);
    const { event } = calls[0] ?? { event: undefined };
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /instances/{instanceId}/refund-quotes',
      rawPath: '/instances/i%201/refund-quotes',
      rawQueryString: 'x=1',
      queryStringParameters: { x: '1' },
      pathParameters: { instanceId: 'i 1' },
      body: '{"kind":"UNSUBSCRIBE"}',
      isBase64Encoded: false,
      headers: { 'idempotency-key': 'k-1', 'content-type': 'application/json' },
      requestContext: {
        http: { method: 'POST', path: '/instances/i%201/refund-quotes', sourceIp: '127.0.0.1' },
        stage: '$default',
        authorizer: { jwt: { claims: { sub: 'acct-1' }, scopes: null } },
      },
    });
    expect(event?.requestContext.requestId).toBe(response.headers.get('apigw-requestid'));
  });

  it.each([
    ['an unknown path', 'GET', '/nope'],
    ['the wrong method on a known path', 'DELETE', '/instances'],
    ['GET on a POST route', 'GET', '/instances/i-1/refund-quotes'],
  ])('answers 404 NOT_FOUND for %s, before checking the token', async (_, method, path) => {
    const response = await call(method, path);

    expect(response.status).toBe(404);
    expect(response.json).toEqual({
      error: { code: 'NOT_FOUND', message: `No route for ${method} ${path}`, details: {} },
    });
  });

  it.each([
    ['no token', undefined, 'A bearer token is required'],
    ['a token with another secret', signJwt('acct-1', 'other'), 'The token signature is not valid'],
    [
      'an expired token',
      signJwt('acct-1', SECRET, { ttlSeconds: 1, now: Date.now() - 5000 }),
      'The token has expired',
    ],
    ['garbage', 'not-a-jwt', 'The token is not a JWT'],
  ])('answers 401 UNAUTHORIZED with %s, without invoking the function', async (_, token, message) => {
    const response = await call('GET', '/instances', token ? { token } : {});

    expect(response.status).toBe(401);
    expect(response.json).toEqual({ error: { code: 'UNAUTHORIZED', message, details: {} } });
    expect(calls).toHaveLength(0);
  });

  it('answers 403 FORBIDDEN on an internal route without the internal scope', async () => {
    const response = await call('POST', '/internal/orders', { token: publicToken, body: '{}' });

    expect(response.status).toBe(403);
    expect(response.json).toMatchObject({ error: { code: 'FORBIDDEN', details: {} } });
  });

  it('answers 403 FORBIDDEN on /ops routes to a customer token and on decisions to a plain operator, before the function', async () => {
    const operatorToken = signJwt('ann', SECRET, { ttlSeconds: 60, scopes: ['refunds/operator'] });
    const customer = await call('GET', '/ops/queues', { token: publicToken });
    const decision = await call('POST', '/ops/approvals/ap-1/approve', { token: operatorToken, body: '{}' });

    expect([customer.status, decision.status]).toEqual([403, 403]);
    expect(decision.json).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(calls).toHaveLength(0);
  });

  it('lets an operator through to the ops function with the scopes', async () => {
    const approverToken = signJwt('bob', SECRET, {
      ttlSeconds: 60,
      scopes: ['refunds/operator', 'refunds/approver'],
    });
    const response = await call('POST', '/ops/approvals/ap-1/approve', { token: approverToken, body: '{}' });

    expect(response.status).toBe(201);
    expect(calls[0]?.event.requestContext.authorizer.jwt.scopes).toEqual([
      'refunds/operator',
      'refunds/approver',
    ]);
  });

  it('passes the internal scope to the function', async () => {
    const response = await call('GET', '/instances', { token: internalToken });

    expect(response.status).toBe(201);
    expect(calls[0]?.event.requestContext.authorizer.jwt.scopes).toEqual(['refunds/internal']);
  });

  it('answers a clear 500 when the function module is missing, and keeps serving', async () => {
    const response = await call('POST', '/instances/i-1/unsubscriptions', { token: publicToken, body: '{}' });

    expect(response.status).toBe(500);
    expect(response.json).toEqual({
      error: {
        code: 'INTERNAL',
        message: 'The local runtime cannot run the unsubscribe function yet',
        details: { function: 'unsubscribe' },
      },
    });
    expect(logs.join('\n')).toContain('functions/unsubscribe.ts does not exist');
    expect((await call('GET', '/instances', { token: publicToken })).status).toBe(201);
  });

  it('answers a clear 500 when a module exports no handler', async () => {
    const response = await call('POST', '/internal/orders', { token: internalToken, body: '{}' });

    expect(response.status).toBe(500);
    expect(logs.join('\n')).toContain('functions/ingest.ts does not export a `handler` function');
  });

  it('answers 500 INTERNAL without internals when the function throws', async () => {
    const response = await call('POST', '/instances/i-1/renewal-cancellations', {
      token: publicToken,
      body: '{}',
    });

    expect(response.status).toBe(500);
    expect(response.json).toEqual({
      error: { code: 'INTERNAL', message: 'Internal server error', details: {} },
    });
  });

  it('answers 413 PAYLOAD_TOO_LARGE past its own body limit, without invoking the function', async () => {
    const response = await call('POST', '/instances/i-1/refund-quotes', {
      token: publicToken,
      body: 'x'.repeat(64 * 1024 + 1),
    });

    expect(response.status).toBe(413);
    expect(response.json).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(calls).toHaveLength(0);
  });

  it('stops reading a streamed (chunked) body past its limit and answers 413', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 40) controller.close();
        else {
          sent++;
          controller.enqueue(chunk);
        }
      },
    });

    const response = await fetch(`${base}/instances/i-1/refund-quotes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${publicToken}` },
      body,
      duplex: 'half',
    } as RequestInit);

    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(calls).toHaveLength(0);
  });

  it('passes a body at its limit on to the function (the function enforces the API limit)', async () => {
    const response = await call('POST', '/instances/i-1/refund-quotes', {
      token: publicToken,
      body: 'x'.repeat(64 * 1024),
    });

    expect(response.status).toBe(201);
    expect(calls[0]?.event.body).toHaveLength(64 * 1024);
  });
});

describe('POST /local/purger-runs', () => {
  const json = { 'Content-Type': 'application/json' };

  it('runs the purger with the given time and answers its summary, without a token', async () => {
    const response = await call('POST', '/local/purger-runs', {
      body: '{"time":"2026-04-17T15:30:00Z"}',
      headers: json,
    });

    expect(response.status).toBe(200);
    expect(response.json).toEqual({ purged: 2, time: '2026-04-17T15:30:00.000Z' });
    expect(purgerTimes).toEqual(['2026-04-17T15:30:00.000Z']);
  });

  it.each([
    ['a bad time', '{"time":"yesterday"}'],
    ['an impossible date', '{"time":"2026-02-30T00:00:00Z"}'],
    ['no time', '{}'],
    ['an unknown field', '{"time":"2026-04-17T15:30:00Z","force":true}'],
    ['no body', undefined],
    ['not JSON', 'time=now'],
  ])('answers 400 VALIDATION_FAILED for %s', async (_, body) => {
    const response = await call('POST', '/local/purger-runs', {
      headers: json,
      ...(body === undefined ? {} : { body }),
    });

    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect(purgerTimes).toEqual([]);
  });

  it('is POST only', async () => {
    expect((await call('GET', '/local/purger-runs')).status).toBe(404);
  });
});

describe('POST /local/reconciler-runs', () => {
  const json = { 'Content-Type': 'application/json' };

  it('runs both reconcilers with the given time and answers their summaries, without a token', async () => {
    const response = await call('POST', '/local/reconciler-runs', {
      body: '{"time":"2026-04-17T17:30:00Z"}',
      headers: json,
    });

    expect(response.status).toBe(200);
    expect(response.json).toEqual({ reconciler: { enqueued: 0 }, submittedReconciler: { finished: 1 } });
    expect(reconcilerTimes).toEqual(['2026-04-17T17:30:00.000Z']);
  });

  it.each([
    ['no time', '{}'],
    ['a bad time', '{"time":"in two hours"}'],
  ])('answers 400 VALIDATION_FAILED for %s, without running them', async (_, body) => {
    const response = await call('POST', '/local/reconciler-runs', { body, headers: json });

    expect(response.status).toBe(400);
    expect(reconcilerTimes).toEqual([]);
  });
});

/** A request with the headers given exactly (fetch cannot set `Host`). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; json: unknown }> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as unknown) : undefined });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('who the local server answers', () => {
  const purgerRun = '{"time":"2026-04-17T15:30:00Z"}';

  it.each([
    ['a rebound name', 'attacker.example'],
    ['a rebound name with the port', 'attacker.example:3000'],
    ['a name ending in localhost', 'evil-localhost:3000'],
    ['a loopback name with a suffix', '127.0.0.1.nip.io'],
    ['another address', '192.168.1.20:3000'],
  ])('answers 403 FORBIDDEN to Host %s, before running anything', async (_, host) => {
    const local = await raw(
      'POST',
      '/local/purger-runs',
      { host, 'content-type': 'application/json' },
      purgerRun,
    );
    const api = await raw('GET', '/instances', { host, authorization: `Bearer ${publicToken}` });
    const spec = await raw('GET', '/openapi.json', { host });

    for (const response of [local, api, spec]) {
      expect(response.status).toBe(403);
      expect(response.json).toEqual({
        error: {
          code: 'FORBIDDEN',
          message: 'This local server answers only to Host 127.0.0.1 or localhost',
          details: {},
        },
      });
    }
    expect(purgerTimes).toEqual([]);
    expect(calls).toHaveLength(0);
  });

  it.each([
    ['127.0.0.1 with its port', () => `127.0.0.1:${new URL(base).port}`],
    ['localhost with its port', () => `localhost:${new URL(base).port}`],
    ['LOCALHOST without a port', () => 'LOCALHOST'],
  ])('serves Host %s', async (_, host) => {
    const response = await raw(
      'POST',
      '/local/purger-runs',
      { host: host(), 'content-type': 'application/json; charset=utf-8' },
      purgerRun,
    );

    expect(response.status).toBe(200);
    expect(purgerTimes).toEqual(['2026-04-17T15:30:00.000Z']);
  });

  it.each([
    ['text/plain (what a cross-site form or fetch sends without asking)', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['no Content-Type', undefined],
    ['JSON-like but not JSON', 'application/jsonp'],
  ])('answers 415 UNSUPPORTED_MEDIA_TYPE to a local POST with %s, without running it', async (_, type) => {
    const headers: Record<string, string> = { host: `127.0.0.1:${new URL(base).port}` };
    if (type) headers['content-type'] = type;
    const response = await raw('POST', '/local/purger-runs', headers, purgerRun);

    expect(response.status).toBe(415);
    expect(response.json).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect(purgerTimes).toEqual([]);
  });
});
