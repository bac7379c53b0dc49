import { describe, expect, it } from 'vitest';
import { inFullRefundWindow, prorate, quoteUnsubscribe } from '#policy/index.ts';
import { RefundError } from '#shared/errors.ts';
import { at, instance, order } from './helpers.ts';

const annual = () =>
  instance([
    order({
      orderId: 'o-new',
      paidAt: at('2026-03-02T02:00:00.000Z'),
      periodStart: at('2026-03-02T02:00:00.000Z'),
      periodEnd: at('2027-03-02T02:00:00.000Z'),
      cashPaid: 99900,
      voucherPaid: 10000,
    }),
  ]);

function refusal(fn: () => unknown): RefundError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RefundError) return error;
    throw error;
  }
  throw new Error('expected a RefundError');
}

describe('inFullRefundWindow: whether the yearly quota can matter at all', () => {
  it.each([
    ['2026-03-02T02:00:00.000Z', true],
    ['2026-03-07T01:59:59.999Z', true],
    ['2026-03-07T02:00:00.000Z', false],
    ['2026-03-07T02:00:00.001Z', false],
  ])('at %s → %s', (now, expected) => {
    expect(inFullRefundWindow(annual(), at(now))).toBe(expected);
  });
});

describe('quoteUnsubscribe: the 5-day full refund window (strict, from NEW.paidAt)', () => {
  it.each([
    {
      now: '2026-03-07T01:59:59.999Z',
      quotaUsed: false,
      refundType: 'FULL_REFUND',
      refund: 99900,
      usedDays: 5,
    },
    {
      now: '2026-03-07T02:00:00.000Z',
      quotaUsed: false,
      refundType: 'PARTIAL_REFUND',
      refund: 98531,
      usedDays: 5,
    },
    {
      now: '2026-03-07T02:00:00.001Z',
      quotaUsed: false,
      refundType: 'PARTIAL_REFUND',
      refund: 98257,
      usedDays: 6,
    },
    {
      now: '2026-03-02T02:00:00.000Z',
      quotaUsed: false,
      refundType: 'FULL_REFUND',
      refund: 99900,
      usedDays: 0,
    },
    {
      now: '2026-03-02T02:00:00.000Z',
      quotaUsed: true,
      refundType: 'PARTIAL_REFUND',
      refund: 99900,
      usedDays: 0,
    },
    {
      now: '2026-03-07T01:59:59.999Z',
      quotaUsed: true,
      refundType: 'PARTIAL_REFUND',
      refund: 98531,
      usedDays: 5,
    },
  ])(
    'at $now with quotaUsed=$quotaUsed → $refundType $refund',
    ({ now, quotaUsed, refundType, refund, usedDays }) => {
      const quote = quoteUnsubscribe(annual(), { now: at(now), quotaUsed });
      expect(quote.refundType).toBe(refundType);
      expect(quote.usesQuota).toBe(refundType === 'FULL_REFUND');
      expect(quote.refundAmount).toBe(refund);
      expect(quote.lines).toEqual([
        expect.objectContaining({ usedDays, termDays: 365, refundAmount: refund }),
      ]);
    },
  );

  it('counts the window from the purchase payment, not from the period start', () => {
    const paidAhead = instance([
      order({
        paidAt: at('2026-03-01T00:00:00.000Z'),
        periodStart: at('2026-03-10T00:00:00.000Z'),
        periodEnd: at('2026-04-10T00:00:00.000Z'),
        cashPaid: 3100,
      }),
    ]);
    const quote = quoteUnsubscribe(paidAhead, { now: at('2026-03-06T00:00:00.000Z'), quotaUsed: false });
    expect(quote.refundType).toBe('PARTIAL_REFUND');
    expect(quote.refundAmount).toBe(3100);
    expect(quote.lines[0]).toMatchObject({ usedDays: 0, termDays: 31, refundAmount: 3100 });
  });

  it('a full refund returns every PAID order whole, still reporting the days used', () => {
    const quote = quoteUnsubscribe(
      instance([
        order({
          orderId: 'o-new',
          periodStart: at('2026-01-01T00:00:00.000Z'),
          periodEnd: at('2026-01-04T00:00:00.000Z'),
          cashPaid: 300,
          voucherPaid: 30,
        }),
        order({
          orderId: 'o-renew',
          type: 'RENEW',
          paidAt: at('2026-01-02T00:00:00.000Z'),
          periodStart: at('2026-01-04T00:00:00.000Z'),
          periodEnd: at('2026-02-04T00:00:00.000Z'),
          cashPaid: 3100,
          voucherPaid: 7,
        }),
      ]),
      { now: at('2026-01-05T00:00:00.000Z'), quotaUsed: false },
    );
    expect(quote.refundType).toBe('FULL_REFUND');
    expect(quote.refundAmount).toBe(3400);
    expect(quote.nonRefundableVoucherAmount).toBe(37);
    expect(quote.lines.map((l) => [l.orderId, l.usedDays, l.termDays, l.refundAmount])).toEqual([
      ['o-new', 3, 3, 300],
      ['o-renew', 1, 31, 3100],
    ]);
  });
});

describe('quoteUnsubscribe: partial refund day counting', () => {
  it.each([
    {
      what: 'February of a leap year (29 days)',
      start: '2028-02-01T00:00:00.000Z',
      end: '2028-03-01T00:00:00.000Z',
      now: '2028-02-28T12:00:00.000Z',
      cash: 2900,
      termDays: 29,
      usedDays: 28,
      refund: 100,
    },
    {
      what: 'February of a common year (28 days)',
      start: '2026-02-01T00:00:00.000Z',
      end: '2026-03-01T00:00:00.000Z',
      now: '2026-02-27T12:00:00.000Z',
      cash: 2800,
      termDays: 28,
      usedDays: 27,
      refund: 100,
    },
    {
      what: 'a year containing 2028-02-29 (366 days), on 2028-03-01',
      start: '2028-01-15T00:00:00.000Z',
      end: '2029-01-15T00:00:00.000Z',
      now: '2028-03-01T00:00:00.000Z',
      cash: 366000,
      termDays: 366,
      usedDays: 46,
      refund: 320000,
    },
    {
      what: 'on the leap day itself',
      start: '2028-02-01T00:00:00.000Z',
      end: '2028-03-01T00:00:00.000Z',
      now: '2028-02-29T00:00:00.000Z',
      cash: 2900,
      termDays: 29,
      usedDays: 28,
      refund: 100,
    },
    {
      what: 'across a month end, exactly one day in',
      start: '2026-01-31T16:00:00.000Z',
      end: '2026-02-28T16:00:00.000Z',
      now: '2026-02-01T16:00:00.000Z',
      cash: 2800,
      termDays: 28,
      usedDays: 1,
      refund: 2700,
    },
    {
      what: 'across a month end, one ms into the second day',
      start: '2026-01-31T16:00:00.000Z',
      end: '2026-02-28T16:00:00.000Z',
      now: '2026-02-01T16:00:00.001Z',
      cash: 2800,
      termDays: 28,
      usedDays: 2,
      refund: 2600,
    },
    {
      what: 'a 36-hour period (not whole days), first ms',
      start: '2026-06-01T00:00:00.000Z',
      end: '2026-06-02T12:00:00.000Z',
      now: '2026-06-01T00:00:00.001Z',
      cash: 1001,
      termDays: 2,
      usedDays: 1,
      refund: 500,
    },
    {
      what: 'a 36-hour period, exactly 24 h in',
      start: '2026-06-01T00:00:00.000Z',
      end: '2026-06-02T12:00:00.000Z',
      now: '2026-06-02T00:00:00.000Z',
      cash: 1001,
      termDays: 2,
      usedDays: 1,
      refund: 500,
    },
    {
      what: 'starting exactly now (in effect, nothing used)',
      start: '2026-06-01T00:00:00.000Z',
      end: '2026-07-01T00:00:00.000Z',
      now: '2026-06-01T00:00:00.000Z',
      cash: 3000,
      termDays: 30,
      usedDays: 0,
      refund: 3000,
    },
    {
      what: 'rounding down to the minor unit',
      start: '2026-06-01T00:00:00.000Z',
      end: '2026-06-04T00:00:00.000Z',
      now: '2026-06-01T10:00:00.000Z',
      cash: 100,
      termDays: 3,
      usedDays: 1,
      refund: 66,
    },
  ])(
    '$what: $usedDays of $termDays days used → $refund',
    ({ start, end, now, cash, termDays, usedDays, refund }) => {
      const quote = quoteUnsubscribe(
        instance([
          order({
            paidAt: at('2020-01-01T00:00:00.000Z'),
            periodStart: at(start),
            periodEnd: at(end),
            cashPaid: cash,
          }),
        ]),
        { now: at(now), quotaUsed: true },
      );
      expect(quote.refundType).toBe('PARTIAL_REFUND');
      expect(quote.lines).toEqual([
        {
          orderId: 'o-new',
          cashPaid: cash,
          voucherPaid: 0,
          usedDays,
          termDays,
          refundAmount: refund,
          destination: 'ACCOUNT_BALANCE',
        },
      ]);
      expect(quote.refundAmount).toBe(refund);
    },
  );

  it('shows ended orders as zero lines, ignores CANCELLED ones, and sums vouchers of the lines only', () => {
    const quote = quoteUnsubscribe(
      instance([
        order({
          orderId: 'o-new',
          periodStart: at('2026-01-01T00:00:00.000Z'),
          periodEnd: at('2026-02-01T00:00:00.000Z'),
          cashPaid: 3100,
          voucherPaid: 100,
        }),
        order({
          orderId: 'o-r1',
          type: 'RENEW',
          paidAt: at('2026-01-20T00:00:00.000Z'),
          periodStart: at('2026-02-01T00:00:00.000Z'),
          periodEnd: at('2026-03-01T00:00:00.000Z'),
          cashPaid: 2800,
          voucherPaid: 20,
        }),
        order({
          orderId: 'o-r2',
          type: 'RENEW',
          status: 'CANCELLED',
          paidAt: at('2026-02-03T00:00:00.000Z'),
          periodStart: at('2026-03-01T00:00:00.000Z'),
          periodEnd: at('2026-04-01T00:00:00.000Z'),
          cashPaid: 3100,
          voucherPaid: 5000,
        }),
      ]),
      { now: at('2026-02-15T00:00:00.000Z'), quotaUsed: true },
    );
    expect(quote.lines.map((l) => [l.orderId, l.usedDays, l.termDays, l.refundAmount])).toEqual([
      ['o-new', 31, 31, 0],
      ['o-r1', 14, 28, 1400],
    ]);
    expect(quote.refundAmount).toBe(1400);
    expect(quote.nonRefundableVoucherAmount).toBe(120);
  });

  it('predicts each line destination as of now', () => {
    const quote = quoteUnsubscribe(
      instance([
        order({
          orderId: 'o-new',
          paidAt: at('2026-01-01T00:00:00.000Z'),
          periodStart: at('2026-01-01T00:00:00.000Z'),
          periodEnd: at('2027-01-01T00:00:00.000Z'),
          cashPaid: 36500,
          paymentMethod: { type: 'CARD', reference: 'card-1' },
        }),
        order({
          orderId: 'o-renew',
          type: 'RENEW',
          paidAt: at('2026-01-01T00:00:00.000Z'),
          periodStart: at('2027-01-01T00:00:00.000Z'),
          periodEnd: at('2028-01-01T00:00:00.000Z'),
          cashPaid: 36500,
          paymentMethod: { type: 'PAYPAL', reference: 'pp-1' },
        }),
      ]),
      { now: at('2026-06-01T00:00:00.000Z'), quotaUsed: false },
    );
    expect(quote.lines.map((l) => l.destination)).toEqual(['ACCOUNT_BALANCE', 'ORIGINAL_PAYMENT_METHOD']);
  });

  it('reports the quota year and the retention deadlines of now', () => {
    const quote = quoteUnsubscribe(annual(), { now: at('2026-12-31T16:00:00.000Z'), quotaUsed: true });
    expect(quote.quotaYear).toBe(2027);
    expect(quote.retention).toEqual({
      configDataPurgeAt: at('2027-01-07T16:00:00.000Z'),
      logDataPurgeAt: at('2027-01-01T16:00:00.000Z'),
    });
    expect(quote.currency).toBe('USD');
    expect(quote.kind).toBe('UNSUBSCRIBE');
  });
});

describe('quoteUnsubscribe: refusals', () => {
  it.each([
    {
      what: 'every order has ended',
      now: '2027-03-02T02:00:00.000Z',
      cash: 99900,
      quotaUsed: true,
      refundType: 'PARTIAL_REFUND',
    },
    {
      what: 'the last day has started',
      now: '2027-03-01T02:00:00.001Z',
      cash: 99900,
      quotaUsed: true,
      refundType: 'PARTIAL_REFUND',
    },
    {
      what: 'everything was paid by voucher',
      now: '2026-03-03T00:00:00.000Z',
      cash: 0,
      quotaUsed: false,
      refundType: 'FULL_REFUND',
    },
  ])('NOTHING_TO_REFUND when $what', ({ now, cash, quotaUsed, refundType }) => {
    const facts = annual();
    const [first] = facts.orders;
    if (first) first.cashPaid = cash;
    const error = refusal(() => quoteUnsubscribe(facts, { now: at(now), quotaUsed }));
    expect(error.toBody()).toEqual({
      error: {
        code: 'NOTHING_TO_REFUND',
        message: 'Unsubscribing this instance now would refund nothing',
        details: { refundType, nonRefundableVoucherAmount: 10000 },
      },
    });
    expect(error.status).toBe(422);
  });

  it('runs the eligibility checks first', () => {
    const error = refusal(() =>
      quoteUnsubscribe(instance(annual().orders, { billingMethod: 'PAY_AS_YOU_GO' }), {
        now: at('2026-03-03T00:00:00.000Z'),
        quotaUsed: false,
      }),
    );
    expect(error.code).toBe('NOT_REFUNDABLE');
  });

  it.each([false, true])(
    'refuses an instance without a NEW order as invalid data (quotaUsed=%s)',
    (quotaUsed) => {
      const facts = instance([{ ...annual().orders[0], type: 'RENEW' } as never]);
      const error = refusal(() =>
        quoteUnsubscribe(facts, { now: at('2026-03-03T00:00:00.000Z'), quotaUsed }),
      );
      expect(error.toBody().error).toEqual({
        code: 'VALIDATION_FAILED',
        message: 'orders: must contain exactly one NEW order',
        details: { issues: [{ field: 'orders', message: 'must contain exactly one NEW order' }] },
      });
    },
  );
});

describe('prorate', () => {
  it.each([
    { cash: 99900, remaining: 361, term: 365, expected: 98805 },
    { cash: 0, remaining: 10, term: 30, expected: 0 },
    { cash: 1, remaining: 29, term: 30, expected: 0 },
    { cash: 7, remaining: 0, term: 3, expected: 0 },
    { cash: 7, remaining: 3, term: 3, expected: 7 },
    // cash × days above 2^53: computed exactly with BigInt.
    { cash: Number.MAX_SAFE_INTEGER, remaining: 364, term: 365, expected: 8982521996508823 },
    { cash: Number.MAX_SAFE_INTEGER, remaining: 1, term: 365, expected: 24677258232167 },
  ])('floor($cash × $remaining / $term) = $expected', ({ cash, remaining, term, expected }) => {
    expect(prorate(cash, remaining, term)).toBe(expected);
  });

  it('refunds a near-2^53 in-effect order exactly', () => {
    const quote = quoteUnsubscribe(
      instance([
        order({
          periodStart: at('2026-01-01T00:00:00.000Z'),
          periodEnd: at('2027-01-01T00:00:00.000Z'),
          cashPaid: Number.MAX_SAFE_INTEGER,
        }),
      ]),
      { now: at('2026-01-01T12:00:00.000Z'), quotaUsed: true },
    );
    expect(quote.refundAmount).toBe(8982521996508823);
  });
});
