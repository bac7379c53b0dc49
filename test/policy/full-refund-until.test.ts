/** `fullRefundUntil`: what the instance list shows, always what a quote made at the same instant decides. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS, fullRefundUntil, MoneyOverflowError, quoteUnsubscribe } from '#policy/index.ts';
import { RefundError } from '#shared/errors.ts';
import { at, instance, order } from './helpers.ts';

const PAID = at('2026-03-01T00:00:00.000Z');
const bought = (cashPaid = 36_500, fields: Parameters<typeof instance>[1] = {}) =>
  instance([order({ paidAt: PAID, periodStart: PAID, periodEnd: PAID + 365 * DAY_MS, cashPaid })], fields);

describe('fullRefundUntil', () => {
  it.each([
    ['just bought', '2026-03-01T00:00:00.000Z', false, '2026-03-06T00:00:00.000Z'],
    ['1 ms before the window ends', '2026-03-05T23:59:59.999Z', false, '2026-03-06T00:00:00.000Z'],
    ['at the window end (strict)', '2026-03-06T00:00:00.000Z', false, null],
    ["the year's full refund used", '2026-03-02T00:00:00.000Z', true, null],
  ])('%s → %s', (_case, now, quotaUsed, expected) => {
    const until = fullRefundUntil(bought(), { now: at(now), quotaUsed });
    expect(until === null ? null : new Date(until).toISOString()).toBe(expected);
  });

  it.each([
    ['unsubscribed', bought(36_500, { status: 'UNSUBSCRIBED' })],
    ['pay-as-you-go', bought(36_500, { billingMethod: 'PAY_AS_YOU_GO' })],
    [
      'abnormal',
      bought(36_500, {
        flags: { overduePayment: true, securityLocked: false, configurationChangeInProgress: false },
      }),
    ],
    ['paid by voucher only (nothing to refund)', bought(0)],
  ])('is null when %s: no quote would be a full refund', (_case, facts) => {
    expect(fullRefundUntil(facts, { now: PAID + DAY_MS, quotaUsed: false })).toBeNull();
  });

  it('lets an unexpected failure through', () => {
    const huge = instance([
      order({ paidAt: PAID, periodStart: PAID, periodEnd: PAID + DAY_MS, cashPaid: Number.MAX_SAFE_INTEGER }),
      order({
        orderId: 'o-renew',
        type: 'RENEW',
        paidAt: PAID,
        periodStart: PAID + DAY_MS,
        periodEnd: PAID + 2 * DAY_MS,
        cashPaid: Number.MAX_SAFE_INTEGER,
      }),
    ]);
    expect(() => fullRefundUntil(huge, { now: PAID, quotaUsed: false })).toThrow(MoneyOverflowError);
  });

  it('is the window end exactly when a quote at that instant is a full refund', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 * DAY_MS }),
        fc.boolean(),
        fc.integer({ min: 0, max: 100_000 }),
        fc.constantFrom('ACTIVE', 'UNSUBSCRIBED'),
        (age, quotaUsed, cash, status) => {
          const facts = bought(cash, { status: status as 'ACTIVE' | 'UNSUBSCRIBED' });
          const now = PAID + age;
          let full = false;
          try {
            full = quoteUnsubscribe(facts, { now, quotaUsed }).refundType === 'FULL_REFUND';
          } catch (error) {
            if (!(error instanceof RefundError)) throw error;
          }
          expect(fullRefundUntil(facts, { now, quotaUsed })).toBe(full ? PAID + 5 * DAY_MS : null);
        },
      ),
    );
  });
});
