/**
 * Smoke test of `npm run bench`: the real command in quick mode (tiny counts) prints one
 * table and writes every row to the JSON file with finite numbers. Timings are not asserted
 * (the machine is shared); what is asserted is that every figure is there, that each has the
 * baseline it is compared with, and that no handler touches the network at import. The hook
 * allows 7 minutes: the console figures start a second runtime and Chromium (bench/console.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '#infra/cdk/functions.ts';
import type { BenchResult } from '../../../bench/run.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

describe('npm run bench --quick', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  const json = join(dir, 'results.json');
  let stdout = '';
  let result: BenchResult;

  beforeAll(async () => {
    ({ stdout } = await promisify(execFile)(process.execPath, ['bench/run.ts', '--quick', '--json', json], {
      cwd: ROOT,
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
      maxBuffer: 16 * 1024 * 1024,
    }));
    result = JSON.parse(readFileSync(json, 'utf8')) as BenchResult;
  }, 420_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const functions = Object.keys(FUNCTIONS);
  const expectedIds = [
    ...functions.map((name) => `bundle.${name}`),
    ...functions.map((name) => `cold-init.${name}`),
    'cold-init.network',
    'console.js-gzip',
    'console.ops-js-gzip',
    'console.interactive',
    ...['quote', 'unsubscribe', 'cancel-renewal'].flatMap((op) => [`api.${op}.p50`, `api.${op}.p99`]),
    'settlement.processor',
    'settlement.queue',
    'paperwork.render',
    'paperwork.cold-render',
    'paperwork.numbering',
    'paperwork.numbering.gaps',
    'purge.growth',
    'purge.heap',
    'purge.workers.1',
    'purge.workers.2',
    'purge.workers.4',
    'purge.exactly-once',
    'purge.throttled',
    'purge.throttled.failed',
    'purge.scans',
    ...['quote', 'unsubscribe', 'renewal-cancellation', 'settle-a-line', 'purge-one-kind'].map(
      (op) => `units.${op}`,
    ),
    'units.publish-one-event',
    'units.check',
    'model.check.1',
    'model.check.2',
    'model.check.4',
    'model.purge-1m',
    'model.purge-1m.table',
    'model.settlement',
    'policy.quotes-per-second',
    'policy.backtest-orders-per-second',
  ];

  it('writes every row, once', () => {
    const ids = result.rows.map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining(expectedIds));
    expect(new Set(ids).size).toBe(ids.length);
    expect(result.quick).toBe(true);
  });

  it('gives every row a finite figure, and a finite baseline and ratio where it compares', () => {
    for (const r of result.rows) {
      expect(Number.isFinite(r.measured), r.id).toBe(true);
      expect(r.measured, r.id).toBeGreaterThanOrEqual(0);
      if (r.baseline !== null) {
        expect(Number.isFinite(r.baseline) && r.baseline > 0, r.id).toBe(true);
        expect(Number.isFinite(r.ratio), r.id).toBe(true);
      }
      expect(['PASS', 'MISS', 'INFO'], r.id).toContain(r.verdict);
      if (r.target === null) expect(r.verdict, r.id).toBe('INFO');
    }
    const absolute = [
      'cold-init.network',
      'console.js-gzip',
      'console.ops-js-gzip',
      'console.interactive',
      'purge.scans',
      'purge.exactly-once',
      'purge.throttled.failed',
      'paperwork.numbering.gaps',
      'units.publish-one-event',
      'units.check',
      'model.purge-1m',
      'model.purge-1m.table',
      'model.settlement',
      'policy.quotes-per-second',
      'policy.backtest-orders-per-second',
    ];
    const compared = expectedIds.filter((id) => !absolute.includes(id));
    for (const id of compared) expect(result.rows.find((r) => r.id === id)?.baseline, id).not.toBeNull();
  });

  it('measures the purge at two sizes, one per-instance row each', () => {
    expect(result.rows.filter((r) => /^purge\.\d+\.per-instance$/.test(r.id))).toHaveLength(2);
  });

  it('finds no network call while importing any bundled handler, and no Scan in the purge', () => {
    expect(result.rows.find((r) => r.id === 'cold-init.network')?.measured).toBe(0);
    expect(result.rows.find((r) => r.id === 'purge.scans')?.measured).toBe(0);
  });

  it('purges every item exactly once with 1, 2 and 4 workers and throttled, failing none', () => {
    expect(result.rows.find((r) => r.id === 'purge.exactly-once')?.measured).toBe(0);
    expect(result.rows.find((r) => r.id === 'purge.throttled.failed')?.measured).toBe(0);
  });

  it('numbers the concurrent and the one-at-a-time credit notes 1…N, each once', () => {
    expect(result.rows.find((r) => r.id === 'paperwork.numbering.gaps')?.measured).toBe(0);
  });

  it('prints the same rows as one table', () => {
    const tableLines = stdout.split('\n').filter((line) => line.startsWith('|'));
    // Header, separator, then one line per row.
    expect(tableLines).toHaveLength(result.rows.length + 2);
    for (const r of result.rows) expect(stdout).toContain(r.figure);
  });
});
