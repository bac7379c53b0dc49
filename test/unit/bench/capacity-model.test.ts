/**
 * The capacity model (bench/capacity-model.ts): each bound binds where it should, the drain
 * and lateness follow from the rate and the dispatch, a worker's time budget splits a shard
 * over several dispatches, and the settlement queue grows only when arrivals outpace service.
 */
import { describe, expect, it } from 'vitest';
import {
  PURGE_CLOUD,
  type PurgeModelInput,
  purgeModel,
  report,
  SETTLEMENT_CLOUD,
  settlementModel,
  workerRate,
} from '../../../bench/capacity-model.ts';

/** A simple world: latency-bound workers (100 ms a purge, 10 in flight: 100 purges/s each), no other limit. */
const base: PurgeModelInput = {
  ...PURGE_CLOUD,
  due: 32_000,
  shards: 32,
  maxWorkers: 32,
  inFlight: 10,
  pageSize: 1_000_000,
  latencyMs: { query: 0, getItem: 25, record: 25, deleteItem: 25 },
  cpuMsPerPurge: 0,
  units: { write: 1, read: 1, dueIndexWrite: 1, accountPartitionWrite: 1 },
  table: { writeUnitsPerSecond: 1e9, readUnitsPerSecond: 1e9 },
  partition: { writeUnitsPerSecond: 1e9, readUnitsPerSecond: 1e9 },
  largestAccountShare: 0,
  dispatch: { intervalS: 60, firstDelayS: 0, startupS: 0 },
  workerBudgetS: null,
  stepS: 0.1,
};

describe('purgeModel', () => {
  it("a worker's rate is in flight ÷ the chain of calls, and the Query per page adds to it", () => {
    expect(workerRate(base)).toEqual({ rate: 100, limit: 'latency' });
    // A page of 100 purges: 100 × 100 ms ÷ 10 + a 1 s Query = 2 s a page → 50/s.
    expect(
      workerRate({ ...base, pageSize: 100, latencyMs: { ...base.latencyMs, query: 1000 } }).rate,
    ).toBeCloseTo(50);
  });

  it('CPU and the index partition bound a worker; the lowest bound is named', () => {
    expect(workerRate({ ...base, cpuMsPerPurge: 20, vcpuPerWorker: 0.5 })).toEqual({
      rate: 25,
      limit: 'worker CPU',
    });
    expect(
      workerRate({
        ...base,
        units: { ...base.units, dueIndexWrite: 2 },
        partition: { ...base.partition, writeUnitsPerSecond: 100 },
      }),
    ).toEqual({ rate: 50, limit: 'due index partition' });
  });

  it('drains at workers × rate: 32 workers at 100/s take 10 s for 32,000', () => {
    const result = purgeModel(base);
    expect(result.peakRate).toBe(3_200);
    expect(result.peakWorkers).toBe(32);
    expect(result.drainS).toBeCloseTo(10, 0);
    expect(result.lateness.p50).toBeCloseTo(5, 0);
    expect(result.lateness.p99).toBeCloseTo(9.9, 0);
    expect(result.workItems).toBe(32);
  });

  it('more workers than shards do not help (one worker per shard); fewer take waves', () => {
    expect(purgeModel({ ...base, maxWorkers: 64 }).drainS).toBeCloseTo(10, 0);
    const eight = purgeModel({ ...base, maxWorkers: 8 });
    expect(eight.peakWorkers).toBe(8);
    expect(eight.drainS).toBeCloseTo(40, 0);
  });

  it('the table, the shared CPU and the largest account bound all workers together', () => {
    const table = purgeModel({
      ...base,
      units: { ...base.units, write: 10 },
      table: { ...base.table, writeUnitsPerSecond: 16_000 },
    });
    expect(table).toMatchObject({ peakRate: 1_600, peakLimit: 'table writes' });
    expect(table.drainS).toBeCloseTo(20, 0);
    expect(table.peakUnits.tableWrite).toBe(16_000);
    const cpu = purgeModel({ ...base, cpuMsPerPurge: 1, sharedVcpu: 1 });
    expect(cpu).toMatchObject({ peakRate: 1_000, peakLimit: 'shared CPU' });
    const account = purgeModel({
      ...base,
      largestAccountShare: 0.5,
      units: { ...base.units, accountPartitionWrite: 4 },
      partition: { ...base.partition, writeUnitsPerSecond: 1_000 },
    });
    // Half the purges on one partition at 4 units each: 250/s for that account, 500/s in all.
    expect(account).toMatchObject({ peakRate: 500, peakLimit: 'account partition' });
    expect(account.peakUnits.largestAccountPartitionWrite).toBe(1_000);
  });

  it('the first dispatch and the start-up delay every purge', () => {
    const late = purgeModel({ ...base, dispatch: { intervalS: 60, firstDelayS: 60, startupS: 2 } });
    expect(late.drainS).toBeCloseTo(72, 0);
    expect(late.lateness.p50).toBeGreaterThan(62);
  });

  it("a worker's time budget leaves the rest of its shard to the next dispatch", () => {
    // 1,000 a shard at 100/s is 10 s; a 4 s budget drains 400, then waits for the next minute's item.
    const budget = purgeModel({ ...base, workerBudgetS: 4 });
    expect(budget.workItems).toBe(3 * 32);
    expect(budget.drainS).toBeGreaterThan(120);
    expect(budget.drainS).toBeLessThan(123);
  });

  it('reports peak units per due index partition from the rate per shard', () => {
    const result = purgeModel({
      ...base,
      units: { ...base.units, dueIndexWrite: 2 },
      pageSize: 100,
      dueIndexEntryBytes: 300,
    });
    const perShard = result.peakRate / 32;
    expect(result.peakUnits.dueIndexPartitionWrite).toBeCloseTo(perShard * 2);
    // 100 entries of 300 bytes = 8 × 4 KB, eventually consistent: 4 units a page.
    expect(result.peakUnits.dueIndexPartitionRead).toBeCloseTo((perShard / 100) * 4);
  });
});

describe('settlementModel', () => {
  it('keeps up when the processors outpace arrivals: no backlog, the last settles with the last arrival', () => {
    const result = settlementModel(SETTLEMENT_CLOUD);
    expect(result.limit).toBe('provider rate limit');
    expect(result.serviceRate).toBeCloseTo(100 / 1.5);
    expect(result.peakBacklog).toBeLessThan(1);
    expect(result.lastSettledS).toBeCloseTo(3_600, -1);
    expect(result.promiseMarginS).toBeGreaterThan(47 * 3_600);
  });

  it('queues when arrivals outpace the provider: backlog and waits grow, within the promise here', () => {
    // 10 calls/s, 1.5 lines an order: 6.67 orders/s for 27.8/s arriving.
    const result = settlementModel({ ...SETTLEMENT_CLOUD, providerCallsPerSecond: 10 });
    expect(result.serviceRate).toBeCloseTo(10 / 1.5);
    expect(result.lastSettledS).toBeCloseTo(100_000 / (10 / 1.5), -2);
    expect(result.peakBacklog).toBeCloseTo(100_000 - 3_600 * (10 / 1.5), -2);
    expect(result.maxWaitS).toBeCloseTo(result.lastSettledS - 3_600, -2);
    expect(result.promiseMarginS).toBeGreaterThan(0);
  });

  it('is bounded by the processors when their concurrency is the scarcer resource, and can break the promise', () => {
    const result = settlementModel({
      ...SETTLEMENT_CLOUD,
      concurrency: 1,
      batchSize: 1,
      providerLatencyMs: 10_000,
      orders: 100_000,
    });
    expect(result.limit).toBe('processor concurrency');
    expect(result.promiseMarginS).toBeLessThan(0);
  });
});

describe('report', () => {
  it('names 1,000,000 purges and the settlement burst, with finite figures', () => {
    const text = report({
      units: { write: 10, read: 1, dueIndexWrite: 2, accountPartitionWrite: 8 },
      cpuMsPerPurge: 2,
    });
    expect(text).toContain('1,000,000 due');
    expect(text).toContain('100,000 unsubscriptions');
    expect(text).not.toMatch(/NaN|Infinity/);
  });
});
