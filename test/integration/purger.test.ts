/**
 * The retention purger on DynamoDB Local with the real handler: exact deadlines, overlapping
 * runs, bounded runs, restores racing purges, a crash between recording and deleting — and no
 * Scan on any of these paths.
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TableRef } from '#adapters/dynamo/client.ts';
import { DynamoInstanceStore } from '#adapters/dynamo/instances.ts';
import { keys } from '#adapters/dynamo/keys.ts';
import { DynamoPurgeStore } from '#adapters/dynamo/purges.ts';
import { DynamoRetainedDataStore } from '#adapters/dynamo/retained-data.ts';
import { lambdaContext } from '#infra/local/lambda-events.ts';
import type { RetainedDataRef, RetainedDataStore } from '#ports/retained-data.ts';
import type { InstanceRecord, Retention } from '#shared/model.ts';
import { type SettlementEnv, settlementEnv, silentLogger } from '#test/support/settlement-env.ts';
import { readInstance, retentionItems, seedUnsubscribedInstance } from '#test/support/settlement-fixtures.ts';
import { ingestOrder } from '#use-cases/ingest-order.ts';

let env: SettlementEnv;
/** Each test gets its own table: due work of one test must never be due work of another. */
let table: TableRef;
let createPurgerHandler: typeof import('#functions/purger.ts').createPurgerHandler;

beforeAll(async () => {
  env = await settlementEnv({ prefix: 'purger' });
  ({ createPurgerHandler } = await import('#functions/purger.ts'));
});
afterAll(() => env.close());
beforeEach(async () => {
  table = await env.newTable();
  env.resetCommands();
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
    const result = await table.doc.send(
      new DeleteCommand({
        TableName: table.tableName,
        Key: keys.retainedData(ref.accountId, ref.instanceId, ref.kind),
        ReturnValues: 'ALL_OLD',
      }),
    );
    if (result.Attributes) {
      const id = `${ref.accountId}/${ref.instanceId}/${ref.kind}`;
      this.removed.set(id, (this.removed.get(id) ?? 0) + 1);
    }
  }
}

function purger(options: { maxItems?: number; data?: RetainedDataStore } = {}) {
  const handler = createPurgerHandler({
    purges: new DynamoPurgeStore(table, { pageSize: 5 }),
    data: options.data ?? new DynamoRetainedDataStore(table),
    logger: silentLogger(),
    ...(options.maxItems !== undefined ? { maxItems: options.maxItems } : {}),
  });
  return (time: string | number, context: Context = lambdaContext('purger', 60_000, 'us-east-1')) =>
    handler({ time: typeof time === 'number' ? new Date(time).toISOString() : time }, context);
}

const noScan = () => {
  expect(env.commands.filter((c) => c.name === 'ScanCommand')).toEqual([]);
  const queries = env.commands.filter((c) => c.name === 'QueryCommand');
  expect(queries.length).toBeGreaterThan(0);
  for (const query of queries) expect(query.input.IndexName).toBe('due');
};

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

describe('purger: runs', () => {
  it('two overlapping runs purge each kind once and delete each data item once', async () => {
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
      expect(await retentionItems(table, instance.accountId, instance.instanceId)).toEqual({
        data: { CONFIG: false, LOG: false },
        purge: { CONFIG: undefined, LOG: undefined },
      });
    }
    expect(data.removed.size).toBe(50);
    expect([...data.removed.values()].every((n) => n === 1)).toBe(true);
    noScan();
  });

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
    const run = purger({ maxItems: 4 });
    const at = base + 60_000;
    const purgedIds = async () =>
      (await Promise.all(seeded.map(instanceOf)))
        .map((instance, i) => (instance.retention?.logData.status === 'PURGED' ? i : -1))
        .filter((i) => i >= 0);

    expect(await run(at)).toMatchObject({ purged: 4, remaining: true, stoppedBy: 'MAX_ITEMS' });
    expect(await purgedIds()).toEqual([0, 1, 2, 3]);
    expect(await run(at)).toMatchObject({ purged: 4, remaining: true, stoppedBy: 'MAX_ITEMS' });
    expect(await purgedIds()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(await run(at)).toMatchObject({ purged: 2, remaining: false, stoppedBy: 'DONE' });
    expect(await purgedIds()).toHaveLength(10);
    noScan();
  });

  it('stops when the time budget is spent and leaves the rest', async () => {
    await Promise.all(
      Array.from({ length: 12 }, () =>
        seedUnsubscribedInstance(table, {
          unsubscribedAt: '2026-08-01T00:00:00.000Z',
          configDataPurgeAt: Date.parse('2026-09-01T00:00:00.000Z'),
        }),
      ),
    );
    let remainingMs = 60_000;
    const context = {
      ...lambdaContext('purger', 60_000, 'us-east-1'),
      getRemainingTimeInMillis: () => remainingMs,
    };
    const run = purger();
    const handler = async () => {
      const summary = run('2026-08-01T16:00:00.000Z', context);
      remainingMs = 100; // after the first batch, the invocation is nearly out of time
      return summary;
    };

    const first = await handler();
    expect(first).toMatchObject({ stoppedBy: 'TIME_BUDGET', remaining: true });
    expect(first.purged).toBeGreaterThan(0);
    expect(first.purged).toBeLessThan(12);
    remainingMs = 60_000;
    const second = await run('2026-08-01T16:00:00.000Z', context);
    expect(first.purged + second.purged).toBe(12);
    expect(second).toMatchObject({ remaining: false, stoppedBy: 'DONE' });
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
    // Recorded (a restore can no longer take it back), the data not yet deleted, the work still on the index.
    expect((await instanceOf(seeded)).retention?.logData).toMatchObject({
      status: 'PURGED',
      purgedAt: Date.parse(at),
    });
    let items = await retentionItems(table, seeded.accountId, seeded.instanceId);
    expect(items.data.LOG).toBe(true);
    expect(items.purge.LOG).toMatchObject({ purgedAt: Date.parse(at) });

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

  it('restores racing purges: every kind ends PURGED without its data or RESTORED with it', async () => {
    const seeded = await Promise.all(
      Array.from({ length: 20 }, () =>
        seedUnsubscribedInstance(table, { unsubscribedAt: '2026-03-01T00:00:00.000Z' }),
      ),
    );
    const at = '2026-03-08T00:00:00.000Z';

    const [, ...restores] = await Promise.allSettled([
      purger()(at),
      // Spread the renewals over the run so some land before, during and after each purge.
      ...seeded.map(async (instance, i) => {
        await new Promise((resolve) => setTimeout(resolve, i * 40));
        return renew(instance, at, `race-${instance.instanceId}`);
      }),
    ]);
    await purger()(at);

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
      const restore = restores[i];
      if (after.status === 'RELEASED') expect(restore?.status).toBe('rejected');
      else expect(after.status).toBe('ACTIVE');
    }
    // The race really happened both ways (not all restores first, not all purges first).
    expect(outcomes.size).toBeGreaterThan(1);
  });
});
