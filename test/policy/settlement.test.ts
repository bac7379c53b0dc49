import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS, destinationFor, dueBy, isSettledLate, toIso } from '#policy/index.ts';
import type { PaymentMethodType } from '#shared/domain.ts';
import { RefundError } from '#shared/errors.ts';
import { at, order } from './helpers.ts';

describe('destinationFor (SPEC 2.5)', () => {
  const paidAt = at('2026-01-01T00:00:00.000Z');
  const paid = (type: PaymentMethodType) =>
    order({
      paidAt,
      periodStart: paidAt,
      periodEnd: paidAt + DAY_MS,
      paymentMethod: { type, reference: 'r-1' },
    });

  it.each([
    { type: 'CARD', at: '2026-01-01T00:00:00.000Z', expected: 'ORIGINAL_PAYMENT_METHOD' },
    { type: 'CARD', at: '2026-05-31T00:00:00.000Z', expected: 'ORIGINAL_PAYMENT_METHOD' }, // exactly 150 days
    { type: 'CARD', at: '2026-05-31T00:00:00.001Z', expected: 'ACCOUNT_BALANCE' },
    { type: 'PAYPAL', at: '2026-05-31T00:00:00.001Z', expected: 'ORIGINAL_PAYMENT_METHOD' },
    { type: 'PAYPAL', at: '2026-06-30T00:00:00.000Z', expected: 'ORIGINAL_PAYMENT_METHOD' }, // exactly 180 days
    { type: 'PAYPAL', at: '2026-06-30T00:00:00.001Z', expected: 'ACCOUNT_BALANCE' },
    { type: 'BALANCE', at: '2026-01-01T00:00:00.000Z', expected: 'ACCOUNT_BALANCE' },
    { type: 'BALANCE', at: '2027-01-01T00:00:00.000Z', expected: 'ACCOUNT_BALANCE' },
  ] as const)('$type paid 2026-01-01, refunded at $at → $expected', ({ type, at: when, expected }) => {
    expect(destinationFor(paid(type), at(when))).toBe(expected);
  });
});

describe('dueBy (SPEC 2.5): 00:00 UTC+8 after the second business day after confirmation', () => {
  it.each([
    {
      what: 'Friday 10:00 UTC+8 → Wednesday',
      confirmed: '2026-11-27T02:00:00.000Z',
      due: '2026-12-01T16:00:00.000Z',
    },
    {
      what: 'Monday 10:00 → Thursday',
      confirmed: '2026-11-23T02:00:00.000Z',
      due: '2026-11-25T16:00:00.000Z',
    },
    {
      what: 'Thursday 23:00 → Tuesday',
      confirmed: '2026-11-26T15:00:00.000Z',
      due: '2026-11-30T16:00:00.000Z',
    },
    {
      what: 'Thursday UTC but Friday 01:00 UTC+8 → Wednesday',
      confirmed: '2026-11-26T17:00:00.000Z',
      due: '2026-12-01T16:00:00.000Z',
    },
    {
      what: 'Friday 23:59:59.999 UTC+8 → Wednesday',
      confirmed: '2026-11-27T15:59:59.999Z',
      due: '2026-12-01T16:00:00.000Z',
    },
    {
      what: 'Saturday 00:00 UTC+8 → Wednesday',
      confirmed: '2026-11-27T16:00:00.000Z',
      due: '2026-12-01T16:00:00.000Z',
    },
    {
      what: 'Sunday 23:59:59.999 UTC+8 → Wednesday',
      confirmed: '2026-11-29T15:59:59.999Z',
      due: '2026-12-01T16:00:00.000Z',
    },
    {
      what: 'Monday 00:00 UTC+8 (the day itself never counts) → Thursday',
      confirmed: '2026-11-29T16:00:00.000Z',
      due: '2026-12-02T16:00:00.000Z',
    },
    {
      what: 'across a year end: Wednesday 2026-12-30 → Saturday 2027-01-02 00:00',
      confirmed: '2026-12-30T02:00:00.000Z',
      due: '2027-01-01T16:00:00.000Z',
    },
  ])('$what', ({ confirmed, due }) => {
    expect(toIso(dueBy(at(confirmed)))).toBe(due);
  });

  it.each([
    {
      what: 'a Monday holiday pushes Friday to Thursday',
      confirmed: '2026-11-27T02:00:00.000Z',
      holidays: ['2026-11-30'],
      due: '2026-12-02T16:00:00.000Z',
    },
    {
      what: 'a holiday on a weekend changes nothing',
      confirmed: '2026-11-27T02:00:00.000Z',
      holidays: ['2026-11-28', '2026-11-29'],
      due: '2026-12-01T16:00:00.000Z',
    },
    {
      what: 'a holiday on the day of confirmation changes nothing',
      confirmed: '2026-11-23T02:00:00.000Z',
      holidays: ['2026-11-23'],
      due: '2026-11-25T16:00:00.000Z',
    },
    {
      what: 'National Day week: Wednesday 2026-09-30 → Saturday 2026-10-10 00:00',
      confirmed: '2026-09-30T02:00:00.000Z',
      holidays: ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'],
      due: '2026-10-09T16:00:00.000Z',
    },
  ])('$what', ({ confirmed, holidays, due }) => {
    expect(toIso(dueBy(at(confirmed), holidays))).toBe(due);
  });

  it.each(['2026-02-30', 'next monday', '2026-1-5'])('refuses the malformed holiday %j', (holiday) => {
    let error: unknown;
    try {
      dueBy(at('2026-11-27T02:00:00.000Z'), ['2026-11-30', holiday]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RefundError);
    expect((error as RefundError).toBody().error.details).toEqual({
      issues: [{ field: 'holidays.1', message: 'must be a real YYYY-MM-DD date' }],
    });
  });

  it('is always a UTC+8 midnight, 2 to 5 days after confirmation without holidays', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at('1990-01-01T00:00:00.000Z'), max: at('2100-01-01T00:00:00.000Z') }),
        (t) => {
          const due = dueBy(t);
          expect(toIso(due).endsWith('T16:00:00.000Z')).toBe(true);
          expect(due - t).toBeGreaterThan(2 * DAY_MS);
          expect(due - t).toBeLessThanOrEqual(5 * DAY_MS);
        },
      ),
    );
  });
});

describe('isSettledLate', () => {
  const due = at('2026-12-01T16:00:00.000Z');
  it.each([
    ['2026-12-01T15:59:59.999Z', false],
    ['2026-12-01T16:00:00.000Z', false],
    ['2026-12-01T16:00:00.001Z', true],
  ])('settled at %s → slaBreached %s', (settledAt, late) => {
    expect(isSettledLate(at(settledAt), due)).toBe(late);
  });
});
