/**
 * `npm run bench [-- --quick] [-- --json <path>]`: the performance budget in one table.
 * Every figure stands next to the baseline it is measured against in the same run (this
 * machine is shared and noisy: ratios hold, absolute times do not), with the ratio, the
 * target and PASS/MISS. The same rows go to `.bench/results.json` (or `--json <path>`),
 * with the details behind them.
 *
 * Order matters a little: bundles and cold starts first (child processes, this process
 * idle), then the policy (pure CPU), then everything that needs the emulators.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { FUNCTIONS, type ServiceFunctionName } from '#infra/cdk/functions.ts';
import { benchApi } from './api.ts';
import { benchBacktest } from './backtest.ts';
import { type BundleFigure, buildBundles, bundleFigures } from './bundles.ts';
import {
  PURGE_CLOUD,
  type PurgeModelInput,
  purgeModel,
  SETTLEMENT_CLOUD,
  settlementModel,
  writeUnitsFor,
} from './capacity-model.ts';
import { benchColdInit, type ColdInitFigure, measureColdInit } from './cold-init.ts';
import { benchConsole, CONSOLE_INTERACTIVE_BUDGET_MS, CONSOLE_JS_GZIP_BUDGET_BYTES } from './console.ts';
import { benchPaperwork } from './paperwork.ts';
import { benchPolicy } from './policy.ts';
import { benchPurge } from './purge.ts';
import { benchRequestUnits } from './request-units.ts';
import { benchSettlement } from './settlement.ts';
import { STRIPE_ESBUILD_OPTIONS } from './support/cdk-bundle.ts';
import { kib, ms, ratio } from './support/stats.ts';

/** Settlement: the processor may cost at most this much more than the raw datastore operations. */
export const SETTLEMENT_RATIO_TARGET = 1.5;
/** Purge: N× the due instances may take at most 1.1 × N the time (10× work ≤ 11× time). */
export const PURGE_GROWTH_SLACK = 1.1;

export type Verdict = 'PASS' | 'MISS' | 'INFO';

export interface Row {
  /** Stable key, e.g. `bundle.quote`, `api.unsubscribe.p50`. */
  id: string;
  group:
    | 'bundle'
    | 'cold-init'
    | 'console'
    | 'api'
    | 'settlement'
    | 'paperwork'
    | 'purge'
    | 'units'
    | 'model'
    | 'policy';
  figure: string;
  measured: number;
  /** The same-run baseline, in the same unit; null when the target is absolute. */
  baseline: number | null;
  unit: 'bytes' | 'ms' | 'per-second' | 'count' | 'ratio';
  /** What the baseline is. */
  baselineLabel: string;
  /** measured / baseline (null without a baseline). */
  ratio: number | null;
  /** The target, on `ratio` when there is a baseline, else on `measured`; null for a figure shown for information. */
  target: { op: '<=' | '>=' | '='; value: number } | null;
  verdict: Verdict;
}

export interface BenchResult {
  quick: boolean;
  startedAt: string;
  durationMs: number;
  machine: { node: string; cpus: number; cpuModel: string; platform: string };
  rows: Row[];
  details: Record<string, unknown>;
}

/** The stack's two bundling aliases every function has (infra/cdk/functions.ts, COMMON_ALIASES). */
const ALIASES_LABEL = 'node:http and credentials aliases';

function bundleRow(f: BundleFigure, idSuffix: string, label: string): Row {
  return row({
    id: `bundle.${f.function}${idSuffix}`,
    group: 'bundle',
    figure: `bundle ${f.function} ${label}`.replace(' ,', ','),
    measured: f.bytes,
    baseline: f.bareBytes,
    unit: 'bytes',
    baselineLabel: `bare ${f.clients} clients`,
    target: { op: '<=', value: f.target },
  });
}

function coldInitRow(f: ColdInitFigure, idSuffix: string, label: string): Row {
  return row({
    id: `cold-init.${f.function}${idSuffix}`,
    group: 'cold-init',
    figure: `cold init ${f.function} ${label}`.replace(' ,', ','),
    measured: f.medianMs,
    baseline: f.bareMedianMs,
    unit: 'ms',
    baselineLabel: `bare ${f.clients} clients, default bundling`,
    target: { op: '<=', value: f.target },
  });
}

function verdictOf(value: number | null, target: Row['target']): Verdict {
  if (target === null) return 'INFO';
  if (value === null || !Number.isFinite(value)) return 'MISS';
  switch (target.op) {
    case '<=':
      return value <= target.value ? 'PASS' : 'MISS';
    case '>=':
      return value >= target.value ? 'PASS' : 'MISS';
    case '=':
      return value === target.value ? 'PASS' : 'MISS';
  }
}

/** A row; the target applies to the ratio when there is a baseline, to the figure otherwise. */
export function row(r: Omit<Row, 'ratio' | 'verdict'>): Row {
  const rowRatio = r.baseline === null ? null : ratio(r.measured, r.baseline);
  return { ...r, ratio: rowRatio, verdict: verdictOf(r.baseline === null ? r.measured : rowRatio, r.target) };
}

export interface RunOptions {
  quick: boolean;
  /** Progress lines (default: stderr). */
  progress?: (line: string) => void;
}

export async function runBench(options: RunOptions): Promise<BenchResult> {
  const { quick } = options;
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = Date.now();
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};

  progress('bench: bundling every function as CDK does, and the bare-clients baselines');
  const bundles = await buildBundles();
  try {
    const sizes = bundleFigures(bundles);
    details.bundles = sizes;
    for (const f of sizes) {
      rows.push(
        bundleRow(f, '', '(minified JS)'),
        // For reading, not a target: what the service adds to the floor bundled as it is.
        row({
          id: `bundle.${f.function}.aliased-floor`,
          group: 'bundle',
          figure: `bundle ${f.function} vs the floor bundled like it (${ALIASES_LABEL})`,
          measured: f.bytes,
          baseline: f.aliasedBareBytes,
          unit: 'bytes',
          baselineLabel: `bare ${f.clients} clients, ${ALIASES_LABEL}`,
          target: null,
        }),
      );
    }

    progress('bench: cold init of every bundle in fresh Node processes (interleaved), network at import');
    const cold = await benchColdInit(bundles, { quick });
    details.coldInit = cold;
    for (const f of cold.figures) {
      rows.push(
        coldInitRow(f, '', `(median import, ${cold.runs} runs)`),
        row({
          id: `cold-init.${f.function}.aliased-floor`,
          group: 'cold-init',
          figure: `cold init ${f.function} vs the floor bundled like it (${ALIASES_LABEL})`,
          measured: f.medianMs,
          baseline: f.aliasedBareMedianMs,
          unit: 'ms',
          baselineLabel: `bare ${f.clients} clients, ${ALIASES_LABEL}`,
          target: { op: '<=', value: f.aliasedTarget },
        }),
      );
    }
    const net = cold.network;
    rows.push(
      row({
        id: 'cold-init.network',
        group: 'cold-init',
        figure: `network calls at import (${net.imports} functions: connections + sockets + DNS)`,
        measured: net.connections + net.sockets + net.httpRequests + net.dnsLookups,
        baseline: null,
        unit: 'count',
        baselineLabel: '',
        target: { op: '=', value: 0 },
      }),
    );
  } finally {
    bundles.dispose();
  }

  // A `-c paymentProvider=stripe` deployment: the three provider functions carry the Stripe SDK.
  progress('bench: the provider functions as a Stripe deployment bundles them (with the Stripe SDK)');
  const stripeBundles = await buildBundles(STRIPE_ESBUILD_OPTIONS);
  try {
    const providers = new Set(
      (Object.keys(FUNCTIONS) as ServiceFunctionName[]).filter((name) => FUNCTIONS[name].provider),
    );
    for (const f of bundleFigures(stripeBundles).filter((f) => providers.has(f.function))) {
      rows.push(bundleRow(f, '.stripe', `, Stripe deployment (Stripe SDK +${kib(f.added.stripe ?? 0)})`));
    }
    const runs = quick ? 3 : 21;
    const coldFigures = await measureColdInit(stripeBundles, runs);
    for (const f of coldFigures.filter((f) => providers.has(f.function))) {
      rows.push(
        coldInitRow(f, '.stripe', `, Stripe deployment (${runs} runs; SDK loaded, the secret read excluded)`),
      );
    }
  } finally {
    stripeBundles.dispose();
  }

  progress('bench: the console page in headless Chromium (bench/console.ts, child process)');
  const consoleFigures = await benchConsole({ quick });
  details.console = consoleFigures;
  rows.push(
    row({
      id: 'console.js-gzip',
      group: 'console',
      figure: `console page JS, gzipped (${consoleFigures.jsBytes} bytes minified)`,
      measured: consoleFigures.jsGzipBytes,
      baseline: null,
      unit: 'bytes',
      baselineLabel: '',
      target: { op: '<=', value: CONSOLE_JS_GZIP_BUDGET_BYTES },
    }),
    row({
      id: 'console.ops-js-gzip',
      group: 'console',
      figure: `operator console (/ops/) page JS, gzipped (${consoleFigures.opsJsBytes} bytes minified; the customer page never loads it)`,
      measured: consoleFigures.opsJsGzipBytes,
      baseline: null,
      unit: 'bytes',
      baselineLabel: '',
      target: { op: '<=', value: CONSOLE_JS_GZIP_BUDGET_BYTES },
    }),
    row({
      id: 'console.interactive',
      group: 'console',
      figure: `console first screen interactive, local runtime (median of ${consoleFigures.loads} loads)`,
      measured: consoleFigures.interactiveMs,
      baseline: null,
      unit: 'ms',
      baselineLabel: '',
      target: { op: '<=', value: CONSOLE_INTERACTIVE_BUDGET_MS },
    }),
  );

  progress('bench: policy quotes per second');
  const policy = await benchPolicy({ quick });
  details.policy = policy;
  const policyRow = row({
    id: 'policy.quotes-per-second',
    group: 'policy',
    figure: 'policy quotes/s (one core)',
    measured: policy.quotesPerSecond,
    baseline: null,
    unit: 'per-second',
    baselineLabel: '',
    target: { op: '>=', value: policy.target },
  });

  progress('bench: policy backtest (the CLI over exported orders as JSON Lines)');
  const backtest = await benchBacktest({ quick });
  details.backtest = backtest;
  // Orders/s of the whole command (process start included) beside reading the same file with
  // JSON.parse only; the target is a million orders in a minute, within a 64 MiB heap.
  const backtestRow = row({
    id: 'policy.backtest-orders-per-second',
    group: 'policy',
    figure:
      `policy backtest orders/s (${backtest.orders.toLocaleString('en')} orders, 64 MiB heap; ` +
      `JSON.parse alone: ${backtest.floorOrdersPerSecond.toLocaleString('en')}/s)`,
    measured: backtest.ordersPerSecond,
    baseline: null,
    unit: 'per-second',
    baselineLabel: '',
    target: quick ? null : { op: '>=', value: backtest.target },
  });

  progress('bench: API overhead through the local runtime vs the raw DynamoDB/SQS calls');
  const api = await benchApi({ quick });
  details.api = api;
  for (const f of api) {
    rows.push(
      row({
        id: `api.${f.operation}.p50`,
        group: 'api',
        figure: `API ${f.operation} p50 (${f.samples} requests)`,
        measured: f.api.p50Ms,
        baseline: f.raw.p50Ms,
        unit: 'ms',
        baselineLabel: `raw calls p50 (${f.mustMake.length} round trips)`,
        target: { op: '<=', value: f.target },
      }),
      row({
        id: `api.${f.operation}.p99`,
        group: 'api',
        figure: `API ${f.operation} p99`,
        measured: f.api.p99Ms,
        baseline: f.raw.p99Ms,
        unit: 'ms',
        baselineLabel: 'raw calls p99',
        target: null,
      }),
    );
  }

  progress('bench: settlement — the refund processor vs the raw DynamoDB operations (bench/settlement.ts)');
  const settlement = await benchSettlement({ quick });
  details.settlement = settlement;
  rows.push(
    row({
      id: 'settlement.processor',
      group: 'settlement',
      figure: `settlement: processor, ${Math.round(settlement.processor.settledPerSecond)} orders/s (${settlement.ordersPerVariant} orders, batches of ${settlement.chunk}), per order`,
      measured: settlement.processor.msPerOrder,
      baseline: settlement.raw.msPerOrder,
      unit: 'ms',
      baselineLabel: `raw ops (${settlement.mustMake.length} round trips), ${Math.round(settlement.raw.settledPerSecond)} orders/s`,
      target: { op: '<=', value: SETTLEMENT_RATIO_TARGET },
    }),
    row({
      id: 'settlement.queue',
      group: 'settlement',
      figure: `settlement: end to end through the queue (one poller), ${Math.round(settlement.queueEndToEnd.settledPerSecond)} orders/s, per order`,
      measured: settlement.queueEndToEnd.msPerOrder,
      baseline: settlement.raw.msPerOrder,
      unit: 'ms',
      baselineLabel: 'raw ops (as above)',
      target: null,
    }),
  );

  progress(
    'bench: credit notes — render, cold start to the first PDF, numbering under concurrency (bench/paperwork.ts)',
  );
  const paperwork = await benchPaperwork({ quick });
  details.paperwork = paperwork;
  const { render, cold: coldRender, numbering } = paperwork;
  rows.push(
    row({
      id: 'paperwork.render',
      group: 'paperwork',
      figure: `credit note render, warm (median of ${render.renders}; the sample note, ${render.drawOps} texts and rules)`,
      measured: render.medianMs,
      baseline: render.bareMedianMs,
      unit: 'ms',
      baselineLabel: 'bare pdf-lib drawing the same content',
      target: { op: '<=', value: render.target },
    }),
    row({
      id: 'paperwork.cold-render',
      group: 'paperwork',
      figure: `credit-notes cold start to its first PDF (import ${Math.round(coldRender.importMs)} ms + first render ${Math.round(coldRender.renderMs)} ms; median of ${coldRender.runs} fresh processes)`,
      measured: coldRender.medianMs,
      baseline: coldRender.bareMedianMs,
      unit: 'ms',
      baselineLabel: `bare DynamoDB+S3 clients and pdf-lib, same bundling (import ${Math.round(coldRender.bareImportMs)} ms + render ${Math.round(coldRender.bareRenderMs)} ms)`,
      target: { op: '<=', value: coldRender.target },
    }),
    row({
      id: 'paperwork.numbering',
      group: 'paperwork',
      figure: `credit notes: ${numbering.orders} orders issued at once (number, render, store), ${numbering.notesPerSecond.toFixed(1)} notes/s, completion`,
      measured: numbering.concurrentMs,
      baseline: numbering.sequentialMs,
      unit: 'ms',
      baselineLabel: `the same issued one at a time (${numbering.sequentialNotesPerSecond.toFixed(1)} notes/s)`,
      target: { op: '<=', value: numbering.target },
    }),
    row({
      id: 'paperwork.numbering.gaps',
      group: 'paperwork',
      figure: `credit notes: numbers missing or used twice, orders without exactly one note, counter not at ${numbering.orders} (both runs)`,
      measured: numbering.faults,
      baseline: null,
      unit: 'count',
      baselineLabel: '',
      target: { op: '=', value: 0 },
    }),
  );

  progress('bench: purge — one worker at two sizes, 1/2/4 workers, throttled (bench/purge.ts)');
  const purge = await benchPurge({ quick });
  details.purge = purge;
  for (const f of purge.figures) {
    rows.push(
      row({
        id: `purge.${f.dueInstances}.per-instance`,
        group: 'purge',
        figure: `purge ${f.dueInstances.toLocaleString('en-US')} due (+${f.notDueInstances.toLocaleString('en-US')} not due), one worker, ${purge.inFlight} in flight, ${f.runs} dispatch(es), per purged instance`,
        measured: f.msPerPurgedInstance,
        baseline: f.raw.msPerInstance,
        unit: 'ms',
        baselineLabel: `raw ops, ${f.raw.instances} instances`,
        target: null,
      }),
    );
  }
  const [small, large] = purge.figures;
  if (small && large) {
    const work = large.dueInstances / small.dueInstances;
    rows.push(
      row({
        id: 'purge.growth',
        group: 'purge',
        figure: `purge growth: total time at ${large.dueInstances.toLocaleString('en-US')} due (${work}× the work)`,
        measured: large.totalMs,
        baseline: small.totalMs,
        unit: 'ms',
        baselineLabel: `at ${small.dueInstances.toLocaleString('en-US')} due`,
        target: { op: '<=', value: Math.round(work * PURGE_GROWTH_SLACK * 100) / 100 },
      }),
      row({
        id: 'purge.heap',
        group: 'purge',
        figure: `purge heap: retained after purging ${large.dueInstances.toLocaleString('en-US')} due, after a full collection (peak ${Math.round(large.heapPeakMiB)} MiB with garbage)`,
        measured: Math.max(0, large.heapRetainedMiB) * 1024 * 1024,
        baseline: Math.max(1 / 1024, small.heapRetainedMiB) * 1024 * 1024,
        unit: 'bytes',
        baselineLabel: `after ${small.dueInstances.toLocaleString('en-US')} due (${work}× less backlog)`,
        target: null,
      }),
    );
  }
  const one = purge.workers.find((w) => w.workers === 1);
  for (const w of purge.workers) {
    if (!one) break;
    const floorMs = large ? large.raw.msPerInstance * w.dueInstances : Number.NaN;
    rows.push(
      w.workers === 1
        ? row({
            id: 'purge.workers.1',
            group: 'purge',
            figure: `purge ${w.dueInstances.toLocaleString('en-US')} instances with 1 worker: completion (${Math.round(w.purgesPerSecond)} purges/s)`,
            measured: w.totalMs,
            baseline: floorMs,
            unit: 'ms',
            baselineLabel: 'raw ops at the same concurrency (per instance × instances)',
            target: null,
          })
        : row({
            id: `purge.workers.${w.workers}`,
            group: 'purge',
            figure: `purge ${w.dueInstances.toLocaleString('en-US')} instances with ${w.workers} workers: completion (${Math.round(w.purgesPerSecond)} purges/s; busiest shard ${w.shardSpread.toFixed(2)}× the mean)`,
            measured: w.totalMs,
            baseline: one.totalMs,
            unit: 'ms',
            baselineLabel: 'with 1 worker',
            target: null,
          }),
    );
  }
  const { throttled, throttledBaseline } = purge;
  const drains = [...purge.workers, throttled];
  rows.push(
    row({
      id: 'purge.exactly-once',
      group: 'purge',
      figure: `purge with 1, 2, 4 workers and throttled: data items not deleted exactly once, instances not RELEASED, shards left with work`,
      measured: drains.reduce(
        (n, w) => n + w.notExactlyOnce + (w.dueInstances - w.released) + w.shardsLeft,
        0,
      ),
      baseline: null,
      unit: 'count',
      baselineLabel: '',
      target: { op: '=', value: 0 },
    }),
    row({
      id: 'purge.throttled',
      group: 'purge',
      figure: `purge throttled (${(throttled.throttleShare * 100).toFixed(0)}% of ${throttled.workers} workers' DynamoDB calls refused as over capacity, ${throttled.throttled} retried after backoff): completion`,
      measured: throttled.totalMs,
      baseline: throttledBaseline.totalMs,
      unit: 'ms',
      baselineLabel: `unthrottled, ${throttledBaseline.workers} workers`,
      target: null,
    }),
    row({
      id: 'purge.throttled.failed',
      group: 'purge',
      figure: 'purge throttled: purges failed (throttling slows down, never fails)',
      measured: throttled.failed,
      baseline: null,
      unit: 'count',
      baselineLabel: '',
      target: { op: '=', value: 0 },
    }),
    row({
      id: 'purge.scans',
      group: 'purge',
      figure: 'purge: Scan commands sent (all sizes)',
      measured: purge.figures.reduce((n, f) => n + (f.commands.ScanCommand ?? 0), 0),
      baseline: null,
      unit: 'count',
      baselineLabel: '',
      target: { op: '=', value: 0 },
    }),
  );

  progress('bench: request units per operation (bench/request-units.ts)');
  const units = await benchRequestUnits();
  details.requestUnits = units;
  for (const o of units.operations) {
    const id = `units.${o.operation.split(' (')[0]?.replaceAll(' ', '-')}`;
    const figure = `request units: ${o.operation} — writes (table ${o.write} + indexes ${o.indexWrite}); reads ${o.read}`;
    rows.push(
      o.floorWrite > 0
        ? row({
            id,
            group: 'units',
            figure,
            measured: o.write + o.indexWrite,
            baseline: o.floorWrite,
            unit: 'count',
            baselineLabel: `each changed item written once, alone (${o.written.length} items)`,
            target: null,
          })
        : row({
            id,
            group: 'units',
            figure: `${figure} (no table call: the stream is read for free, one PutEvents entry)`,
            measured: o.write + o.indexWrite + o.read,
            baseline: null,
            unit: 'count',
            baselineLabel: '',
            target: { op: '=', value: 0 },
          }),
    );
  }
  rows.push(
    row({
      id: 'units.check',
      group: 'units',
      figure: `request units: single-item calls where DynamoDB Local's ReturnConsumedCapacity differs from the documented rules (of ${units.check.calls})`,
      measured: units.check.calls - units.check.agreeing,
      baseline: null,
      unit: 'count',
      baselineLabel: '',
      target: { op: '=', value: 0 },
    }),
  );

  // The capacity model, first against this run's measurements, then for the cloud.
  const purgeUnits = units.operations.find((o) => o.operation === 'purge one kind');
  const perPurge: PurgeModelInput['units'] = {
    write: (purgeUnits?.write ?? 0) + (purgeUnits?.indexWrite ?? 0),
    read: purgeUnits?.read ?? 0,
    dueIndexWrite: purgeUnits?.calls.reduce((n, c) => n + (c.computed.index.due ?? 0), 0) ?? 0,
    accountPartitionWrite: purgeUnits?.write ?? 0,
  };
  const latency = (w: { latencyMs: Record<string, number> }) => ({
    query: w.latencyMs.QueryCommand ?? 0,
    getItem: w.latencyMs.GetItemCommand ?? 0,
    record: w.latencyMs.UpdateItemCommand ?? 0,
    deleteItem: w.latencyMs.DeleteItemCommand ?? 0,
  });
  for (const w of purge.workers) {
    const predicted = purgeModel({
      ...PURGE_CLOUD,
      due: 2 * w.dueInstances,
      maxWorkers: w.workers,
      inFlight: purge.inFlight,
      latencyMs: latency(w),
      cpuMsPerPurge: 0,
      units: perPurge,
      table: { writeUnitsPerSecond: Infinity, readUnitsPerSecond: Infinity },
      largestAccountShare: 0,
      dispatch: { intervalS: 1e9, firstDelayS: 0, startupS: 0 },
      workerBudgetS: null,
      stepS: quick ? 0.01 : 0.05,
    });
    rows.push(
      row({
        id: `model.check.${w.workers}`,
        group: 'model',
        figure: `model check: ${w.dueInstances.toLocaleString('en-US')} instances with ${w.workers} worker(s), measured completion against the model fed this run's latencies`,
        measured: w.totalMs,
        baseline: predicted.drainS * 1000,
        unit: 'ms',
        baselineLabel: `model (${Math.round(predicted.peakRate)} purges/s, ${predicted.peakLimit})`,
        target: null,
      }),
    );
  }
  const cpuMsPerPurge = large?.cpuMsPerPurge ?? small?.cpuMsPerPurge ?? 0;
  const cloud: PurgeModelInput = { ...PURGE_CLOUD, due: 1_000_000, units: perPurge, cpuMsPerPurge, stepS: 1 };
  const million = purgeModel(cloud);
  // The table's share only: workers as many as the shards and not CPU-bound, so that a loaded
  // machine's CPU figure (which the drain row above does use) cannot hide the table's need.
  const needed = writeUnitsFor({ ...cloud, maxWorkers: cloud.shards, cpuMsPerPurge: 0 }, 15 * 60);
  const settling = settlementModel(SETTLEMENT_CLOUD);
  details.model = { cloud, million, needed, settlement: settling };
  rows.push(
    row({
      id: 'model.purge-1m',
      group: 'model',
      figure: `model (not a measurement): 1,000,000 purges due at one midnight, ${cloud.maxWorkers} workers, ${cloud.table.writeUnitsPerSecond.toLocaleString('en-US')} WCU/s table: drained (p50 late ${(million.lateness.p50 / 60).toFixed(1)} min; ${Math.round(million.peakRate)} purges/s, ${million.peakLimit}; ${Math.round(million.peakUnits.dueIndexPartitionWrite)} WCU/s per due index partition)`,
      measured: million.drainS * 1000,
      baseline: null,
      unit: 'ms',
      baselineLabel: '',
      target: { op: '<=', value: 15 * 60_000 },
    }),
    row({
      id: 'model.purge-1m.table',
      group: 'model',
      figure: `model: table write throughput 1,000,000 purges need to drain within 15 minutes (${perPurge.write} WCU a purge; ${cloud.shards} workers, the table the only limit)`,
      measured: needed ?? Number.NaN,
      baseline: null,
      unit: 'per-second',
      baselineLabel: '',
      target: { op: '<=', value: 40_000 },
    }),
    row({
      id: 'model.settlement',
      group: 'model',
      figure: `model: 100,000 unsubscriptions in 1 h, ${SETTLEMENT_CLOUD.providerCallsPerSecond} provider calls/s, ${SETTLEMENT_CLOUD.concurrency} processors: longest wait to settle (${settling.serviceRate.toFixed(0)} orders/s, ${settling.limit})`,
      measured: settling.maxWaitS * 1000,
      baseline: null,
      unit: 'ms',
      baselineLabel: '',
      target: { op: '<=', value: SETTLEMENT_CLOUD.promiseS * 1000 },
    }),
  );

  rows.push(policyRow, backtestRow);
  return {
    quick,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    machine: {
      node: process.version,
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? 'unknown',
      platform: `${process.platform}-${process.arch}`,
    },
    rows,
    details,
  };
}

function formatValue(value: number | null, unit: Row['unit']): string {
  if (value === null) return '–';
  switch (unit) {
    case 'bytes':
      return kib(value);
    case 'ms':
      return ms(value);
    case 'per-second':
      return `${Math.round(value).toLocaleString('en-US')}/s`;
    case 'count':
      return String(value);
    case 'ratio':
      return `${value.toFixed(2)}×`;
  }
}

function formatTarget(r: Row): string {
  if (!r.target) return '–';
  const op = { '<=': '≤', '>=': '≥', '=': '=' }[r.target.op];
  return r.baseline === null ? `${op} ${formatValue(r.target.value, r.unit)}` : `${op} ${r.target.value}×`;
}

/** The one table, in Markdown (renders in a terminal as well as in docs/performance.md). */
export function formatTable(result: BenchResult): string {
  const header = ['Figure', 'Measured', 'Baseline (same run)', 'Ratio', 'Target', 'Result'];
  const lines = result.rows.map((r) => [
    r.figure,
    formatValue(r.measured, r.unit),
    r.baseline === null ? '–' : `${formatValue(r.baseline, r.unit)} ${r.baselineLabel}`,
    r.ratio === null ? '–' : `${r.ratio.toFixed(2)}×`,
    formatTarget(r),
    r.verdict,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [fmt(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...lines.map(fmt)].join('\n');
}

/** The generated block of docs/performance.md: everything between these two lines is rewritten. */
export const DOC_MARKERS = {
  start: '<!-- bench:latest:start -->',
  end: '<!-- bench:latest:end -->',
} as const;

/** The docs' block for a run: which machine, when, how long, and the table. */
export function docBlock(result: BenchResult): string {
  const { machine } = result;
  const missed = result.rows.filter((r) => r.verdict === 'MISS').length;
  return [
    DOC_MARKERS.start,
    '',
    `Generated by \`npm run bench\` on ${result.startedAt.slice(0, 10)}: ${machine.cpus} × ${machine.cpuModel.trim()}, ` +
      `Node ${machine.node.replace(/^v/, '')}, ${machine.platform}; ${Math.round(result.durationMs / 1000)} s, ` +
      `${result.rows.length} rows, ${missed} MISS.`,
    '',
    formatTable(result),
    '',
    DOC_MARKERS.end,
  ].join('\n');
}

/** `doc` with its generated block replaced by this run's; throws when the markers are missing. */
export function withLatestFigures(doc: string, result: BenchResult): string {
  const start = doc.indexOf(DOC_MARKERS.start);
  const end = doc.indexOf(DOC_MARKERS.end);
  if (start < 0 || end < start) {
    throw new Error(`docs/performance.md has no ${DOC_MARKERS.start} … ${DOC_MARKERS.end} block`);
  }
  return doc.slice(0, start) + docBlock(result) + doc.slice(end + DOC_MARKERS.end.length);
}

const PERFORMANCE_DOC = join(import.meta.dirname, '..', 'docs', 'performance.md');

function parseArgs(argv: readonly string[]): { quick: boolean; json: string; docs: boolean } {
  const i = argv.indexOf('--json');
  const json = i >= 0 ? argv[i + 1] : undefined;
  if (i >= 0 && (json === undefined || json.startsWith('--'))) throw new Error('--json needs a path');
  const quick = argv.includes('--quick');
  return {
    quick,
    json: resolve(json ?? join(import.meta.dirname, '..', '.bench', 'results.json')),
    docs: !quick && !argv.includes('--no-docs'),
  };
}

if (import.meta.main) {
  const args = parseArgs(process.argv.slice(2));
  const result = await runBench({ quick: args.quick });
  process.stdout.write(`${formatTable(result)}\n`);
  mkdirSync(dirname(args.json), { recursive: true });
  writeFileSync(args.json, `${JSON.stringify(result, null, 2)}\n`);
  if (args.docs)
    writeFileSync(PERFORMANCE_DOC, withLatestFigures(readFileSync(PERFORMANCE_DOC, 'utf8'), result));
  const missed = result.rows.filter((r) => r.verdict === 'MISS').length;
  process.stdout.write(
    `\n${result.quick ? 'quick run (tiny counts: figures are a smoke, not a measurement); ' : ''}` +
      `${result.rows.length} rows, ${missed} MISS; ${Math.round(result.durationMs / 1000)} s; JSON: ${args.json}` +
      `${args.docs ? '; table written to docs/performance.md' : ''}\n`,
  );
}
