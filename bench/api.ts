/**
 * Figure 3: API overhead. p50 and p99 latency of quote, unsubscribe and cancel-renewal sent
 * as real HTTP requests to the local runtime (`startLocalRuntime`: the local API Gateway with
 * its JWT check, the real handler modules, DynamoDB Local, fauxqs), against the DynamoDB and
 * SQS calls each operation must make (`support/raw-ops.ts`) issued directly with the same
 * SDK clients against the same emulators. Each iteration prepares a fresh fixture for both
 * sides through the API (untimed), then times one API call and one raw sequence, alternating
 * which goes first.
 *
 * The runtime's refund processor is replaced by a drain (it acknowledges every message), so
 * settling refunds in the background does not load the process while requests are timed;
 * both sides enqueue to the same queue. Schedules are off.
 *
 * Run alone: `npx node bench/api.ts [--quick]`.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { documentClient } from '#adapters/dynamo/client.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#infra/local/emulators.ts';
import { type LocalRuntime, startLocalRuntime } from '#infra/local/runtime.ts';
import { type JsonClient, jsonClient } from './support/http-client.ts';
import {
  type ApiOperation,
  captureTemplates,
  MUST_MAKE,
  type RawContext,
  type RawTarget,
  rawCancelRenewal,
  rawQuote,
  rawUnsubscribe,
  type Templates,
} from './support/raw-ops.ts';
import { ms, percentile, ratio, timeMs } from './support/stats.ts';

export const API_P50_RATIO_TARGET = 1.5;

const DAY = 86_400_000;

export interface LatencySummary {
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

export interface ApiFigure {
  operation: ApiOperation;
  mustMake: readonly string[];
  samples: number;
  api: LatencySummary;
  raw: LatencySummary;
  p50Ratio: number;
  p99Ratio: number;
  target: number;
}

const summary = (samples: readonly number[]): LatencySummary => ({
  p50Ms: percentile(samples, 50),
  p90Ms: percentile(samples, 90),
  p99Ms: percentile(samples, 99),
  maxMs: Math.max(...samples),
  meanMs: samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length),
});

const at = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();

/** Creates instances and quotes through the API (internal ingestion, public quotes). */
class Fixtures {
  readonly #http: JsonClient;
  readonly #runtime: LocalRuntime;
  readonly #internal: string;
  readonly #run = randomUUID().slice(0, 8);
  #seq = 0;

  constructor(http: JsonClient, runtime: LocalRuntime) {
    this.#http = http;
    this.#runtime = runtime;
    this.#internal = runtime.token('billing', { internal: true });
  }

  async #ingest(accountId: string, instanceId: string, order: Record<string, unknown>): Promise<void> {
    const answer = await this.#http.call('POST', '/internal/orders', {
      token: this.#internal,
      body: {
        accountId,
        instanceId,
        product: 'cloud-firewall',
        edition: 'Enterprise',
        billingMethod: 'SUBSCRIPTION',
        currency: 'USD',
        order: { voucherPaid: 1000, paymentMethod: { type: 'CARD', reference: 'card-4242' }, ...order },
      },
    });
    if (answer.status !== 201)
      throw new Error(`ingest answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }

  async #quote(token: string, instanceId: string, body: unknown) {
    const answer = await this.call(token, 'POST', `/instances/${instanceId}/refund-quotes`, body);
    if (answer.status !== 201)
      throw new Error(`quote answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body as { quoteId: string; refundType: string; updatedExpirationTime?: string };
  }

  call(token: string, method: string, path: string, body?: unknown, headers?: Record<string, string>) {
    return this.#http.call(method, path, { token, body, ...(headers ? { headers } : {}) });
  }

  /** A new account with one instance bought yesterday (so FULL_REFUND with the quota unused). */
  async unsubscribable(kind: 'UNSUBSCRIBE' | 'CANCEL_RENEWAL') {
    const n = this.#seq++;
    const accountId = `bench-${this.#run}-${n}`;
    const instanceId = `i-${n}`;
    const token = this.#runtime.token(accountId);
    const now = Date.now();
    if (kind === 'UNSUBSCRIBE') {
      await this.#ingest(accountId, instanceId, {
        orderId: `o-${n}-new`,
        type: 'NEW',
        paidAt: at(now - DAY),
        periodStart: at(now - DAY),
        periodEnd: at(now + 364 * DAY),
        cashPaid: 99_900,
      });
    } else {
      const end = Math.floor((now + 20 * DAY) / 1000) * 1000;
      await this.#ingest(accountId, instanceId, {
        orderId: `o-${n}-new`,
        type: 'NEW',
        paidAt: at(now - 10 * DAY),
        periodStart: at(now - 10 * DAY),
        periodEnd: at(end),
        cashPaid: 29_900,
      });
      await this.#ingest(accountId, instanceId, {
        orderId: `o-${n}-renew`,
        type: 'RENEW',
        paidAt: at(now - DAY),
        periodStart: at(end),
        periodEnd: at(end + 30 * DAY),
        cashPaid: 27_900,
      });
    }
    const quote = await this.#quote(token, instanceId, { kind });
    return { accountId, instanceId, token, quote, idempotencyKey: randomUUID() };
  }
}

type Fixture = Awaited<ReturnType<Fixtures['unsubscribable']>>;

const target = (f: Fixture): RawTarget => ({
  accountId: f.accountId,
  instanceId: f.instanceId,
  quoteId: f.quote.quoteId,
  idempotencyKey: f.idempotencyKey,
});

async function expectStatus(
  promise: Promise<{ status: number; body: unknown }>,
  status: number,
): Promise<void> {
  const answer = await promise;
  if (answer.status !== status)
    throw new Error(`expected ${status}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
}

/** The API call of each operation, on a fixture. */
const API_CALLS: Record<ApiOperation, (fx: Fixtures, f: Fixture) => Promise<void>> = {
  quote: (fx, f) =>
    expectStatus(
      fx.call(f.token, 'POST', `/instances/${f.instanceId}/refund-quotes`, { kind: 'UNSUBSCRIBE' }),
      201,
    ),
  unsubscribe: (fx, f) =>
    expectStatus(
      fx.call(
        f.token,
        'POST',
        `/instances/${f.instanceId}/unsubscriptions`,
        {
          quoteId: f.quote.quoteId,
          refundType: f.quote.refundType,
          confirmations: { rulesAndAmountConfirmed: true, dataBackupConfirmed: true },
          reason: { code: 'NO_LONGER_NEEDED' },
        },
        { 'idempotency-key': f.idempotencyKey },
      ),
      202,
    ),
  'cancel-renewal': (fx, f) =>
    expectStatus(
      fx.call(
        f.token,
        'POST',
        `/instances/${f.instanceId}/renewal-cancellations`,
        {
          quoteId: f.quote.quoteId,
          updatedExpirationTime: f.quote.updatedExpirationTime,
          confirmations: { rulesAndAmountConfirmed: true },
        },
        { 'idempotency-key': f.idempotencyKey },
      ),
      202,
    ),
};

const RAW_CALLS: Record<ApiOperation, (ctx: RawContext, t: Templates, f: Fixture) => Promise<void>> = {
  quote: (ctx, t, f) => rawQuote(ctx, t, f),
  unsubscribe: (ctx, t, f) => rawUnsubscribe(ctx, t, target(f)),
  'cancel-renewal': (ctx, t, f) => rawCancelRenewal(ctx, t, target(f)),
};

async function measureOperation(
  operation: ApiOperation,
  fx: Fixtures,
  ctx: RawContext,
  counts: { warmup: number; iterations: number },
): Promise<ApiFigure> {
  const kind = operation === 'cancel-renewal' ? 'CANCEL_RENEWAL' : 'UNSUBSCRIBE';
  // One full operation through the API, to copy the items it writes as the raw side's templates.
  const first = await fx.unsubscribable(kind);
  await API_CALLS[operation === 'quote' ? 'unsubscribe' : operation](fx, first);
  const templates = await captureTemplates(ctx, first.accountId);

  // Quotes leave the instance as it was: both sides quote one instance each, again and again.
  const quoteFixtures =
    operation === 'quote' ? [await fx.unsubscribable(kind), await fx.unsubscribable(kind)] : [];
  const apiTimes: number[] = [];
  const rawTimes: number[] = [];
  for (let i = 0; i < counts.warmup + counts.iterations; i++) {
    const [apiFixture, rawFixture] =
      operation === 'quote'
        ? (quoteFixtures as [Fixture, Fixture])
        : [await fx.unsubscribable(kind), await fx.unsubscribable(kind)];
    const api = () => timeMs(() => API_CALLS[operation](fx, apiFixture));
    const raw = () => timeMs(() => RAW_CALLS[operation](ctx, templates, rawFixture));
    let apiMs: number;
    let rawMs: number;
    if (i % 2 === 0) {
      apiMs = await api();
      rawMs = await raw();
    } else {
      rawMs = await raw();
      apiMs = await api();
    }
    if (i >= counts.warmup) {
      apiTimes.push(apiMs);
      rawTimes.push(rawMs);
    }
  }
  const api = summary(apiTimes);
  const raw = summary(rawTimes);
  return {
    operation,
    mustMake: MUST_MAKE[operation],
    samples: apiTimes.length,
    api,
    raw,
    p50Ratio: ratio(api.p50Ms, raw.p50Ms),
    p99Ratio: ratio(api.p99Ms, raw.p99Ms),
    target: API_P50_RATIO_TARGET,
  };
}

export async function benchApi(opts: { quick: boolean; iterations?: number }): Promise<ApiFigure[]> {
  const counts = { warmup: opts.quick ? 3 : 30, iterations: opts.iterations ?? (opts.quick ? 10 : 400) };
  const runtime = await startLocalRuntime({
    port: 0,
    schedule: false,
    log: () => {},
    // Acknowledge every refund message without settling it (see the module comment).
    handlers: { 'refund-processor': async () => ({ batchItemFailures: [] }) },
  });
  const http = jsonClient(runtime.url);
  const dynamo = new DynamoDBClient({
    endpoint: runtime.dynamoEndpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const sqs = new SQSClient({
    endpoint: runtime.sqsEndpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const ctx: RawContext = {
    doc: documentClient(dynamo),
    sqs,
    tableName: runtime.tableName,
    queueUrl: runtime.refundQueueUrl,
  };
  try {
    const fx = new Fixtures(http, runtime);
    const figures: ApiFigure[] = [];
    for (const operation of ['quote', 'unsubscribe', 'cancel-renewal'] as const) {
      figures.push(await measureOperation(operation, fx, ctx, counts));
    }
    return figures;
  } finally {
    http.close();
    dynamo.destroy();
    sqs.destroy();
    await runtime.stop();
  }
}

if (import.meta.main) {
  for (const f of await benchApi({ quick: process.argv.includes('--quick') })) {
    process.stdout.write(
      `${f.operation}: API p50/p90/p99/max ${[f.api.p50Ms, f.api.p90Ms, f.api.p99Ms, f.api.maxMs].map(ms).join(' / ')} vs raw ${[f.raw.p50Ms, f.raw.p90Ms, f.raw.p99Ms, f.raw.maxMs].map(ms).join(' / ')}: p50 ${f.p50Ratio.toFixed(2)}×, p99 ${f.p99Ratio.toFixed(2)}× (${f.samples} samples)\n`,
    );
  }
}
