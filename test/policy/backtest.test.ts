/** Explain and backtest: recomputing orders from their recorded derivation, as a library and as the CLI. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Backtest, explainOrder, recordedOrder } from '#policy/backtest.ts';
import { DAY_MS, DEFAULT_POLICY, parsePolicy, quoteUnsubscribe } from '#policy/index.ts';
import { presentQuoteDerivation } from '#shared/present-derivation.ts';
import { at, instance, order } from './helpers.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pinnedNode = `${root}node_modules/.bin/node`;
const nodeBin =
  Number(process.versions.node.split('.')[0]) >= 24 || !existsSync(pinnedNode)
    ? process.execPath
    : pinnedNode;
const V2_PATH = 'test/fixtures/policies/security-center/international/v2.json';
const candidate = parsePolicy(JSON.parse(readFileSync(`${root}${V2_PATH}`, 'utf8')), V2_PATH);

/** An exported order (the API's shape) for a purchase of `cash` unsubscribed `days` days later. */
function exported(n: number, cash: number, ageMs: number, quotaUsed: boolean) {
  const paid = at('2026-03-01T00:00:00.000Z') + n * 3_600_000;
  const facts = instance([
    order({ paidAt: paid, periodStart: paid, periodEnd: paid + 365 * DAY_MS, cashPaid: cash }),
  ]);
  const quote = quoteUnsubscribe(facts, { now: paid + ageMs, quotaUsed });
  return {
    unsubscribeOrderId: `uo-${n}`,
    currency: quote.currency,
    refundType: quote.refundType,
    refundAmount: quote.refundAmount,
    lines: quote.lines.map((l) => ({ orderId: l.orderId, refundAmount: l.refundAmount })),
    derivation: presentQuoteDerivation(quote.derivation),
  };
}

const generatedOrders = fc.array(
  fc.record({
    cash: fc.integer({ min: 400, max: 10_000_000 }),
    ageMs: fc.integer({ min: 0, max: 30 * DAY_MS }),
    quotaUsed: fc.boolean(),
  }),
  { minLength: 1, maxLength: 60 },
);

describe('backtest', () => {
  it('under the policy that made them, nothing changes', () => {
    fc.assert(
      fc.property(generatedOrders, (specs) => {
        const run = new Backtest(DEFAULT_POLICY);
        specs.forEach((s, i) => {
          run.add(JSON.stringify(exported(i, s.cash, s.ageMs, s.quotaUsed)), i + 1);
        });
        const report = run.report();
        expect(report).toMatchObject({ ordersCompared: specs.length, ordersChanged: 0, invariantBreaks: [] });
      }),
    );
  });

  it('a 3-day window changes exactly the full refunds quoted from day 3 to day 5, by the days used', () => {
    fc.assert(
      fc.property(generatedOrders, (specs) => {
        const run = new Backtest(candidate);
        let changed = 0;
        let difference = 0n;
        specs.forEach((s, i) => {
          const order = exported(i, s.cash, s.ageMs, s.quotaUsed);
          run.add(JSON.stringify(order), i + 1);
          if (order.refundType === 'FULL_REFUND' && s.ageMs >= 3 * DAY_MS) {
            // The candidate gives the partial refund: the unused whole days of 365.
            const used = Math.ceil(s.ageMs / DAY_MS);
            const partial = Math.floor((s.cash * (365 - used)) / 365);
            changed += 1;
            difference += BigInt(partial - s.cash);
          }
        });
        const report = run.report();
        expect(report.ordersChanged).toBe(changed);
        expect(report.refundTypeChanged).toBe(changed);
        expect(report.totalDifference.USD).toBe(difference.toString());
        expect(report.invariantBreaks).toEqual([]);
        expect(report.largestChanges.length).toBe(Math.min(changed, 10));
      }),
    );
  });

  it('names a line it cannot read and goes on', () => {
    const run = new Backtest(DEFAULT_POLICY);
    run.add('{"unsubscribeOrderId":"uo-old"}', 1);
    run.add(JSON.stringify(exported(2, 1000, DAY_MS, false)), 2);
    expect(run.report()).toMatchObject({ ordersCompared: 1, unreadable: [{ line: 1 }] });
  });
});

function cli(args: string[], input: string) {
  const result = spawnSync(nodeBin, ['shared/policy/cli.ts', ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: result.status, json: () => JSON.parse(result.stdout) };
}

describe('npm run policy -- explain | backtest', () => {
  it('explain exits 0 when the recorded amounts are reproduced, 3 with the difference when one was altered', () => {
    const order = exported(1, 99_999, 41 * DAY_MS, false);
    expect(explainOrder(recordedOrder(order), DEFAULT_POLICY)).toEqual([]);
    const ok = cli(['explain'], JSON.stringify(order));
    expect(ok.code).toBe(0);
    expect(ok.json()).toMatchObject({
      matches: true,
      policy: { id: 'security-center/international', version: 1 },
    });

    const altered = { ...order, refundAmount: order.refundAmount + 1 };
    const bad = cli(['explain'], JSON.stringify(altered));
    expect(bad.code).toBe(3);
    expect(bad.json().differences).toEqual([
      { field: 'refundAmount', recorded: order.refundAmount + 1, recomputed: order.refundAmount },
    ]);
  }, 60_000);

  it('backtest exits 3 when the candidate changes amounts, 0 when it does not, 2 naming a bad policy field', () => {
    const lines = [exported(1, 36_500, 4 * DAY_MS, false), exported(2, 36_500, 20 * DAY_MS, false)]
      .map((o) => JSON.stringify(o))
      .join('\n');
    const changed = cli(['backtest', '--policy', V2_PATH], lines);
    expect(changed.code).toBe(3);
    expect(changed.json()).toMatchObject({
      ordersCompared: 2,
      ordersChanged: 1,
      totalDifference: { USD: String(36_100 - 36_500) },
    });
    const same = cli(['backtest', '--policy', 'policies/security-center/international/v1.json'], lines);
    expect(same.code).toBe(0);
    const missing = cli(['backtest', '--policy', 'no-such-policy.json'], lines);
    expect(missing.code).toBe(2);
  }, 60_000);
});
