/**
 * The retention purger on DynamoDB Local with the real handlers, as the stack runs them: the
 * dispatcher splits the due work by shard, workers drain the shards side by side. Exact
 * deadlines, overlapping dispatches, many workers at once, bounded runs, restores racing
 * purges, a crash between recording and deleting, throttling — and no Scan on any path.
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isThrottling, type TableRef } from '#adapters/dynamo/client.ts';
import { DynamoInstanceStore } from '#adapters/dynamo/instances.ts';
import { dueShardOf, keys } from '#adapters/dynamo/keys.ts';
import { DynamoPurgeStore } from '#adapters/dynamo/purges.ts';
import { DynamoRetainedDataStore } from '#adapters/dynamo/retained-data.ts';
import { encodePurgeWork } from '#adapters/sqs-purge-work.ts';
import { lambdaContext, toSqsEvent } from '#infra/local/lambda-events.ts';
import { ThrottledError } from '#ports/purges.ts';
import type { RetainedDataRef, RetainedDataStore } from '#ports/retained-data.ts';
import { TABLE } from '#schema/table.ts';
import type { InstanceRecord, Retention } from '#shared/model.ts';
import { type PipelineOptions, purgePipeline } from '#test/support/purge-pipeline.ts';
import {
  recordingMetrics,
  type SettlementEnv,
  settlementEnv,
  silentLogger,
} from '#test/support/settlement-env.ts';
import { readInstance, retentionItems, seedUnsubscribedInstance } from '#test/support/settlement-fixtures.ts';
import { ingestOrder } from '#use-cases/ingest-order.ts';
import { purgeRetention } from '#use-cases/purge-retention.ts';

let env: SettlementEnv;
/** Each test gets its own table: due work of one test must never be due work of another. */
let table: TableRef;
let createPurgeWorkerHandler: typeof import('#functions/purge-worker.ts').createPurgeWorkerHandler;

beforeAll(async () => {
  env = await settlementEnv({ prefix: 'purger' });
  ({ createPurgeWorkerHandler } = await import('#functions/purge-worker.ts'));
});
afterAll(() => env.close());
beforeEach(async () => {
  table = await env.newTable();
  env.resetCommands();
  env.throttleEvery(null);
});

/** Deletes through DynamoDB and counts the deletions that really removed data. */
class CountingDataStore implements RetainedDataStore {
  readonly removed = new Map<string, number>();
  failures = 0;

  async delete(ref: RetainedDataRef): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('Simulated crash before deleting the data');
    }
    const result = await table.doc
      .send(
        new DeleteCommand({
          TableName: table.tableName,
          Key: keys.retainedData(ref.accountId, ref.instanceId, ref.kind),
          ReturnValues: 'ALL_OLD',
        }),
      )
      .catch((error: unknown) => {
        // As the real adapter: DynamoDB's throttling answer means "slow down and retry".
        throw isThrottling(error) ? new ThrottledError({ cause: error }) : error;
      });
    if (result.Attributes) {
      const id = `${ref.accountId}/${ref.instanceId}/${ref.kind}`;
      this.removed.set(id, (this.removed.get(id) ?? 0) + 1);
    }
  }
}

/** The dispatcher and its workers over this test's table (small pages, so paging is exercised). */
const purger = (options: PipelineOptions = {}) => purgePipeline(table, { pageSize: 5, ...options });

/** A worker handler invoked with one work item, as the purge work queue would. */
function worker(options: { data?: RetainedDataStore; maxItems?: number } = {}) {
  const handler = createPurgeWorkerHandler({
    purges: new DynamoPurgeStore(table, { pageSize: 5 }),
    data: options.data ?? new DynamoRetainedDataStore(table),
    logger: silentLogger(),
    metrics: recordingMetrics(),
    ...(options.maxItems !== undefined ? { maxItems: options.maxItems } : {}),
  });
  return (
    shard: number,
    time: string,
    context: Context = lambdaContext('purge-worker', 300_000, 'us-east-1'),
  ) =>
    handler(
      toSqsEvent(
        [{ MessageId: 'm', ReceiptHandle: 'r', Body: encodePurgeWork({ shard, now: Date.parse(time) }) }],
        'arn:aws:sqs:us-east-1:000000000000:purge-work.fifo',
        'us-east-1',
      ),
      context,
    );
}

/** `count` instance ids of `accountId` whose purges sit on `shard` of the due index. */
function idsOnShard(accountId: string, shard: number, count: number): string[] {
  const ids: string[] = [];
  for (let n = 0; ids.length < count; n++) {
    if (dueShardOf(accountId, `i-${n}`) === shard) ids.push(`i-${n}`);
  }
  return ids;
}

const noScan = () => {
  expect(env.commands.filter((c) => c.name === 'ScanCommand')).toEqual([]);
  const queries = env.commands.filter((c) => c.name === 'QueryCommand');
  expect(queries.length).toBeGreaterThan(0);
  for (const query of queries) expect(query.input.IndexName).toBe('due');
};

const renew = (instance: InstanceRecord, paidAt: string, orderId: string) =>
  ingestOrder(
    { instances: new DynamoInstanceStore(table) },
    {
      accountId: instance.accountId,
      instanceId: instance.instanceId,
      product: instance.product,
      edition: instance.edition,
      billingMethod: instance.billingMethod,
      currency: instance.currency,
      order: {
        orderId,
        type: 'RENEW',
        paidAt: Date.parse(paidAt),
        periodStart: Date.parse(paidAt),
        periodEnd: Date.parse(paidAt) + 30 * 86_400_000,
        cashPaid: 1000,
        voucherPaid: 0,
        paymentMethod: { type: 'CARD', reference: 'card-4242' },
      },
      now: Date.parse(paidAt),
    },
  );

const instanceOf = (i: InstanceRecord) => readInstance(table, i.accountId, i.instanceId);

describe('purger: deadlines', () => {
  it('purges nothing 1 ms early, each kind exactly at its deadline, then RELEASED (SPEC 2.6 example 5)', async () => {
    const seeded = await seedUnsubscribedInstance(table, { unsubscribedAt: '2026-04-10T15:30:00.000Z' });
    const run = purger();
    const logAt = Date.parse('2026-04-10T16:00:00.000Z');
    const configAt = Date.parse('2026-04-17T15:30:00.000Z');
    expect(seeded.retention).toMatchObject({
      logData: { purgeAt: logAt },
      configData: { purgeAt: configAt },
    });

    expect(await run(logAt - 1)).toMatchObject({ purged: 0, remaining: false, stoppedBy: 'DONE' });
    expect((await instanceOf(seeded)).retention?.logData.status).toBe('RETAINED');
    expect((await retentionItems(table, seeded.accountId, seeded.instanceId)).data).toEqual({
      CONFIG: true,
      LOG: true,
    });

    expect(await run(logAt)).toMatchObject({
      purged: 1,
      released: 0,
      purgedKinds: { logData: 1, configData: 0 },
    });
    let instance = await instanceOf(seeded);
    expect(instance.status).toBe('UNSUBSCRIBED');
    expect(instance.retention?.logData).toEqual({ status: 'PURGED', purgeAt: logAt, purgedAt: logAt });
    expect(instance.retention?.configData.status).toBe('RETAINED');
    expect(instance.version).toBe(seeded.version + 1);
    let items = await retentionItems(table, seeded.accountId, seeded.instanceId);
    expect(items.data).toEqual({ CONFIG: true, LOG: false });
    expect(items.purge.LOG).toBeUndefined();

    expect(await run(configAt - 1)).toMatchObject({ purged: 0 });
    expect(await run(configAt)).toMatchObject({ purged: 1, released: 1, purgedKinds: { configData: 1 } });
    instance = await instanceOf(seeded);
    expect(instance.status).toBe('RELEASED');
    expect(instance.retention?.configData).toEqual({
      status: 'PURGED',
      purgeAt: configAt,
      purgedAt: configAt,
    });
    expect(instance.version).toBe(seeded.version + 2);
    items = await retentionItems(table, seeded.accountId, seeded.instanceId);
    expect(items).toEqual({
      data: { CONFIG: false, LOG: false },
      purge: { CONFIG: undefined, LOG: undefined },
    });

    expect(await run(configAt + 86_400_000)).toMatchObject({ purged: 0, released: 0 });
    expect((await instanceOf(seeded)).version).toBe(seeded.version + 2);
    noScan();
  });

  it('accepts EventBridge second-precision times and purges both kinds in one run when both are due', async () => {
    const seeded = await seedUnsubscribedInstance(table, { unsubscribedAt: '2026-05-01T00:00:00.000Z' });

    const summary = await purger()('2026-05-09T00:00:00Z');

    expect(summary).toMatchObject({ purged: 2, released: 1, remaining: false });
    const instance = await instanceOf(seeded);
    expect(instance.status).toBe('RELEASED');
    expect(instance.retention?.configData.purgedAt).toBe(Date.parse('2026-05-09T00:00:00Z'));
    noScan();
  });
});

describe('purger: dispatch', () => {
  it('sends one work item per shard with due purges, nothing for a purge due 1 ms later, and the lag', async () => {
    const account = 'acct-dispatch';
    const [onThree] = idsOnShard(account, 3, 1);
    const [onNine, alsoNine] = idsOnShard(account, 9, 2);
    const [notYet] = idsOnShard(account, 20, 1);
    const at = Date.parse('2026-05-10T00:00:00.000Z');
    const seed = (instanceId: string | undefined, logDataPurgeAt: number) =>
      seedUnsubscribedInstance(table, {
        accountId: account,
        ...(instanceId ? { instanceId } : {}),
        unsubscribedAt: '2026-05-01T00:00:00.000Z',
        logDataPurgeAt,
        configDataPurgeAt: at + 86_400_000,
      });
    await Promise.all([
      seed(onThree, at - 90_000),
      seed(onNine, at),
      seed(alsoNine, at - 1_000),
      seed(notYet, at + 1),
    ]);
    env.resetCommands();
    const sent: { shard: number; now: number }[] = [];
    const { createPurgerHandler } = await import('#functions/purger.ts');
    const metrics = recordingMetrics();
    const dispatch = createPurgerHandler({
      purges: new DynamoPurgeStore(table),
      work: { send: async (items) => void sent.push(...items) },
      logger: silentLogger(),
      metrics,
    });

    expect(await dispatch({ time: new Date(at).toISOString() })).toEqual({
      now: '2026-05-10T00:00:00.000Z',
      dispatched: 2,
      oldestDueAt: '2026-05-09T23:58:30.000Z',
      lagSeconds: 90,
    });
    expect(sent).toEqual([
      { shard: 3, now: at },
      { shard: 9, now: at },
    ]);
    expect(metrics.count('PurgeLagSeconds')).toBe(90);
    // One small read per shard of the due index, nothing else.
    expect(env.commands.map((c) => c.name)).toEqual(Array(TABLE.dueShards).fill('QueryCommand'));
    noScan();
  });

  it("a worker purges only its own shard's due purges", async () => {
    const account = 'acct-own-shard';
    const mine = idsOnShard(account, 5, 3);
    const others = idsOnShard(account, 6, 2);
    const seeded = await Promise.all(
      [...mine, ...others].map((instanceId) =>
        seedUnsubscribedInstance(table, {
          accountId: account,
          instanceId,
          unsubscribedAt: '2026-05-01T00:00:00.000Z',
        }),
      ),
    );

    await worker()(5, '2026-05-09T00:00:00.000Z');

    const statuses = await Promise.all(seeded.map(async (i) => (await instanceOf(i)).status));
    expect(statuses).toEqual(['RELEASED', 'RELEASED', 'RELEASED', 'UNSUBSCRIBED', 'UNSUBSCRIBED']);
    noScan();
  });
});

describe('purger: parallel workers', () => {
  it('many workers and an overlapping dispatch purge each kind once and delete each data item once', {
    timeout: 240_000,
  }, async () => {
    const seeded = await Promise.all(
      Array.from({ length: 80 }, () =>
        seedUnsubscribedInstance(table, { unsubscribedAt: '2026-06-01T00:00:00.000Z' }),
      ),
    );
    const data = new CountingDataStore();
    const at = '2026-06-08T00:00:00.000Z';

    // Two dispatches of the same minute, each drained by 6 workers: every shard has two workers at once.
    const [first, second] = await Promise.all([
      purger({ data, workers: 6 })(at),
      purger({ data, workers: 6 })(at),
    ]);

    expect(first.dispatch.dispatched).toBeGreaterThan(6);
    expect(first.purged + second.purged + first.completed + second.completed).toBe(160);
    expect(first.released + second.released).toBe(80);
    expect(first.failed + second.failed).toBe(0);
    for (const instance of seeded) {
      const after = await instanceOf(instance);
      expect(after.status).toBe('RELEASED');
      expect(after.version).toBe(instance.version + 2);
      expect(await retentionItems(table, instance.accountId, instance.instanceId)).toEqual({
        data: { CONFIG: false, LOG: false },
        purge: { CONFIG: undefined, LOG: undefined },
      });
    }
    expect(data.removed.size).toBe(160);
    expect([...data.removed.values()].every((n) => n === 1)).toBe(true);
    // Every worker took work items; nothing is left on any shard.
    expect(first.perWorker.every((n) => n > 0)).toBe(true);
    const purges = new DynamoPurgeStore(table);
    for (let shard = 0; shard < TABLE.dueShards; shard++) {
      expect(await purges.oldestDue(Date.parse(at), shard)).toBeNull();
    }
    noScan();
  });

  it('restores racing many workers: every kind ends PURGED without its data or RESTORED with it', {
    timeout: 180_000,
  }, async () => {
    const seeded = await Promise.all(
      Array.from({ length: 40 }, () =>
        seedUnsubscribedInstance(table, { unsubscribedAt: '2026-03-01T00:00:00.000Z' }),
      ),
    );
    const at = '2026-03-08T00:00:00.000Z';

    let dispatched: () => void = () => undefined;
    const workersStart = new Promise<void>((resolve) => {
      dispatched = resolve;
    });
    const [, ...restores] = await Promise.allSettled([
      purger({ workers: 8, inFlight: 4, onDispatched: () => dispatched() })(at),
      // Spread the renewals over the workers' run so some land before, during and after each purge.
      ...seeded.map(async (instance, i) => {
        await workersStart;
        await new Promise((resolve) => setTimeout(resolve, i * 25));
        return renew(instance, at, `race-${instance.instanceId}`);
      }),
    ]);
    await purger({ workers: 8 })(at);

    const outcomes = new Set<string>();
    for (const [i, instance] of seeded.entries()) {
      const after = await instanceOf(instance);
      const items = await retentionItems(table, instance.accountId, instance.instanceId);
      expect(items.purge).toEqual({ CONFIG: undefined, LOG: undefined });
      for (const [kind, field] of [
        ['CONFIG', 'configData'],
        ['LOG', 'logData'],
      ] as const) {
        const status = after.retention?.[field].status;
        expect(status === 'PURGED' ? !items.data[kind] : status === 'RESTORED' && items.data[kind]).toBe(
          true,
        );
      }
      outcomes.add(
        `${after.status}/${after.retention?.configData.status}/${after.retention?.logData.status}`,
      );
      if (after.status === 'RELEASED') expect(restores[i]?.status).toBe('rejected');
      else expect(after.status).toBe('ACTIVE');
    }
    expect(outcomes.size).toBeGreaterThan(1);
  });
});

describe('purger: throttling', () => {
  it('slows down and makes throttled calls again: everything purged exactly once, nothing failed', {
    timeout: 180_000,
  }, async () => {
    const seeded = await Promise.all(
      Array.from({ length: 40 }, () =>
        seedUnsubscribedInstance(table, { unsubscribedAt: '2026-06-01T00:00:00.000Z' }),
      ),
    );
    const data = new CountingDataStore();
    env.resetCommands();
    // One call in four is refused as over capacity, from the dispatch on.
    env.throttleEvery(4);

    const summary = await purger({ data, workers: 4 })('2026-06-08T00:00:00.000Z');
    env.throttleEvery(null);

    expect(env.throttled()).toBeGreaterThan(20);
    expect(summary.throttled).toBeGreaterThan(0);
    expect(summary).toMatchObject({ failed: 0, remaining: false });
    expect(summary.purged).toBe(80);
    for (const instance of seeded) {
      expect((await instanceOf(instance)).status).toBe('RELEASED');
    }
    expect(data.removed.size).toBe(80);
    expect([...data.removed.values()].every((n) => n === 1)).toBe(true);
  });

  it('a purge throttled past its attempts is left on the index, and the next run finishes it', async () => {
    const seeded = await seedUnsubscribedInstance(table, {
      unsubscribedAt: '2026-10-01T00:00:00.000Z',
      configDataPurgeAt: Date.parse('2026-11-01T00:00:00.000Z'),
    });
    const purges = new DynamoPurgeStore(table);
    const data = new CountingDataStore();
    env.throttleEvery(1);
    // Every call throttled: the run waits and tries again, then gives up without changing anything.
    await expect(
      purgeRetention(
        { purges, data, sleep: async () => {} },
        { now: Date.parse('2026-10-01T16:00:00.000Z') },
      ),
    ).rejects.toMatchObject({ name: 'ThrottledError' });
    env.throttleEvery(null);
    expect((await instanceOf(seeded)).retention?.logData.status).toBe('RETAINED');

    expect(
      await purgeRetention({ purges, data }, { now: Date.parse('2026-10-01T16:00:00.000Z') }),
    ).toMatchObject({ purged: 1, failed: 0, remaining: false });
    expect(data.removed.size).toBe(1);
  });
});

describe('purger: runs', () => {
  it('a bounded run handles the earliest due first and leaves the rest for the next run', async () => {
    const base = Date.parse('2026-07-01T00:00:00.000Z');
    const seeded = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        seedUnsubscribedInstance(table, {
          unsubscribedAt: '2026-06-30T00:00:00.000Z',
          logDataPurgeAt: base + i * 1000,
          configDataPurgeAt: base + 30 * 86_400_000,
        }),
      ),
    );
    // Every shard at once (the use case without a shard merges them by due time).
    const purges = new DynamoPurgeStore(table, { pageSize: 5 });
    const data = new DynamoRetainedDataStore(table);
    const at = base + 60_000;
    const run = () => purgeRetention({ purges, data }, { now: at, maxItems: 4 });
    const purgedIds = async () =>
      (await Promise.all(seeded.map(instanceOf)))
        .map((instance, i) => (instance.retention?.logData.status === 'PURGED' ? i : -1))
        .filter((i) => i >= 0);

    expect(await run()).toMatchObject({ purged: 4, remaining: true, stoppedBy: 'MAX_ITEMS' });
    expect(await purgedIds()).toEqual([0, 1, 2, 3]);
    expect(await run()).toMatchObject({ purged: 4, remaining: true, stoppedBy: 'MAX_ITEMS' });
    expect(await purgedIds()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(await run()).toMatchObject({ purged: 2, remaining: false, stoppedBy: 'DONE' });
    expect(await purgedIds()).toHaveLength(10);
    noScan();
  });

  it('a worker stops when its time budget is spent; the next work item of the shard goes on', async () => {
    const account = 'acct-budget';
    const seeded = await Promise.all(
      idsOnShard(account, 12, 12).map((instanceId) =>
        seedUnsubscribedInstance(table, {
          accountId: account,
          instanceId,
          unsubscribedAt: '2026-08-01T00:00:00.000Z',
          configDataPurgeAt: Date.parse('2026-09-01T00:00:00.000Z'),
        }),
      ),
    );
    let remainingMs = 300_000;
    const context = {
      ...lambdaContext('purge-worker', 300_000, 'us-east-1'),
      getRemainingTimeInMillis: () => remainingMs,
    };
    const purgedCount = async () =>
      (await Promise.all(seeded.map(instanceOf))).filter((i) => i.retention?.logData.status === 'PURGED')
        .length;
    const run = worker();

    const first = run(12, '2026-08-01T16:00:00.000Z', context);
    remainingMs = 100; // once the first purge has started, the invocation is nearly out of time
    expect(await first).toEqual({ batchItemFailures: [] });
    const afterFirst = await purgedCount();
    expect(afterFirst).toBeGreaterThan(0);
    expect(afterFirst).toBeLessThan(12);

    remainingMs = 300_000;
    await run(12, '2026-08-01T16:01:00.000Z', context);
    expect(await purgedCount()).toBe(12);
  });

  it('two overlapping dispatches purge each kind once and delete each data item once', async () => {
    const seeded = await Promise.all(
      Array.from({ length: 25 }, () =>
        seedUnsubscribedInstance(table, { unsubscribedAt: '2026-06-01T00:00:00.000Z' }),
      ),
    );
    const data = new CountingDataStore();
    const [a, b] = [purger({ data }), purger({ data })];

    const at = '2026-06-08T00:00:00.000Z';
    const [first, second] = await Promise.all([a(at), b(at)]);

    expect(first.purged + second.purged).toBe(50);
    expect(first.released + second.released).toBe(25);
    for (const instance of seeded) {
      const after = await instanceOf(instance);
      expect(after.status).toBe('RELEASED');
      expect(after.version).toBe(instance.version + 2);
    }
    expect(data.removed.size).toBe(50);
    expect([...data.removed.values()].every((n) => n === 1)).toBe(true);
    noScan();
  });

  it('a crash between recording a purge and deleting the data is finished by the next run', async () => {
    const seeded = await seedUnsubscribedInstance(table, {
      unsubscribedAt: '2026-10-01T00:00:00.000Z',
      configDataPurgeAt: Date.parse('2026-11-01T00:00:00.000Z'),
    });
    const data = new CountingDataStore();
    data.failures = 1;
    const run = purger({ data });
    const at = '2026-10-01T16:00:00.000Z';

    expect(await run(at)).toMatchObject({ purged: 0, failed: 1, remaining: true });
    // Recorded on the instance (a restore can no longer take it back), the data not yet deleted,
    // the work still on the index.
    expect((await instanceOf(seeded)).retention?.logData).toMatchObject({
      status: 'PURGED',
      purgedAt: Date.parse(at),
    });
    let items = await retentionItems(table, seeded.accountId, seeded.instanceId);
    expect(items.data.LOG).toBe(true);
    expect(items.purge.LOG).toMatchObject({ purgeAt: seeded.retention?.logData.purgeAt });

    // An overlapping run within the lease leaves it to the run that recorded it.
    expect(await run('2026-10-01T16:05:00.000Z')).toMatchObject({
      purged: 0,
      inProgress: 1,
      remaining: true,
    });
    expect((await retentionItems(table, seeded.accountId, seeded.instanceId)).data.LOG).toBe(true);
    // After the lease the recording run has certainly stopped: this run finishes it.
    expect(await run('2026-10-01T16:15:00.000Z')).toMatchObject({
      purged: 0,
      completed: 1,
      remaining: false,
    });
    items = await retentionItems(table, seeded.accountId, seeded.instanceId);
    expect(items.data.LOG).toBe(false);
    expect(items.purge.LOG).toBeUndefined();
    // The purge keeps the time it was recorded at.
    expect((await instanceOf(seeded)).retention?.logData.purgedAt).toBe(Date.parse(at));
  });

  it('a purge recorded before a crash is finished after the lease even if a renewal restored the instance meanwhile', async () => {
    const seeded = await seedUnsubscribedInstance(table, { unsubscribedAt: '2026-04-10T15:30:00.000Z' });
    const data = new CountingDataStore();
    data.failures = 1;
    const logAt = '2026-04-10T16:00:00.000Z';
    expect(await purger({ data })(logAt)).toMatchObject({ purged: 0, failed: 1 });

    // The renewal restores what is not purged (configuration data) and leaves the log data PURGED.
    await renew(seeded, '2026-04-11T00:00:00.000Z', `r-${seeded.instanceId}`);
    let after = await instanceOf(seeded);
    expect(after.status).toBe('ACTIVE');
    expect(after.retention?.logData).toMatchObject({ status: 'PURGED', purgedAt: Date.parse(logAt) });
    expect(after.retention?.configData.status).toBe('RESTORED');
    expect((await retentionItems(table, seeded.accountId, seeded.instanceId)).purge.CONFIG).toBeUndefined();

    // The log data's purge is still owed: the next run after the lease deletes it, and only it.
    expect(await purger({ data })('2026-04-11T00:10:00.000Z')).toMatchObject({ completed: 1, purged: 0 });
    const items = await retentionItems(table, seeded.accountId, seeded.instanceId);
    expect(items).toEqual({
      data: { CONFIG: true, LOG: false },
      purge: { CONFIG: undefined, LOG: undefined },
    });
    after = await instanceOf(seeded);
    expect(after.status).toBe('ACTIVE');
    expect(after.retention?.logData.purgedAt).toBe(Date.parse(logAt));
  });

  it('discards a stale purge item of an instance that no longer holds that data', async () => {
    const seeded = await seedUnsubscribedInstance(table, {
      unsubscribedAt: '2026-09-10T00:00:00.000Z',
      configDataPurgeAt: Date.parse('2026-12-01T00:00:00.000Z'),
    });
    const retention = seeded.retention as Retention;
    await new DynamoInstanceStore(table).put({
      ...seeded,
      status: 'ACTIVE',
      restoredAt: Date.parse('2026-09-10T08:00:00.000Z'),
      retention: {
        configData: { ...retention.configData, status: 'RESTORED' },
        logData: { ...retention.logData, status: 'RESTORED' },
      },
    });

    expect(await purger()('2026-09-10T16:00:00.000Z')).toMatchObject({ purged: 0, discarded: 1 });
    const items = await retentionItems(table, seeded.accountId, seeded.instanceId);
    expect(items.purge.LOG).toBeUndefined();
    expect(items.data).toEqual({ CONFIG: true, LOG: true });
  });
});

describe('purger: restore by renewal (SPEC 3.5)', () => {
  it('before both deadlines: everything is RESTORED and the purger later deletes nothing', async () => {
    const seeded = await seedUnsubscribedInstance(table, { unsubscribedAt: '2026-04-10T15:30:00.000Z' });
    await renew(seeded, '2026-04-10T15:59:59.999Z', `r-${seeded.instanceId}`);

    expect(await purger()('2026-04-20T00:00:00.000Z')).toMatchObject({ purged: 0 });
    const instance = await instanceOf(seeded);
    expect(instance.status).toBe('ACTIVE');
    expect(instance.retention).toMatchObject({
      logData: { status: 'RESTORED' },
      configData: { status: 'RESTORED' },
    });
    expect((await retentionItems(table, seeded.accountId, seeded.instanceId)).data).toEqual({
      CONFIG: true,
      LOG: true,
    });
  });

  it('between the deadlines: log data stays PURGED, configuration data is RESTORED and kept', async () => {
    const seeded = await seedUnsubscribedInstance(table, { unsubscribedAt: '2026-04-10T15:30:00.000Z' });
    expect(await purger()('2026-04-10T16:00:00.000Z')).toMatchObject({ purged: 1 });
    await renew(seeded, '2026-04-12T00:00:00.000Z', `r-${seeded.instanceId}`);

    expect(await purger()('2026-04-20T00:00:00.000Z')).toMatchObject({ purged: 0 });
    const instance = await instanceOf(seeded);
    expect(instance.status).toBe('ACTIVE');
    expect(instance.retention?.logData).toMatchObject({
      status: 'PURGED',
      purgedAt: Date.parse('2026-04-10T16:00:00.000Z'),
    });
    expect(instance.retention?.configData.status).toBe('RESTORED');
    expect((await retentionItems(table, seeded.accountId, seeded.instanceId)).data).toEqual({
      CONFIG: true,
      LOG: false,
    });
  });

  it('after both deadlines and the purge: RELEASED, and a renewal is INSTANCE_RELEASED', async () => {
    const seeded = await seedUnsubscribedInstance(table, { unsubscribedAt: '2026-04-10T15:30:00.000Z' });
    await purger()('2026-04-17T15:30:00.000Z');

    await expect(renew(seeded, '2026-04-18T00:00:00.000Z', `r-${seeded.instanceId}`)).rejects.toMatchObject({
      code: 'INSTANCE_RELEASED',
    });
    expect((await instanceOf(seeded)).status).toBe('RELEASED');
  });
});
