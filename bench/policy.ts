/**
 * Quotes per second of the pure policy on one core: an unsubscribe quote (partial refund,
 * the longer path) of a 3-order instance (NEW in effect, two renewals not started), with `now`
 * moving a second per iteration. Warm up first so the JIT has settled, then time a fixed
 * number of iterations with the monotonic high-resolution clock.
 *
 * Run alone: `npx node bench/policy.ts [--quick]`.
 */

import { quoteUnsubscribe } from '#policy/index.ts';
import type { InstanceFacts } from '#shared/domain.ts';

export const POLICY_QUOTES_PER_SECOND_TARGET = 300_000;

const DAY = 86_400_000;
const start = Date.UTC(2026, 0, 10);

const instance: InstanceFacts = {
  instanceId: 'i-bench',
  product: 'cloud-firewall',
  edition: 'Standard',
  billingMethod: 'SUBSCRIPTION',
  currency: 'USD',
  status: 'ACTIVE',
  flags: { overduePayment: false, securityLocked: false, configurationChangeInProgress: false },
  orders: [0, 1, 2].map((i) => ({
    orderId: i === 0 ? 'o-new' : `o-renew-${i}`,
    type: i === 0 ? 'NEW' : 'RENEW',
    paidAt: start + i * 20 * DAY,
    periodStart: start + i * 31 * DAY,
    periodEnd: start + (i + 1) * 31 * DAY,
    cashPaid: 3100 + i * 100,
    voucherPaid: 200,
    paymentMethod: { type: i === 2 ? 'PAYPAL' : 'CARD', reference: `ref-${i}` },
    status: 'PAID',
  })),
};

function run(iterations: number, firstNow: number): number {
  let sink = 0;
  for (let i = 0; i < iterations; i++) {
    sink += quoteUnsubscribe(instance, { now: firstNow + i * 1_000, quotaUsed: true }).refundAmount;
  }
  return sink;
}

export async function benchPolicy(opts: { quick: boolean }): Promise<{
  name: string;
  quotesPerSecond: number;
  target: number;
}> {
  const warmup = opts.quick ? 500 : 200_000;
  const iterations = opts.quick ? 2_000 : 1_000_000;
  const firstNow = start + 5 * DAY + 12 * 3_600_000;
  let sink = run(warmup, firstNow);
  const t0 = process.hrtime.bigint();
  sink += run(iterations, firstNow);
  const elapsedNs = Number(process.hrtime.bigint() - t0);
  if (sink <= 0) throw new Error('benchmark produced no refunds');
  return {
    name: 'policy: unsubscribe quotes per second (3-order instance, one core)',
    quotesPerSecond: Math.round((iterations * 1e9) / elapsedNs),
    target: POLICY_QUOTES_PER_SECOND_TARGET,
  };
}

if (import.meta.main) {
  const result = await benchPolicy({ quick: process.argv.includes('--quick') });
  const verdict = result.quotesPerSecond >= result.target ? 'meets' : 'BELOW';
  process.stdout.write(
    `${result.name}: ${result.quotesPerSecond.toLocaleString('en-US')}/s (${verdict} target ${result.target.toLocaleString('en-US')}/s)\n`,
  );
}
