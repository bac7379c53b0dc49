/** Invariants of the policy over generated instances (fast-check). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { differences, recompute } from '#policy/explain.ts';
import {
  DAY_MS,
  DEFAULT_POLICY,
  dueBy,
  explainDueBy,
  explainRetention,
  pendingRenewals,
  prorate,
  quoteRenewalCancellation,
  quoteUnsubscribe,
  retentionDeadlines,
} from '#policy/index.ts';
import type { InstanceFacts, Millis, Order } from '#shared/domain.ts';
import { RefundError } from '#shared/errors.ts';
import { presentQuoteDerivation } from '#shared/present-derivation.ts';
import { at, instance } from './helpers.ts';

const orderSpec = fc.record({
  termMs: fc.oneof(
    fc.integer({ min: 1, max: 400 * DAY_MS }),
    fc.integer({ min: 1, max: 400 }).map((d) => d * DAY_MS),
  ),
  cashPaid: fc.oneof(fc.integer({ min: 0, max: 1_000_000_000 }), fc.integer({ min: 0, max: 5_000 })),
  voucherPaid: fc.integer({ min: 0, max: 1_000_000 }),
  method: fc.constantFrom('CARD', 'PAYPAL', 'BALANCE') as fc.Arbitrary<'CARD' | 'PAYPAL' | 'BALANCE'>,
  cancelled: fc.boolean(),
  paidBeforeStartMs: fc.integer({ min: 0, max: 60 * DAY_MS }),
});

/** An instance of 1–5 contiguous orders starting between 2020 and 2030, and instants around it. */
const generated = fc
  .record({
    start: fc.integer({ min: at('2020-01-01T00:00:00.000Z'), max: at('2030-01-01T00:00:00.000Z') }),
    specs: fc.array(orderSpec, { minLength: 1, maxLength: 5 }),
  })
  .map(({ start, specs }) => {
    let periodStart = start;
    const orders: Order[] = specs.map((spec, i) => {
      const periodEnd = periodStart + spec.termMs;
      const o: Order = {
        orderId: i === 0 ? 'o-new' : `o-renew-${i}`,
        type: i === 0 ? 'NEW' : 'RENEW',
        paidAt: i === 0 ? periodStart : Math.max(start, periodStart - spec.paidBeforeStartMs),
        periodStart,
        periodEnd,
        cashPaid: spec.cashPaid,
        voucherPaid: spec.voucherPaid,
        paymentMethod: { type: spec.method, reference: `ref-${i}` },
        status: i > 0 && spec.cancelled ? 'CANCELLED' : 'PAID',
      };
      periodStart = periodEnd;
      return o;
    });
    return { facts: instance(orders), from: start - 20 * DAY_MS, to: periodStart + 20 * DAY_MS };
  });

const withNow = generated.chain(({ facts, from, to }) =>
  fc.record({ facts: fc.constant(facts), now: fc.integer({ min: from, max: to }) }),
);
const withTwoNows = generated.chain(({ facts, from, to }) =>
  fc.record({
    facts: fc.constant(facts),
    a: fc.integer({ min: from, max: to }),
    b: fc.integer({ min: from, max: to }),
  }),
);

const paid = (facts: InstanceFacts) => facts.orders.filter((o) => o.status === 'PAID');
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** The refund of unsubscribing now, 0 when the policy says there is nothing to refund. */
function refundAt(facts: InstanceFacts, now: Millis, quotaUsed: boolean): number {
  try {
    return quoteUnsubscribe(facts, { now, quotaUsed }).refundAmount;
  } catch (error) {
    if (error instanceof RefundError && error.code === 'NOTHING_TO_REFUND') return 0;
    throw error;
  }
}

describe('unsubscribe quote invariants', () => {
  it('lines sum to the refund; each line is 0…its cash; the total never exceeds the cash paid', () => {
    fc.assert(
      fc.property(withNow, fc.boolean(), ({ facts, now }, quotaUsed) => {
        let quote: ReturnType<typeof quoteUnsubscribe>;
        try {
          quote = quoteUnsubscribe(facts, { now, quotaUsed });
        } catch (error) {
          expect((error as RefundError).code).toBe('NOTHING_TO_REFUND');
          return;
        }
        expect(quote.refundAmount).toBeGreaterThan(0);
        expect(sum(quote.lines.map((l) => l.refundAmount))).toBe(quote.refundAmount);
        expect(quote.lines.map((l) => l.orderId)).toEqual(paid(facts).map((o) => o.orderId));
        for (const line of quote.lines) {
          expect(Number.isSafeInteger(line.refundAmount)).toBe(true);
          expect(line.refundAmount).toBeGreaterThanOrEqual(0);
          expect(line.refundAmount).toBeLessThanOrEqual(line.cashPaid);
          expect(line.usedDays).toBeGreaterThanOrEqual(0);
          expect(line.usedDays).toBeLessThanOrEqual(line.termDays);
        }
        expect(quote.refundAmount).toBeLessThanOrEqual(sum(paid(facts).map((o) => o.cashPaid)));
        expect(quote.nonRefundableVoucherAmount).toBe(sum(paid(facts).map((o) => o.voucherPaid)));
        expect(quote.usesQuota).toBe(quote.refundType === 'FULL_REFUND');
        if (quote.refundType === 'FULL_REFUND')
          expect(quote.refundAmount).toBe(sum(paid(facts).map((o) => o.cashPaid)));
      }),
    );
  });

  it.each([true, false])('a later now never refunds more (quotaUsed=%s)', (quotaUsed) => {
    fc.assert(
      fc.property(withTwoNows, ({ facts, a, b }) => {
        const [earlier, later] = a <= b ? [a, b] : [b, a];
        expect(refundAt(facts, later, quotaUsed)).toBeLessThanOrEqual(refundAt(facts, earlier, quotaUsed));
      }),
    );
  });

  it('a partial refund never exceeds the full refund of the same moment', () => {
    fc.assert(
      fc.property(withNow, ({ facts, now }) => {
        expect(refundAt(facts, now, true)).toBeLessThanOrEqual(sum(paid(facts).map((o) => o.cashPaid)));
        expect(refundAt(facts, now, true)).toBeLessThanOrEqual(refundAt(facts, now, false));
      }),
    );
  });

  it('vouchers are never refunded: the refund does not depend on voucher amounts', () => {
    fc.assert(
      fc.property(
        withNow,
        fc.boolean(),
        fc.array(fc.integer({ min: 0, max: 1_000_000_000 }), { minLength: 5, maxLength: 5 }),
        ({ facts, now }, quotaUsed, vouchers) => {
          const revouched = {
            ...facts,
            orders: facts.orders.map((o, i) => ({ ...o, voucherPaid: vouchers[i] ?? 0 })),
          };
          const amounts = (f: InstanceFacts) => {
            try {
              const q = quoteUnsubscribe(f, { now, quotaUsed });
              return [q.refundType, q.refundAmount, ...q.lines.map((l) => l.refundAmount)];
            } catch (error) {
              return [(error as RefundError).code];
            }
          };
          expect(amounts(revouched)).toEqual(amounts(facts));
        },
      ),
    );
  });
});

describe('renewal cancellation invariants', () => {
  it('refunds exactly the cash of the cancelled orders, which are the pending ones from the chosen time on', () => {
    fc.assert(
      fc.property(withNow, fc.nat(), ({ facts, now }, pick) => {
        const pending = pendingRenewals(facts.orders, now);
        if (pending.length === 0) {
          expect(() => quoteRenewalCancellation(facts, { now })).toThrow(RefundError);
          return;
        }
        const { allowedExpirationTimes } = quoteRenewalCancellation(facts, { now });
        expect(allowedExpirationTimes).toEqual(
          [...new Set(pending.map((o) => o.periodStart))].sort((x, y) => x - y),
        );
        const chosen = allowedExpirationTimes[pick % allowedExpirationTimes.length] as Millis;
        const quote = quoteRenewalCancellation(facts, { now, updatedExpirationTime: chosen });
        const cancelled = pending.filter((o) => o.periodStart >= chosen);
        expect(quote.cancelledOrderIds).toEqual(cancelled.map((o) => o.orderId));
        expect(quote.refundAmount).toBe(sum(cancelled.map((o) => o.cashPaid)));
        expect(sum(quote.lines.map((l) => l.refundAmount))).toBe(quote.refundAmount);
        expect(quote.nonRefundableVoucherAmount).toBe(sum(cancelled.map((o) => o.voucherPaid)));
        expect(quote.updatedExpirationTime).toBe(chosen);
        expect(chosen).toBeGreaterThan(now);
      }),
    );
  });
});

describe('prorate', () => {
  it('equals floor(cash × remaining / term) computed in BigInt, for every safe cash', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
          fc.integer({ min: 0, max: 10_000_000 }),
        ),
        fc.integer({ min: 1, max: 100_000 }),
        fc.nat(),
        (cash, term, r) => {
          const remaining = r % (term + 1);
          const expected = (BigInt(cash) * BigInt(remaining)) / BigInt(term);
          expect(BigInt(prorate(cash, remaining, term))).toBe(expected);
        },
      ),
    );
  });
});

describe('the recorded derivation reproduces every figure', () => {
  it('recomputing from the derivation gives the same type, amount and lines; each line is its formula', () => {
    fc.assert(
      fc.property(withNow, fc.boolean(), ({ facts, now }, quotaUsed) => {
        let quote: ReturnType<typeof quoteUnsubscribe>;
        try {
          quote = quoteUnsubscribe(facts, { now, quotaUsed });
        } catch (error) {
          if (error instanceof RefundError) return;
          throw error;
        }
        const d = quote.derivation;
        expect(differences(quote, recompute(d, DEFAULT_POLICY))).toEqual([]);
        expect(d.total.refundAmount).toBe(d.lines.reduce((sum, l) => sum + l.refundAmount, 0));
        expect(d.eligibility.windowEndsAt).toBe((facts.orders[0] as Order).paidAt + 5 * DAY_MS);
        for (const line of presentQuoteDerivation(d).lines) {
          expect(line.usedDays + line.remainingDays).toBe(line.termDays);
          if (line.rule === 'IN_EFFECT') {
            const p = line.proration;
            expect(p).not.toBeNull();
            if (!p) return;
            expect(BigInt(p.numerator)).toBe(BigInt(line.cashPaid) * BigInt(line.remainingDays));
            expect(BigInt(p.quotient) * BigInt(line.termDays) + BigInt(p.remainder)).toBe(
              BigInt(p.numerator),
            );
            expect(p.remainder).toBeLessThan(line.termDays);
            expect(line.refundAmount).toBe(p.quotient);
          } else {
            expect(line.refundAmount).toBe(line.rule === 'ENDED' ? 0 : line.cashPaid);
          }
        }
        expect(d.lines.map((l) => l.refundAmount)).toEqual(quote.lines.map((l) => l.refundAmount));
      }),
    );
  });

  it('the retention and due-by derivations give the deadlines, skipping only weekends and holidays', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at('2020-01-01T00:00:00.000Z'), max: at('2030-01-01T00:00:00.000Z') }),
        (now) => {
          const due = explainDueBy(now, ['2026-10-01']);
          expect(due.dueBy).toBe(dueBy(now, ['2026-10-01']));
          expect(due.businessDays).toHaveLength(2);
          for (const s of due.skipped) {
            const weekday = new Date(`${s.day}T00:00:00.000Z`).getUTCDay();
            expect(s.why === 'WEEKEND' ? weekday === 0 || weekday === 6 : s.day === '2026-10-01').toBe(true);
          }
          const r = explainRetention(now);
          expect(r.configDataPurgeAt).toBe(retentionDeadlines(now).configDataPurgeAt);
          expect(r.logDataPurgeAt).toBe(retentionDeadlines(now).logDataPurgeAt);
        },
      ),
    );
  });
});
