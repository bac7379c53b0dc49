/**
 * A small capacity model of the cloud, for the two bursts the service must absorb:
 *
 * - **Purge** (`purgeModel`): `due` purges due at one instant, drained as the stack does it.
 *   A dispatch every `intervalS` sends one work item per shard with work to a FIFO queue (one
 *   message group per shard); up to `maxWorkers` workers each take one shard's item and drain
 *   it with `inFlight` purges in flight, until the shard is empty or their time budget is
 *   spent. A worker's rate is the least of: its latency bound (`inFlight` purges, each a
 *   chain of dependent calls, plus a Query per page), its CPU, and the write limit of its
 *   shard's index partition; all workers together are bounded by the table's throughput, the
 *   CPU they share (when they share one, as in the local benchmark) and the partition of the
 *   largest account. Stepped in time (`stepS`); each purge's lateness is its completion time
 *   (its deadline is 0).
 * - **Settlement** (`settlementModel`): unsubscriptions arriving evenly over a window, each
 *   an order of some lines, settled by up to `concurrency` processor invocations of `batchSize`
 *   orders processed in parallel, each line one provider call then one transaction, and all
 *   provider calls bounded by its rate limit.
 *
 * Every input is a number with a unit in its name; `PURGE_CLOUD` and `SETTLEMENT_CLOUD` are the
 * assumptions for AWS (docs/performance.md says where each comes from). Pure functions, no
 * I/O; `npx node bench/capacity-model.ts` prints the report for 1,000,000 purges and for
 * 100,000 unsubscriptions in an hour. `bench/purge.ts` checks the purge model against the
 * local measurements.
 */

export interface PurgeModelInput {
  /** Purges due at the same instant (t = 0). */
  due: number;
  /** Shards of the due index (each a message group: one worker at a time). */
  shards: number;
  /** Most concurrent workers (the event source's maximum concurrency). */
  maxWorkers: number;
  /** Purges one worker keeps in flight. */
  inFlight: number;
  /** Due purges per Query page. */
  pageSize: number;
  /** Latency of each DynamoDB call a purge waits for, ms (`record`: the instance's conditional write). */
  latencyMs: { query: number; getItem: number; record: number; deleteItem: number };
  /** CPU one purge costs a worker, ms on one vCPU (0: not a limit). */
  cpuMsPerPurge: number;
  /** vCPUs of one worker (Lambda: memory ÷ 1,769 MB). */
  vcpuPerWorker: number;
  /** vCPUs all workers share, when they share (one process, as the local benchmark); null in the cloud. */
  sharedVcpu: number | null;
  /** Request units one purge consumes. */
  units: {
    /** On the table and all its indexes. */
    write: number;
    read: number;
    /** On its shard's partition of the due index. */
    dueIndexWrite: number;
    /** On its account's partition of the table. */
    accountPartitionWrite: number;
  };
  /** Size of one entry of the due index (what a Query page reads per purge), bytes. */
  dueIndexEntryBytes: number;
  /** What the table can give the purge, units per second (on-demand: the table quota, or its warm throughput). */
  table: { writeUnitsPerSecond: number; readUnitsPerSecond: number };
  /** The most one partition takes, units per second. */
  partition: { writeUnitsPerSecond: number; readUnitsPerSecond: number };
  /** Share (0–1) of the due purges that belong to one account, whose items share one table partition. */
  largestAccountShare: number;
  dispatch: {
    /** Between two dispatches. */
    intervalS: number;
    /** From the deadline to the first dispatch that sees it (up to one interval). */
    firstDelayS: number;
    /** From a dispatch to its work items running (queue, poll, cold start). */
    startupS: number;
  };
  /** A worker's time budget per work item (timeout × (1 − reserve)), or null for none. */
  workerBudgetS: number | null;
  /** Simulation step (default 0.25 s). */
  stepS?: number;
}

export type PurgeLimit =
  | 'latency'
  | 'worker CPU'
  | 'due index partition'
  | 'shared CPU'
  | 'table writes'
  | 'table reads'
  | 'account partition';

export interface PurgeModelResult {
  /** A worker's rate alone: the least of its latency, CPU and index partition bounds, purges/s. */
  workerRate: number;
  workerLimit: PurgeLimit;
  /** All workers at the peak, purges/s, and what bounds it. */
  peakRate: number;
  peakLimit: PurgeLimit;
  peakWorkers: number;
  /** From the deadline until the last purge is done, s. */
  drainS: number;
  /** Lateness of the purges (completion time after the deadline), s. */
  lateness: { p50: number; p90: number; p99: number; max: number };
  /** Peak consumption, units per second. */
  peakUnits: {
    tableWrite: number;
    tableRead: number;
    /** On one shard's partition of the due index. */
    dueIndexPartitionWrite: number;
    /** Reads (Query pages) on one shard's partition of the due index. */
    dueIndexPartitionRead: number;
    largestAccountPartitionWrite: number;
  };
  /** Work items started (one per shard per dispatch it still had work). */
  workItems: number;
}

/** One worker's rate alone, purges/s, and what bounds it. */
export function workerRate(input: PurgeModelInput): { rate: number; limit: PurgeLimit } {
  const { latencyMs: l, inFlight, pageSize } = input;
  const chainMs = l.getItem + l.record + 2 * l.deleteItem;
  // A page of `pageSize` purges takes pageSize × chain ÷ inFlight, plus the Query that fetched it.
  const byLatency = (1000 * pageSize) / ((pageSize * chainMs) / inFlight + l.query);
  const byCpu = input.cpuMsPerPurge > 0 ? (1000 * input.vcpuPerWorker) / input.cpuMsPerPurge : Infinity;
  const byPartition = input.partition.writeUnitsPerSecond / input.units.dueIndexWrite;
  const bounds: [number, PurgeLimit][] = [
    [byLatency, 'latency'],
    [byCpu, 'worker CPU'],
    [byPartition, 'due index partition'],
  ];
  const [rate, limit] = bounds.reduce((min, b) => (b[0] < min[0] ? b : min));
  return { rate, limit };
}

/** The total rate `workers` workers may reach together, and what bounds it. */
function aggregateCap(
  input: PurgeModelInput,
  workers: number,
  rate: number,
): { cap: number; limit: PurgeLimit | null } {
  const { units } = input;
  const bounds: [number, PurgeLimit][] = [
    [input.table.writeUnitsPerSecond / units.write, 'table writes'],
    [input.table.readUnitsPerSecond / units.read, 'table reads'],
    [
      input.largestAccountShare > 0
        ? input.partition.writeUnitsPerSecond / (units.accountPartitionWrite * input.largestAccountShare)
        : Infinity,
      'account partition',
    ],
  ];
  if (input.sharedVcpu !== null && input.cpuMsPerPurge > 0) {
    bounds.push([(1000 * input.sharedVcpu) / input.cpuMsPerPurge, 'shared CPU']);
  }
  const [cap, limit] = bounds.reduce((min, b) => (b[0] < min[0] ? b : min));
  return workers * rate <= cap ? { cap: workers * rate, limit: null } : { cap, limit };
}

/** The `p`-th percentile (0–100) of a histogram of completion times. */
function histogramPercentile(times: readonly number[], counts: readonly number[], total: number, p: number) {
  const rank = Math.ceil((p / 100) * total);
  let seen = 0;
  for (let i = 0; i < times.length; i++) {
    seen += counts[i] ?? 0;
    if (seen >= rank) return times[i] ?? 0;
  }
  return times[times.length - 1] ?? 0;
}

interface Message {
  shard: number;
  availableAt: number;
}

export function purgeModel(input: PurgeModelInput): PurgeModelResult {
  const step = input.stepS ?? 0.25;
  const { rate: alone, limit: workerLimit } = workerRate(input);
  // Purges per shard: the shard of a purge is a hash, so the due set splits evenly.
  const left = Array.from(
    { length: input.shards },
    (_, s) => Math.floor(input.due / input.shards) + (s < input.due % input.shards ? 1 : 0),
  );
  let remaining = input.due;
  const queues: Message[][] = Array.from({ length: input.shards }, () => []);
  const running = new Map<number, { until: number }>();
  const times: number[] = [];
  const counts: number[] = [];
  let nextDispatch = input.dispatch.firstDelayS;
  let peak = { rate: 0, limit: workerLimit as PurgeLimit, workers: 0 };
  let workItems = 0;
  let t = 0;
  const guard = 1e7;
  for (let n = 0; remaining > 0; n++) {
    if (n > guard) throw new Error('the purge model did not converge');
    if (t >= nextDispatch - 1e-9) {
      for (let s = 0; s < input.shards; s++) {
        if ((left[s] ?? 0) > 0) queues[s]?.push({ shard: s, availableAt: t + input.dispatch.startupS });
      }
      nextDispatch += input.dispatch.intervalS;
    }
    // Free workers take the oldest available item of a shard no worker holds (FIFO groups).
    for (let s = 0; s < input.shards && running.size < input.maxWorkers; s++) {
      if (running.has(s)) continue;
      const queue = queues[s] ?? [];
      const head = queue[0];
      if (!head || head.availableAt > t + 1e-9) continue;
      queue.shift();
      if ((left[s] ?? 0) === 0) continue; // nothing left: the item ends at once
      workItems += 1;
      running.set(s, { until: input.workerBudgetS === null ? Infinity : t + input.workerBudgetS });
    }
    const workers = running.size;
    if (workers > 0) {
      const { cap, limit } = aggregateCap(input, workers, alone);
      const each = cap / workers;
      if (cap > peak.rate + 1e-9) peak = { rate: cap, limit: limit ?? workerLimit, workers };
      let done = 0;
      for (const [s, run] of running) {
        const purged = Math.min(left[s] ?? 0, each * step);
        left[s] = (left[s] ?? 0) - purged;
        done += purged;
        if ((left[s] ?? 0) <= 1e-9 || t + step >= run.until) {
          left[s] = (left[s] ?? 0) <= 1e-9 ? 0 : (left[s] ?? 0);
          running.delete(s);
        }
      }
      remaining -= done;
      if (done > 0) {
        times.push(t + step);
        counts.push(done);
      }
    }
    if (remaining <= 1e-6) remaining = 0;
    t += step;
  }
  const rate = peak.rate;
  const perShard = peak.workers > 0 ? rate / peak.workers : 0;
  return {
    workerRate: alone,
    workerLimit,
    peakRate: rate,
    peakLimit: peak.limit,
    peakWorkers: peak.workers,
    drainS: times[times.length - 1] ?? 0,
    lateness: {
      p50: histogramPercentile(times, counts, input.due, 50),
      p90: histogramPercentile(times, counts, input.due, 90),
      p99: histogramPercentile(times, counts, input.due, 99),
      max: times[times.length - 1] ?? 0,
    },
    peakUnits: {
      tableWrite: rate * input.units.write,
      tableRead: rate * input.units.read,
      dueIndexPartitionWrite: perShard * input.units.dueIndexWrite,
      // A page of `pageSize` entries, eventually consistent: 0.5 unit per 4 KB read, rounded up per page.
      dueIndexPartitionRead:
        (perShard / input.pageSize) * 0.5 * Math.ceil((input.pageSize * input.dueIndexEntryBytes) / 4096),
      largestAccountPartitionWrite: rate * input.largestAccountShare * input.units.accountPartitionWrite,
    },
    workItems,
  };
}

export interface SettlementModelInput {
  /** Unsubscriptions, arriving evenly over `arrivalS`. */
  orders: number;
  arrivalS: number;
  /** Refund lines per order (each one provider call). */
  linesPerOrder: number;
  /** The provider's rate limit, calls per second. */
  providerCallsPerSecond: number;
  providerLatencyMs: number;
  /** DynamoDB time per line (its settling transaction) and per order (read, complete), ms. */
  dynamoMsPerLine: number;
  dynamoMsPerOrder: number;
  /** Processor invocations at once (ProcessorMaxConcurrency) × orders per batch, processed in parallel. */
  concurrency: number;
  batchSize: number;
  /** The promise: settled within this long of the unsubscription (2 business days: 48 h at the least). */
  promiseS: number;
  stepS?: number;
}

export interface SettlementModelResult {
  /** Orders per second the processors can settle, and what bounds it. */
  serviceRate: number;
  limit: 'processor concurrency' | 'provider rate limit';
  arrivalRate: number;
  /** Most orders waiting in the queue at once. */
  peakBacklog: number;
  /** From the first unsubscription to the last settlement, s. */
  lastSettledS: number;
  /** The longest an order waits from its unsubscription to its settlement, s. */
  maxWaitS: number;
  /** How much of the promise is left for the latest order, s (negative: broken). */
  promiseMarginS: number;
}

export function settlementModel(input: SettlementModelInput): SettlementModelResult {
  const step = input.stepS ?? 1;
  const orderMs =
    input.linesPerOrder * (input.providerLatencyMs + input.dynamoMsPerLine) + input.dynamoMsPerOrder;
  const byConcurrency = (input.concurrency * input.batchSize * 1000) / orderMs;
  const byProvider = input.providerCallsPerSecond / input.linesPerOrder;
  const serviceRate = Math.min(byConcurrency, byProvider);
  const limit = byConcurrency <= byProvider ? 'processor concurrency' : 'provider rate limit';
  const arrivalRate = input.orders / input.arrivalS;
  // FIFO fluid queue: arrivals at arrivalRate until arrivalS, service at serviceRate.
  let arrived = 0;
  let served = 0;
  let peakBacklog = 0;
  let maxWait = 0;
  let t = 0;
  while (served < input.orders - 1e-6) {
    t += step;
    arrived = Math.min(input.orders, arrivalRate * t);
    served = Math.min(arrived, served + serviceRate * step);
    peakBacklog = Math.max(peakBacklog, arrived - served);
    // The order served last in this step arrived when `served` orders had arrived.
    maxWait = Math.max(maxWait, t - served / arrivalRate);
    if (t > 1e9) throw new Error('the settlement model did not converge');
  }
  return {
    serviceRate,
    limit,
    arrivalRate,
    peakBacklog,
    lastSettledS: t,
    maxWaitS: maxWait,
    promiseMarginS: input.promiseS - maxWait,
  };
}

/**
 * The cloud, as assumed (docs/performance.md, "Assumptions" gives each source): DynamoDB
 * single-digit-millisecond calls, per-partition limits of 1,000 WCU/s and 3,000 RCU/s, the
 * on-demand table quota of 40,000 units per second, Lambda at 1,024 MB (≈ 0.58 vCPU), the
 * stack's dispatch every minute and 32 shards. `units` and `cpuMsPerPurge` are filled from
 * the measurements (request units per purge, CPU per purge here).
 */
export const PURGE_CLOUD: Omit<PurgeModelInput, 'due' | 'units' | 'cpuMsPerPurge'> = {
  shards: 32,
  maxWorkers: 16,
  inFlight: 16,
  pageSize: 100,
  dueIndexEntryBytes: 300,
  latencyMs: { query: 10, getItem: 5, record: 8, deleteItem: 6 },
  vcpuPerWorker: 1024 / 1769,
  sharedVcpu: null,
  table: { writeUnitsPerSecond: 40_000, readUnitsPerSecond: 40_000 },
  partition: { writeUnitsPerSecond: 1_000, readUnitsPerSecond: 3_000 },
  largestAccountShare: 0.01,
  dispatch: { intervalS: 60, firstDelayS: 60, startupS: 2 },
  workerBudgetS: 300 * 0.8,
};

/** 100,000 unsubscriptions in an hour against Stripe's live-mode limit and the stack's defaults. */
export const SETTLEMENT_CLOUD: SettlementModelInput = {
  orders: 100_000,
  arrivalS: 3_600,
  linesPerOrder: 1.5,
  providerCallsPerSecond: 100,
  providerLatencyMs: 400,
  dynamoMsPerLine: 15,
  dynamoMsPerOrder: 15,
  concurrency: 5,
  batchSize: 10,
  promiseS: 48 * 3_600,
};

/** The least table write throughput (units/s, to 1,000) that drains `input` within `targetS`, or null if none up to 1,000,000 does. */
export function writeUnitsFor(input: PurgeModelInput, targetS: number): number | null {
  const drains = (wcu: number) =>
    purgeModel({ ...input, table: { ...input.table, writeUnitsPerSecond: wcu } }).drainS <= targetS;
  let low = 0;
  let high = 1_000_000;
  if (!drains(high)) return null;
  while (high - low > 1_000) {
    const mid = Math.floor((low + high) / 2 / 1_000) * 1_000 || 1_000;
    if (mid <= low) break;
    if (drains(mid)) high = mid;
    else low = mid;
  }
  return high;
}

const minutes = (s: number) => `${(s / 60).toFixed(1)} min`;

/** The report `npx node bench/capacity-model.ts` prints, from measured per-purge units and CPU. */
export function report(measured: {
  units: PurgeModelInput['units'];
  cpuMsPerPurge: number;
  latencyMs?: PurgeModelInput['latencyMs'];
}): string {
  const lines: string[] = [];
  const scenarios: [string, Partial<PurgeModelInput>][] = [
    ['1,000,000 due, 32 workers', { maxWorkers: 32 }],
    ['1,000,000 due, 16 workers (the default PurgeWorkerMaxConcurrency)', {}],
    ['1,000,000 due, 8 workers', { maxWorkers: 8 }],
    ['1,000,000 due, 16 workers, one account holds 10%', { largestAccountShare: 0.1 }],
    ...(measured.latencyMs
      ? ([['1,000,000 due, 32 workers, the latencies measured here', { latencyMs: measured.latencyMs }]] as [
          string,
          Partial<PurgeModelInput>,
        ][])
      : []),
    ['a normal day: 5,000 due, 16 workers', { due: 5_000, maxWorkers: 16 }],
  ];
  for (const [name, overrides] of scenarios) {
    const result = purgeModel({
      ...PURGE_CLOUD,
      due: 1_000_000,
      units: measured.units,
      cpuMsPerPurge: measured.cpuMsPerPurge,
      ...overrides,
      stepS: 0.5,
    });
    lines.push(
      `${name}: drained in ${minutes(result.drainS)}; lateness p50 ${minutes(result.lateness.p50)}, ` +
        `p99 ${minutes(result.lateness.p99)}; ${Math.round(result.peakRate)} purges/s (${result.peakLimit}; ` +
        `a worker alone ${Math.round(result.workerRate)}/s, ${result.workerLimit}); peak ` +
        `${Math.round(result.peakUnits.tableWrite)} WCU/s on the table, ` +
        `${Math.round(result.peakUnits.dueIndexPartitionWrite)} WCU/s per due index partition, ` +
        `${Math.round(result.peakUnits.largestAccountPartitionWrite)} WCU/s on the largest account's partition`,
    );
  }
  const needed = writeUnitsFor(
    {
      ...PURGE_CLOUD,
      due: 1_000_000,
      units: measured.units,
      // The table's share only: one worker per shard, not CPU-bound (the scenarios above show the CPU).
      maxWorkers: PURGE_CLOUD.shards,
      cpuMsPerPurge: 0,
      stepS: 1,
    },
    15 * 60,
  );
  lines.push(
    `1,000,000 due within 15 minutes needs ${needed === null ? 'more than 1,000,000' : needed.toLocaleString('en-US')} WCU/s of table write throughput (warm; ${PURGE_CLOUD.shards} workers, the table the only limit)`,
  );
  const settlement = settlementModel(SETTLEMENT_CLOUD);
  lines.push(
    `settlement, 100,000 unsubscriptions in 1 h: ${settlement.serviceRate.toFixed(1)} orders/s (${settlement.limit}) ` +
      `for ${settlement.arrivalRate.toFixed(1)}/s arriving; peak backlog ${Math.round(settlement.peakBacklog)}; ` +
      `last settled after ${minutes(settlement.lastSettledS)}; longest wait ${minutes(settlement.maxWaitS)} ` +
      `(the 2-business-day promise: ${(settlement.promiseMarginS / 3600).toFixed(1)} h to spare)`,
  );
  const slow = settlementModel({ ...SETTLEMENT_CLOUD, providerCallsPerSecond: 10 });
  lines.push(
    `settlement with a provider limited to 10 calls/s: ${slow.serviceRate.toFixed(1)} orders/s; ` +
      `last settled after ${minutes(slow.lastSettledS)}; longest wait ${minutes(slow.maxWaitS)} ` +
      `(${(slow.promiseMarginS / 3600).toFixed(1)} h to spare)`,
  );
  return lines.join('\n');
}

if (import.meta.main) {
  // Per purge (bench/request-units.ts measures them): the instance's conditional write, two
  // deletes, one due-index delete; a consistent read and a share of a Query; CPU from bench/purge.ts.
  process.stdout.write(
    `${report({
      units: { write: 4, read: 1.5, dueIndexWrite: 1, accountPartitionWrite: 3 },
      cpuMsPerPurge: 2,
    })}\n`,
  );
}
