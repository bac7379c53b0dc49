import { describe, expect, it } from 'vitest';
import {
  addMoney,
  MoneyOverflowError,
  quoteRenewalCancellation,
  quoteUnsubscribe,
  sumMoney,
} from '#policy/index.ts';
import { at, instance, order } from './helpers.ts';

const MAX = Number.MAX_SAFE_INTEGER;

describe('checked money sums', () => {
  it('adds safe integers exactly, up to the largest safe integer', () => {
    expect(addMoney(MAX - 1, 1, 'x')).toBe(MAX);
    expect(addMoney(-5, 3, 'x')).toBe(-2);
    expect(sumMoney([1, 2, 3], 'x')).toBe(6);
    expect(sumMoney([], 'x')).toBe(0);
  });

  it.each([
    [MAX, 1],
    [MAX, MAX],
    [-MAX, -2],
    [0.5, 1],
    [Number.NaN, 0],
    [2 ** 60, -(2 ** 60)],
  ])('refuses %d + %d with a MoneyOverflowError naming what was summed', (a, b) => {
    expect(() => addMoney(a, b, 'refundAmount')).toThrow(MoneyOverflowError);
    expect(() => addMoney(a, b, 'refundAmount')).toThrow('refundAmount is not a safe integer');
  });

  it('an unsubscription quote whose refund would be unsafe throws instead of rounding', () => {
    const facts = instance([
      order({
        orderId: 'o-new',
        periodStart: at('2026-06-01T00:00:00.000Z'),
        periodEnd: at('2026-07-01T00:00:00.000Z'),
        cashPaid: MAX,
      }),
      order({
        orderId: 'o-r1',
        type: 'RENEW',
        periodStart: at('2026-07-01T00:00:00.000Z'),
        periodEnd: at('2026-08-01T00:00:00.000Z'),
        cashPaid: 2,
      }),
    ]);
    expect(() => quoteUnsubscribe(facts, { now: at('2026-05-01T00:00:00.000Z'), quotaUsed: true })).toThrow(
      MoneyOverflowError,
    );
  });

  it('so do unsafe voucher totals, and a renewal cancellation whose refund would be unsafe', () => {
    const renewals = (cash: number, voucher: number) =>
      instance([
        order({
          orderId: 'o-new',
          periodStart: at('2026-05-01T00:00:00.000Z'),
          periodEnd: at('2026-06-01T00:00:00.000Z'),
        }),
        ...[1, 2].map((n) =>
          order({
            orderId: `o-r${n}`,
            type: 'RENEW',
            periodStart: at(`2026-0${5 + n}-01T00:00:00.000Z`),
            periodEnd: at(`2026-0${6 + n}-01T00:00:00.000Z`),
            cashPaid: cash,
            voucherPaid: voucher,
          }),
        ),
      ]);
    const now = at('2026-05-10T00:00:00.000Z');
    expect(() => quoteRenewalCancellation(renewals(MAX - 1, 0), { now })).toThrow(MoneyOverflowError);
    expect(() => quoteRenewalCancellation(renewals(1, MAX - 1), { now })).toThrow(MoneyOverflowError);
    expect(() => quoteUnsubscribe(renewals(1, MAX - 1), { now, quotaUsed: true })).toThrow(
      'nonRefundableVoucherAmount is not a safe integer',
    );
    expect(quoteRenewalCancellation(renewals(MAX / 2 - 0.5, 0), { now }).refundAmount).toBe(MAX - 1);
  });
});
