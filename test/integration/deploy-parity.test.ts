/**
 * What is deployed is what is tested: the stack is synthesized in-process into a temporary
 * outdir, and every function runs from its built asset (`asset.<hash>/index.mjs`, the bundle
 * CDK uploads) with exactly the environment its template gives it, the references resolved to
 * the local runtime's table and queue. The API and settlement checks then run through the
 * local runtime (emulated API Gateway, queue poller, schedules) against those bundles.
 *
 * A module the bundling dropped fails the bundle's import; a variable the template does not set
 * fails its configuration at import (shared/config.ts). Either way the function's routes answer
 * 500 and the checks below fail.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnResource } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, type ServiceFunctionName } from '#infra/cdk/functions.ts';
import { createApp } from '#infra/cdk/refund-app.ts';
import { REPO_ROOT } from '#infra/cdk/service-function.ts';
import { type FunctionRegistry, functionRegistry } from '#infra/local/functions.ts';
import { type LocalRuntime, startLocalRuntime } from '#infra/local/runtime.ts';
import { DEMO_ACCOUNT } from '#infra/local/seed.ts';

type Template = {
  Parameters?: Record<string, { Default?: unknown }>;
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }
  >;
};

/** The variables the functions' configuration reads: set from the template, or absent. */
const CONFIG_VARIABLES = [
  'TABLE_NAME',
  'REFUND_QUEUE_URL',
  'HOLIDAYS',
  'RETRY_BASE_SECONDS',
  'EVENT_BUS_NAME',
  'PURGE_QUEUE_URL',
  'CREDIT_NOTES_BUCKET',
  'JOURNAL_EXPORTS_BUCKET',
  'ISSUER_ID',
  'ISSUER_LEGAL_NAME',
  'ISSUER_ADDRESS',
  'ISSUER_TAX_ID',
  'MAIL_FROM',
];

interface Deployed {
  file: string;
  /** The template's variables, references resolved against the local runtime's environment. */
  env: (local: NodeJS.ProcessEnv) => Record<string, string>;
}

let outdir: string;
let deployed: Record<ServiceFunctionName, Deployed>;
let runtime: LocalRuntime;

/** Synthesizes the stack (bundling included) and finds each function's asset and environment. */
function synthesize(): Record<ServiceFunctionName, Deployed> {
  const context = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')).context as Record<
    string,
    unknown
  >;
  // Asset metadata (as the CDK CLI asks for it) names each function's asset directory.
  const app = new App({ outdir, context: { ...context, 'aws:cdk:enable-asset-metadata': true } });
  const stack = createApp(app);
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as Template;
  const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as CfnResource);
  const refs: Record<string, (local: NodeJS.ProcessEnv) => string | undefined> = {
    [logicalId(stack.table)]: (local) => local.TABLE_NAME,
    [logicalId(stack.refundQueue)]: (local) => local.REFUND_QUEUE_URL,
    [logicalId(stack.purgeQueue)]: (local) => local.PURGE_QUEUE_URL,
    [logicalId(stack.events.bus)]: (local) => local.EVENT_BUS_NAME,
    // No Secrets Manager here: the runtime's PAGE_TOKEN_KEYS (which the configuration prefers)
    // stands in for the secret's keyring; the secret's reading is tested with a mocked client.
    [logicalId(stack.pageTokenSecret)]: () => 'page-token-keys',
    [logicalId(stack.paperwork.buckets.creditNotes)]: (local) => local.CREDIT_NOTES_BUCKET,
    [logicalId(stack.paperwork.buckets.journalExports)]: (local) => local.JOURNAL_EXPORTS_BUCKET,
  };

  const entries = (Object.keys(FUNCTIONS) as ServiceFunctionName[]).map((name) => {
    const resource = template.Resources[logicalId(stack.functions[name].function)];
    const assetPath = resource?.Metadata?.['aws:asset:path'];
    if (typeof assetPath !== 'string') throw new Error(`${name}: no asset in the template`);
    const variables = ((resource?.Properties?.Environment as { Variables?: Record<string, unknown> })
      ?.Variables ?? {}) as Record<string, unknown>;
    const env = (local: NodeJS.ProcessEnv) =>
      Object.fromEntries(
        Object.entries(variables).map(([variable, value]) => {
          // Emails go to the local SMTP server, as the emulators stand in for DynamoDB and SQS.
          if (variable === 'MAIL_TRANSPORT') return [variable, local.MAIL_TRANSPORT ?? String(value)];
          if (typeof value === 'string') return [variable, value];
          const ref = (value as { Ref?: string }).Ref;
          // A resource of the emulators, or a stack parameter at its default (what a plain deploy gives).
          const parameter = ref === undefined ? undefined : template.Parameters?.[ref]?.Default;
          const resolved =
            ref === undefined
              ? undefined
              : (refs[ref]?.(local) ?? (parameter === undefined ? undefined : String(parameter)));
          if (resolved === undefined)
            throw new Error(`${name}: cannot resolve ${variable}=${JSON.stringify(value)} locally`);
          return [variable, resolved];
        }),
      );
    return [name, { file: join(outdir, assetPath, 'index.mjs'), env }] as const;
  });
  return Object.fromEntries(entries) as Record<ServiceFunctionName, Deployed>;
}

/**
 * Loads each bundle with its template's environment in place of the runtime's configuration
 * variables (one load at a time, so no module sees another's environment at its cold start).
 */
function deployedRegistry(functions: Record<ServiceFunctionName, Deployed>): FunctionRegistry {
  const bundles = functionRegistry({}, (name) => functions[name].file);
  let queue: Promise<unknown> = Promise.resolve();
  return {
    load(name) {
      const load = queue.then(async () => {
        const local = { ...process.env };
        const env = functions[name].env(local);
        for (const variable of CONFIG_VARIABLES) delete process.env[variable];
        Object.assign(process.env, env);
        try {
          return await bundles.load(name);
        } finally {
          for (const variable of [...CONFIG_VARIABLES, ...Object.keys(env)]) {
            if (local[variable] === undefined) delete process.env[variable];
            else process.env[variable] = local[variable];
          }
        }
      });
      queue = load.catch(() => undefined);
      return load;
    },
  };
}

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), 'refund-parity-'));
  deployed = synthesize();
  runtime = await startLocalRuntime({
    seed: true,
    schedule: false,
    visibilityTimeoutSeconds: 2,
    jwtSecret: 'parity-secret',
    registry: deployedRegistry(deployed),
    log: () => {},
  });
}, 240_000);

afterAll(async () => {
  await runtime?.stop();
  if (outdir) rmSync(outdir, { recursive: true, force: true });
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

async function settled(token: string, unsubscribeOrderId: unknown): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const details = (await call('GET', `/unsubscribe-orders/${unsubscribeOrderId}`, { token })).body;
    if (details.status === 'SUCCEEDED' || Date.now() > deadline) return details;
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('the deployed bundles, through the local runtime', () => {
  it('every function runs from a cdk.out asset, not from the sources', () => {
    for (const name of Object.keys(FUNCTIONS) as ServiceFunctionName[]) {
      expect(deployed[name].file, name).toMatch(/\/asset\.[0-9a-f]+\/index\.mjs$/);
      expect(readFileSync(deployed[name].file, 'utf8').length, name).toBeGreaterThan(10_000);
    }
  });

  it('ingest (seeding) and reads: the demo account sees its instances', async () => {
    const list = await call('GET', '/instances', { token: runtime.token(DEMO_ACCOUNT) });
    expect(list.status).toBe(200);
    const ids = (list.body.items as { instanceId: string }[]).map((i) => i.instanceId);
    expect(ids).toEqual(expect.arrayContaining(['demo-fresh', 'demo-renewing', 'demo-closed']));
  });

  it('quote → unsubscribe → settled by the refund processor; balance, reconciler and purger', async () => {
    const token = runtime.token(DEMO_ACCOUNT);
    const quote = await call('POST', '/instances/demo-fresh/refund-quotes', {
      token,
      json: { kind: 'UNSUBSCRIBE' },
    });
    expect(quote.status).toBe(201);
    expect(quote.body).toMatchObject({ refundType: 'FULL_REFUND', refundAmount: 99900 });

    const order = await call('POST', '/instances/demo-fresh/unsubscriptions', {
      token,
      headers: { 'idempotency-key': 'parity-fresh' },
      json: {
        quoteId: quote.body.quoteId,
        refundType: quote.body.refundType,
        confirmations: { rulesAndAmountConfirmed: true, dataBackupConfirmed: true },
        reason: { code: 'NO_LONGER_NEEDED' },
      },
    });
    expect(order.status).toBe(202);
    const details = await settled(token, order.body.unsubscribeOrderId);
    expect(details).toMatchObject({ status: 'SUCCEEDED', refundAmount: 99900 });

    const closed = await call('POST', '/instances/demo-closed/refund-quotes', {
      token,
      json: { kind: 'UNSUBSCRIBE' },
    });
    const toBalance = await call('POST', '/instances/demo-closed/unsubscriptions', {
      token,
      headers: { 'idempotency-key': 'parity-closed' },
      json: {
        quoteId: closed.body.quoteId,
        refundType: closed.body.refundType,
        confirmations: { rulesAndAmountConfirmed: true, dataBackupConfirmed: true },
        reason: { code: 'NO_LONGER_NEEDED' },
      },
    });
    expect(toBalance.status).toBe(202);
    expect((await settled(token, toBalance.body.unsubscribeOrderId)).status).toBe('SUCCEEDED');
    const balance = await call('GET', '/account/balance', { token });
    expect(balance.status).toBe(200);
    expect(balance.body.balances).toEqual([{ currency: 'USD', amount: closed.body.refundAmount }]);

    const time = new Date(Date.now() + 10 * 60 * 1000).toISOString();
    expect(await runtime.runReconciler(time)).toMatchObject({ now: time, enqueued: 0, failed: 0 });

    const later = new Date(Date.now() + 8 * 24 * 60 * 60 * 1000).toISOString();
    const purge = await call('POST', '/local/purger-runs', { json: { time: later } });
    expect(purge.status).toBe(200);
    expect((await call('GET', '/instances/demo-fresh', { token })).body).toMatchObject({
      status: 'RELEASED',
    });

    // The deployed event publisher put each fact of demo-fresh on the bus, from the table's stream.
    const expected = [
      'InstanceUnsubscribed',
      'UnsubscribeOrderAccepted',
      'RefundLineSettled',
      'UnsubscribeOrderSucceeded',
      'RetentionDataPurged',
      'RetentionDataPurged',
      'InstanceReleased',
    ];
    const freshEvents = async () => {
      const answer = await call('GET', '/local/events');
      return (answer.body.events as { type: string; data: { instanceId?: string } }[])
        .filter((e) => e.data.instanceId === 'demo-fresh')
        .map((e) => e.type);
    };
    const deadline = Date.now() + 30_000;
    let types = await freshEvents();
    while (types.length < expected.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      types = await freshEvents();
    }
    // The instance and the order are written by one transaction: their stream records come in either order.
    expect([...types.slice(0, 2)].sort()).toEqual([...expected.slice(0, 2)].sort());
    expect(types.slice(2)).toEqual(expected.slice(2));
  }, 120_000);

  it('cancel-renewal: a pending paid renewal is cancelled and refunded', async () => {
    const token = runtime.token(DEMO_ACCOUNT);
    const quote = await call('POST', '/instances/demo-renewing/refund-quotes', {
      token,
      json: { kind: 'CANCEL_RENEWAL' },
    });
    expect(quote.status).toBe(201);
    const order = await call('POST', '/instances/demo-renewing/renewal-cancellations', {
      token,
      headers: { 'idempotency-key': 'parity-renewal' },
      json: {
        quoteId: quote.body.quoteId,
        updatedExpirationTime: quote.body.updatedExpirationTime,
        confirmations: { rulesAndAmountConfirmed: true },
      },
    });
    expect(order.status).toBe(202);
    expect((await settled(token, order.body.unsubscribeOrderId)).status).toBe('SUCCEEDED');
  }, 90_000);

  it('billing sets flags through the internal route', async () => {
    const response = await call('PUT', '/internal/instances/demo-renewing/flags', {
      token: runtime.token('billing', { internal: true }),
      json: { accountId: DEMO_ACCOUNT, securityLocked: true },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ flags: { securityLocked: true } });
  });
});
