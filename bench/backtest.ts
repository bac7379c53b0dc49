/**
 * The policy backtest as a billing team runs it: `npm run policy -- backtest --policy <file>`
 * reading exported orders as JSON Lines on stdin, in a child process (parse, recompute under
 * the candidate, report). The orders are generated once into a temporary file; the figure is
 * orders per second of the whole command, against a target of 1,000,000 orders in a minute.
 * The floor is the same file read line by line with JSON.parse only (what any reader pays).
 *
 * Run alone: `npx node bench/backtest.ts [--quick]`.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DAY_MS, quoteUnsubscribe } from '#policy/index.ts';
import type { InstanceFacts } from '#shared/domain.ts';
import { presentQuoteDerivation } from '#shared/present-derivation.ts';

/** 1,000,000 orders in about a minute. */
export const BACKTEST_ORDERS_PER_SECOND_TARGET = 16_667;
const HEAP_LIMIT_MIB = 64;
const CANDIDATE = 'test/fixtures/policies/security-center/international/v2.json';

function orderLine(i: number): string {
  const paid = Date.UTC(2026, 0, 1) + (i % 300) * DAY_MS + (i % 86_400) * 1000;
  const facts: InstanceFacts = {
    instanceId: `i-${i}`,
    product: 'cloud-firewall',
    edition: 'Standard',
    billingMethod: 'SUBSCRIPTION',
    currency: i % 3 === 0 ? 'EUR' : 'USD',
    status: 'ACTIVE',
    flags: { overduePayment: false, securityLocked: false, configurationChangeInProgress: false },
    orders: [
      {
        orderId: `o-${i}-new`,
        type: 'NEW',
        paidAt: paid,
        periodStart: paid,
        periodEnd: paid + 365 * DAY_MS,
        cashPaid: 10_000 + (i % 90_000),
        voucherPaid: i % 500,
        paymentMethod: { type: 'CARD', reference: 'not-exported' },
        status: 'PAID',
      },
    ],
  };
  const quote = quoteUnsubscribe(facts, {
    now: paid + (i % 20) * DAY_MS + 3_600_000,
    quotaUsed: i % 7 === 0,
  });
  return JSON.stringify({
    unsubscribeOrderId: `uo-${i}`,
    currency: quote.currency,
    refundType: quote.refundType,
    refundAmount: quote.refundAmount,
    lines: quote.lines.map((l) => ({ orderId: l.orderId, refundAmount: l.refundAmount })),
    derivation: presentQuoteDerivation(quote.derivation),
  });
}

async function parseOnly(path: string): Promise<number> {
  let n = 0;
  for await (const line of createInterface({
    input: createReadStream(path),
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    if (JSON.parse(line)) n += 1;
  }
  return n;
}

export async function benchBacktest(opts: { quick: boolean }): Promise<{
  orders: number;
  ordersPerSecond: number;
  floorOrdersPerSecond: number;
  changed: number;
  heapLimitMiB: number;
  target: number;
}> {
  const orders = opts.quick ? 2_000 : Number(process.env.BACKTEST_ORDERS ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'refund-backtest-'));
  const path = join(dir, 'orders.jsonl');
  try {
    const fd = openSync(path, 'w');
    let chunk = '';
    for (let i = 0; i < orders; i++) {
      chunk += `${orderLine(i)}\n`;
      if (chunk.length > 1 << 20) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    writeSync(fd, chunk);
    closeSync(fd);

    const f0 = process.hrtime.bigint();
    await parseOnly(path);
    const floorSeconds = Number(process.hrtime.bigint() - f0) / 1e9;

    const t0 = process.hrtime.bigint();
    const input = openSync(path, 'r');
    // A 64 MiB heap: a backtest that held the orders in memory would run out long before a million.
    const result = spawnSync(
      process.execPath,
      [`--max-old-space-size=${HEAP_LIMIT_MIB}`, 'shared/policy/cli.ts', 'backtest', '--policy', CANDIDATE],
      { stdio: [input, 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    closeSync(input);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (result.status !== 0 && result.status !== 3)
      throw new Error(`backtest exited ${result.status}: ${result.stdout}`);
    const report = JSON.parse(result.stdout) as { ordersCompared: number; ordersChanged: number };
    if (report.ordersCompared !== orders)
      throw new Error(`backtest compared ${report.ordersCompared} of ${orders}`);
    return {
      orders,
      ordersPerSecond: Math.round(orders / seconds),
      floorOrdersPerSecond: Math.round(orders / floorSeconds),
      changed: report.ordersChanged,
      heapLimitMiB: HEAP_LIMIT_MIB,
      target: BACKTEST_ORDERS_PER_SECOND_TARGET,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const r = await benchBacktest({ quick: process.argv.includes('--quick') });
  console.log(
    `backtest: ${r.orders.toLocaleString('en')} orders at ${r.ordersPerSecond.toLocaleString('en')}/s ` +
      `(floor, JSON.parse only: ${r.floorOrdersPerSecond.toLocaleString('en')}/s; ${r.changed} changed; within a ${r.heapLimitMiB} MiB heap) ` +
      `${r.ordersPerSecond >= r.target ? 'meets' : 'BELOW'} target ${r.target.toLocaleString('en')}/s`,
  );
}
