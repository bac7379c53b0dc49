/**
 * Retention purge, as the stack runs it: the real dispatcher sends one work item per shard of
 * the due index, and real worker handlers drain them (`test/support/purge-pipeline.ts`: the
 * handlers in this process, the queue in memory). Three parts, each beside its floor:
 *
 * 1. **Sizes** (one worker): time per purged instance when 1,000 and 10,000 instances are due
 *    (quick: 20 and 100), with as many *not* due yet on the same index (their cost must not
 *    show: key ranges up to `now`, never a scan), against the operations one purged instance
 *    must make, issued directly for a sample with the same concurrency: per data kind, GetItem
 *    instance (consistent) → UpdateItem instance (kind PURGED [+ RELEASED], conditioned) →
 *    DeleteItem data → DeleteItem purge item. Growth: 10× the work, ≤ 11× the time.
 *    The heap is sampled during each run (memory must not grow with the backlog).
 * 2. **Workers**: the same due set (2,000 instances, 4,000 purges; quick: 40) drained by 1, 2
 *    and 4 workers: completion time (against one worker's), every data item deleted exactly
 *    once (counted on the deletions themselves), every shard drained, how evenly the shards and
 *    the workers shared the work, the heap.
 * 3. **Throttling**: the same due set with one DynamoDB call in ten refused as over capacity
 *    (`ProvisionedThroughputExceededException` / `ThrottlingException` / a transaction cancelled
 *    for `ThrottlingError`, before the SDK's own retries, so every one reaches the purger): it
 *    must still complete with every item purged exactly once and nothing failed, only slower
 *    (against the same run unthrottled).
 *
 * Every DynamoDB command is counted and timed per kind on the client (the latencies feed the
 * capacity model, `bench/capacity-model.ts`). No timing assertions: plain figures. Run alone:
 * `npx node bench/purge.ts [--quick]`.
 */

import { randomUUID } from 'node:crypto';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { documentClient, isThrottling } from '#adapters/dynamo/client.ts';
import { keys } from '#adapters/dynamo/keys.ts';
import { DynamoPurgeStore } from '#adapters/dynamo/purges.ts';
import { createTable, LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoLocal } from '#infra/local/emulators.ts';
import { toIso } from '#policy/index.ts';
import { ThrottledError } from '#ports/purges.ts';
import type { RetainedDataRef, RetainedDataStore } from '#ports/retained-data.ts';
import { TABLE } from '#schema/table.ts';
import type { DataKind } from '#shared/model.ts';
import type { PipelineSummary } from '#test/support/purge-pipeline.ts';
import { unsubscribedInstanceItems } from '#test/support/settlement-fixtures.ts';
import { percentile } from './support/stats.ts';

export interface CommandStats {
  count: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
}

export interface PurgeFigure {
  dueInstances: number;
  notDueInstances: number;
  runs: number;
  totalMs: number;
  msPerPurgedInstance: number;
  purgedKinds: number;
  released: number;
  /** DynamoDB commands the purger sent, by kind (no ScanCommand may appear). */
  commands: Record<string, number>;
  commandsPerPurgedInstance: number;
  /** The same-run floor for a sample of instances: the must-make operations issued directly. */
  raw: { instances: number; totalMs: number; msPerInstance: number };
  /** msPerPurgedInstance ÷ raw.msPerInstance. */
  vsRaw: number;
  /** Heap still allocated after the run (after a full collection), over before it, MiB. */
  heapRetainedMiB: number;
  /** Peak heap during the run over before it, garbage included, MiB. */
  heapPeakMiB: number;
  /** This process's CPU per purged kind, ms (the handlers' share; DynamoDB Local runs apart). */
  cpuMsPerPurge: number;
}

export interface WorkersFigure {
  workers: number;
  dueInstances: number;
  totalMs: number;
  purgesPerSecond: number;
  /** Data items deleted other than exactly once (never deleted, or deleted twice): must be 0. */
  notExactlyOnce: number;
  released: number;
  failed: number;
  throttled: number;
  /** Shards still holding due purges afterwards: must be 0. */
  shardsLeft: number;
  /** Purges per shard: the busiest shard ÷ the mean (1 = perfectly even). */
  shardSpread: number;
  /** Work items per worker. */
  perWorker: number[];
  heapGrowthMiB: number;
  /** Share of DynamoDB calls refused as over capacity (0 unless the throttling part). */
  throttleShare: number;
  refusedCalls: number;
  /** Mean latency per DynamoDB command in this run, ms. */
  latencyMs: Record<string, number>;
  /** This process's CPU per purged kind in this run, ms. */
  cpuMsPerPurge: number;
}

export interface PurgeBench {
  quick: boolean;
  /** Purges in flight per worker. */
  inFlight: number;
  figures: PurgeFigure[];
  workers: WorkersFigure[];
  throttled: WorkersFigure;
  /** The unthrottled run with as many workers as `throttled`, its baseline. */
  throttledBaseline: WorkersFigure;
  /** Per DynamoDB command, over the one-worker size runs: what a worker waits per call here. */
  latencies: Record<string, CommandStats>;
}

const UNSUBSCRIBED_AT = Date.parse('2026-04-10T15:30:00.000Z');
const NOW = Date.parse('2026-04-18T00:00:00.000Z');
const KINDS: readonly DataKind[] = ['CONFIG', 'LOG'];
const field = (kind: DataKind) => (kind === 'CONFIG' ? 'configData' : 'logData');
/** One call in this many is refused as over capacity in the throttling part. */
const THROTTLE_EVERY = 10;
const IN_FLIGHT = 8;

/** `withData`: the instance and its data items too; `onIndex`: the purge items on the due index (the raw sample's are not: only the purger looks there). */
function instanceItems(
  accountId: string,
  instanceId: string,
  unsubscribedAt: number,
  withData: boolean,
  onIndex = true,
): Record<string, unknown>[] {
  const { purgeItems, otherItems } = unsubscribedInstanceItems({
    accountId,
    instanceId,
    unsubscribedAt,
    onIndex,
    dataPadding: 512,
  });
  return withData ? [...purgeItems, ...otherItems] : purgeItems;
}

async function inParallel<T>(
  items: readonly T[],
  width: number,
  f: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await f(item);
      }
    }),
  );
}

async function batchWrite(doc: DynamoDBDocumentClient, tableName: string, items: Record<string, unknown>[]) {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  await inParallel(batches, 16, async (batch) => {
    let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = {
      [tableName]: batch.map((Item) => ({ PutRequest: { Item } })),
    };
    while (request && Object.keys(request).length > 0) {
      const result = await doc.send(new BatchWriteCommand({ RequestItems: request }));
      request = result.UnprocessedItems as typeof request;
    }
  });
}

/** V8's collector, made callable at run time (no command-line flag needed). */
const collectGarbage = (() => {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/**
 * The heap around a run: what stays allocated after it (both ends measured after a full
 * collection, MiB) — what would grow with the backlog, if anything — and the peak of samples
 * taken every 20 ms during it (garbage included, so it follows the collector's rhythm).
 */
function heapSampler(): { stop(): { retainedMiB: number; peakMiB: number } } {
  collectGarbage();
  const start = process.memoryUsage().heapUsed;
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 20);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().heapUsed);
      collectGarbage();
      const MiB = 1024 * 1024;
      return { retainedMiB: (process.memoryUsage().heapUsed - start) / MiB, peakMiB: (peak - start) / MiB };
    },
  };
}

/** DynamoDB's answer to a call over capacity, as the SDK throws it. */
function throttlingError(commandName: string, nth: number): Error {
  const metadata = { $metadata: { httpStatusCode: 400 }, $fault: 'client' };
  if (commandName === 'TransactWriteItemsCommand') {
    return Object.assign(new Error('Transaction cancelled'), {
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: 'ThrottlingError' }, { Code: 'None' }],
      ...metadata,
    });
  }
  const name = nth % 2 === 0 ? 'ThrottlingException' : 'ProvisionedThroughputExceededException';
  return Object.assign(new Error('Throughput exceeds the current capacity'), { name, ...metadata });
}

/** Counts, times and (when asked) throttles every command the client sends. */
function instrument(client: DynamoDBClient) {
  const state = {
    counting: false,
    counts: {} as Record<string, number>,
    timings: {} as Record<string, number[]>,
    /** This run's timings only. */
    run: {} as Record<string, number[]>,
    throttleEvery: 0,
    seen: 0,
    refused: 0,
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!state.counting) return next(args);
      const name = String(context.commandName);
      state.counts[name] = (state.counts[name] ?? 0) + 1;
      if (state.throttleEvery > 0 && ++state.seen % state.throttleEvery === 0) {
        state.refused += 1;
        throw throttlingError(name, state.refused);
      }
      const start = process.hrtime.bigint();
      const result = await next(args);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      for (const into of [state.timings, state.run]) {
        const samples = into[name] ?? [];
        samples.push(ms);
        into[name] = samples;
      }
      return result;
    },
    { step: 'initialize', name: 'benchCommandCounter' },
  );
  return {
    start(throttleEvery = 0) {
      state.counts = {};
      state.run = {};
      state.seen = 0;
      state.refused = 0;
      state.throttleEvery = throttleEvery;
      state.counting = true;
    },
    stop() {
      state.counting = false;
      state.throttleEvery = 0;
      return { counts: { ...state.counts }, refused: state.refused, calls: state.seen, timings: state.run };
    },
    timings: state.timings,
  };
}

/** Deletes through DynamoDB like the real adapter, and counts the deletions that removed data. */
class CountingDataStore implements RetainedDataStore {
  readonly removed = new Map<string, number>();
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.#doc = doc;
    this.#tableName = tableName;
  }

  async delete(ref: RetainedDataRef): Promise<void> {
    const result = await this.#doc
      .send(
        new DeleteCommand({
          TableName: this.#tableName,
          Key: keys.retainedData(ref.accountId, ref.instanceId, ref.kind),
          ReturnValues: 'ALL_OLD',
        }),
      )
      .catch((error: unknown) => {
        throw isThrottling(error) ? new ThrottledError({ cause: error }) : error;
      });
    if (result.Attributes) {
      const id = `${ref.accountId}/${ref.instanceId}/${ref.kind}`;
      this.removed.set(id, (this.removed.get(id) ?? 0) + 1);
    }
  }
}

export async function benchPurge(opts: { quick: boolean }): Promise<PurgeBench> {
  const sizes = opts.quick ? [20, 100] : [1_000, 10_000];
  const rawSample = (size: number) => Math.min(size, opts.quick ? 20 : 500);
  const workersSet = opts.quick ? 40 : 2_000;
  const dynamo = await startDynamoLocal();
  try {
    process.env.TABLE_NAME ??= 'bench-purge';
    process.env.PURGE_QUEUE_URL ??= 'http://127.0.0.1:1/000000000000/purge-work.fifo';
    process.env.AWS_REGION ??= LOCAL_REGION;
    process.env.AWS_ACCESS_KEY_ID ??= LOCAL_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY ??= LOCAL_CREDENTIALS.secretAccessKey;
    const { purgePipeline } = await import('#test/support/purge-pipeline.ts');
    const meter = instrument(dynamo.client);
    const doc = documentClient(dynamo.client);
    const run = randomUUID().slice(0, 6);

    /** A fresh table (no stream: nothing reads it here, and DynamoDB Local's stream bookkeeping only slows the seeding). */
    const newTable = async (label: string) => {
      const tableName = `bench-purge-${label}-${randomUUID().slice(0, 6)}`;
      await createTable(dynamo.client, tableName, { stream: false });
      return tableName;
    };

    // ---- 1. Sizes, one worker, against the raw floor ------------------------------------
    const figures: PurgeFigure[] = [];
    for (const size of sizes) {
      const tableName = await newTable(String(size));
      const due = Array.from({ length: size }, (_, i) => ({
        accountId: `acct-${run}-${i % 97}`,
        instanceId: `i-${run}-${i}`,
      }));
      const sample = Array.from({ length: rawSample(size) }, (_, i) => ({
        accountId: `acct-${run}-raw-${i % 97}`,
        instanceId: `i-${run}-raw-${i}`,
      }));
      const warm = Array.from({ length: 8 }, (_, i) => ({
        accountId: `acct-${run}-warm-${i}`,
        instanceId: `i-${run}-warm-${i}`,
      }));
      await batchWrite(doc, tableName, [
        ...warm.flatMap((d) => instanceItems(d.accountId, d.instanceId, UNSUBSCRIBED_AT, true, false)),
        ...due.flatMap((d) => instanceItems(d.accountId, d.instanceId, UNSUBSCRIBED_AT, true)),
        ...sample.flatMap((d) => instanceItems(d.accountId, d.instanceId, UNSUBSCRIBED_AT, true, false)),
        // Not due yet: unsubscribed a day after `NOW`; they wait on the same index.
        ...Array.from({ length: size }, (_, i) =>
          instanceItems(`acct-${run}-${i % 97}`, `i-${run}-later-${i}`, NOW + 86_400_000, false),
        ).flat(),
      ]);

      // The raw baseline: its sample is not on the due index, so the purger never sees it.
      const rawPurge = async ({
        accountId,
        instanceId,
        kind,
      }: {
        accountId: string;
        instanceId: string;
        kind: DataKind;
      }) => {
        await doc.send(
          new GetCommand({
            TableName: tableName,
            Key: keys.instance(accountId, instanceId),
            ConsistentRead: true,
          }),
        );
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.instance(accountId, instanceId),
            UpdateExpression: `SET #r.${field(kind)}.#s = :purged, #r.${field(kind)}.purgedAt = :now, #v = #v + :one`,
            ConditionExpression: `#r.${field(kind)}.#s = :retained`,
            ExpressionAttributeNames: { '#r': 'retention', '#s': 'status', '#v': 'version' },
            ExpressionAttributeValues: {
              ':purged': 'PURGED',
              ':retained': 'RETAINED',
              ':now': NOW,
              ':one': 1,
            },
          }),
        );
        await doc.send(
          new DeleteCommand({ TableName: tableName, Key: keys.retainedData(accountId, instanceId, kind) }),
        );
        await doc.send(
          new DeleteCommand({ TableName: tableName, Key: keys.purge(accountId, instanceId, kind) }),
        );
      };
      // Both kinds of an instance one after the other (they write the same item), instances in parallel.
      const rawInstance = async (s: (typeof sample)[number]) => {
        for (const kind of KINDS) await rawPurge({ ...s, kind });
      };
      await inParallel(warm, IN_FLIGHT, rawInstance);
      // Half the raw sample before the purger and half after (DynamoDB Local's JVM keeps warming up).
      const half = Math.ceil(sample.length / 2);
      const rawHalf = async (list: typeof sample) => {
        const rawStart = process.hrtime.bigint();
        await inParallel(list, IN_FLIGHT / 2, rawInstance);
        return Number(process.hrtime.bigint() - rawStart) / 1e6;
      };
      let rawMs = await rawHalf(sample.slice(0, half));

      const purge = purgePipeline({ doc, tableName }, { workers: 1, inFlight: IN_FLIGHT });
      meter.start();
      const heap = heapSampler();
      const cpu = process.cpuUsage();
      let runs = 0;
      let purgedKinds = 0;
      let released = 0;
      const start = process.hrtime.bigint();
      for (;;) {
        runs += 1;
        const summary = await purge(toIso(NOW));
        purgedKinds += summary.purged;
        released += summary.released;
        if (!summary.remaining) break;
        if (runs > 1000) throw new Error('the purger did not finish');
      }
      const totalMs = Number(process.hrtime.bigint() - start) / 1e6;
      const used = process.cpuUsage(cpu);
      const { retainedMiB, peakMiB } = heap.stop();
      const { counts } = meter.stop();
      rawMs += await rawHalf(sample.slice(half));
      if (released !== size) throw new Error(`expected ${size} instances released, got ${released}`);
      const commandTotal = Object.values(counts).reduce((a, b) => a + b, 0);
      const msPerPurgedInstance = totalMs / size;
      const rawPerInstance = rawMs / sample.length;
      figures.push({
        dueInstances: size,
        notDueInstances: size,
        runs,
        totalMs,
        msPerPurgedInstance,
        purgedKinds,
        released,
        commands: counts,
        commandsPerPurgedInstance: commandTotal / size,
        raw: { instances: sample.length, totalMs: rawMs, msPerInstance: rawPerInstance },
        vsRaw: msPerPurgedInstance / rawPerInstance,
        heapRetainedMiB: retainedMiB,
        heapPeakMiB: peakMiB,
        cpuMsPerPurge: (used.user + used.system) / 1000 / purgedKinds,
      });
    }
    const latencies = Object.fromEntries(
      Object.entries(meter.timings).map(([name, samples]) => [
        name,
        {
          count: samples.length,
          meanMs: samples.reduce((a, b) => a + b, 0) / samples.length,
          p50Ms: percentile(samples, 50),
          p99Ms: percentile(samples, 99),
        },
      ]),
    );

    // ---- 2 and 3. The same due set, 1/2/4 workers, then throttled ------------------------
    const drainWith = async (workers: number, throttleEvery = 0): Promise<WorkersFigure> => {
      const tableName = await newTable(`w${workers}${throttleEvery ? 't' : ''}`);
      const due = Array.from({ length: workersSet }, (_, i) => ({
        accountId: `acct-w-${i % 97}`,
        instanceId: `i-w-${i}`,
      }));
      await batchWrite(
        doc,
        tableName,
        due.flatMap((d) => instanceItems(d.accountId, d.instanceId, UNSUBSCRIBED_AT, true)),
      );
      const data = new CountingDataStore(doc, tableName);
      const purge = purgePipeline({ doc, tableName }, { workers, inFlight: IN_FLIGHT, data });
      const summaries: PipelineSummary[] = [];
      meter.start(throttleEvery);
      const heap = heapSampler();
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      for (let runs = 1; ; runs++) {
        const summary = await purge(toIso(NOW));
        summaries.push(summary);
        if (!summary.remaining && summary.dispatch.dispatched === 0) break;
        if (runs > 100) throw new Error('the purger did not finish');
      }
      const totalMs = Number(process.hrtime.bigint() - start) / 1e6;
      const used = process.cpuUsage(cpu);
      const { peakMiB: heapGrowthMiB } = heap.stop();
      const { refused, calls, timings } = meter.stop();

      // Exactly once: every data item deleted once, every instance RELEASED, no shard with work left.
      let notExactlyOnce = 0;
      for (const d of due) {
        for (const kind of KINDS) {
          if (data.removed.get(`${d.accountId}/${d.instanceId}/${kind}`) !== 1) notExactlyOnce += 1;
        }
      }
      let released = 0;
      for (let i = 0; i < due.length; i += 100) {
        const result = await doc.send(
          new BatchGetCommand({
            RequestItems: {
              [tableName]: {
                Keys: due.slice(i, i + 100).map((d) => keys.instance(d.accountId, d.instanceId)),
                ProjectionExpression: '#s',
                ExpressionAttributeNames: { '#s': 'status' },
              },
            },
          }),
        );
        released += (result.Responses?.[tableName] ?? []).filter((item) => item.status === 'RELEASED').length;
      }
      const store = new DynamoPurgeStore({ doc, tableName });
      let shardsLeft = 0;
      for (let shard = 0; shard < TABLE.dueShards; shard++) {
        if ((await store.oldestDue(NOW, shard)) !== null) shardsLeft += 1;
      }
      const perShard = Array.from({ length: TABLE.dueShards }, (_, shard) =>
        summaries.reduce((n, s) => n + (s.perShard[shard] ?? 0), 0),
      );
      const mean = perShard.reduce((a, b) => a + b, 0) / perShard.length;
      return {
        workers,
        dueInstances: workersSet,
        totalMs,
        purgesPerSecond: (2 * workersSet) / (totalMs / 1000),
        notExactlyOnce,
        released,
        failed: summaries.reduce((n, s) => n + s.failed, 0),
        throttled: summaries.reduce((n, s) => n + s.throttled, 0),
        shardsLeft,
        shardSpread: mean > 0 ? Math.max(...perShard) / mean : Number.NaN,
        perWorker: summaries.reduce<number[]>(
          (sum, s) => s.perWorker.map((n, w) => n + (sum[w] ?? 0)),
          Array.from({ length: workers }, () => 0),
        ),
        heapGrowthMiB,
        throttleShare: calls > 0 ? refused / calls : 0,
        refusedCalls: refused,
        latencyMs: Object.fromEntries(
          Object.entries(timings).map(([name, samples]) => [
            name,
            samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length),
          ]),
        ),
        cpuMsPerPurge: (used.user + used.system) / 1000 / (2 * workersSet),
      };
    };
    const workers: WorkersFigure[] = [];
    for (const count of [1, 2, 4]) workers.push(await drainWith(count));
    const throttled = await drainWith(2, THROTTLE_EVERY);
    const throttledBaseline = workers.find((w) => w.workers === 2) as WorkersFigure;

    return {
      quick: opts.quick,
      inFlight: IN_FLIGHT,
      figures,
      workers,
      throttled,
      throttledBaseline,
      latencies,
    };
  } finally {
    await dynamo.stop();
  }
}

if (import.meta.main) {
  const result = await benchPurge({ quick: process.argv.includes('--quick') });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
