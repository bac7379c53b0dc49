/** SPEC 2.6, every worked example, exactly. */
import { describe, expect, it } from 'vitest';
import {
  dueBy,
  quotaYear,
  quoteRenewalCancellation,
  quoteUnsubscribe,
  retentionDeadlines,
} from '#policy/index.ts';
import { presentQuote } from '#shared/present.ts';
import { at, fixture } from './helpers.ts';

describe('SPEC 2.6 worked examples', () => {
  it('1: within 5 days of purchase, quota unused → FULL_REFUND 99900, voucher 10000 kept, 2026 quota used', () => {
    const quote = quoteUnsubscribe(fixture('example-1-2-annual.json'), {
      now: at('2026-03-05T10:00:00.000Z'),
      quotaUsed: false,
    });
    expect(quote).toMatchObject({
      refundType: 'FULL_REFUND',
      refundAmount: 99900,
      nonRefundableVoucherAmount: 10000,
      quotaYear: 2026,
      usesQuota: true,
    });
    expect(quote.lines).toEqual([
      {
        orderId: 'o-new',
        cashPaid: 99900,
        voucherPaid: 10000,
        usedDays: 4,
        termDays: 365,
        refundAmount: 99900,
        destination: 'ORIGINAL_PAYMENT_METHOD',
      },
    ]);
  });

  it('2: same, 2026 quota already used → PARTIAL_REFUND floor(99900 × 361 / 365) = 98805', () => {
    const quote = quoteUnsubscribe(fixture('example-1-2-annual.json'), {
      now: at('2026-03-05T10:00:00.000Z'),
      quotaUsed: true,
    });
    expect(quote).toMatchObject({
      refundType: 'PARTIAL_REFUND',
      refundAmount: 98805,
      nonRefundableVoucherAmount: 10000,
      usesQuota: false,
    });
    expect(quote.lines).toEqual([
      expect.objectContaining({ termDays: 365, usedDays: 4, refundAmount: 98805 }),
    ]);
  });

  it('3: NEW in effect (27 of 31 days used → 400) plus a renewal not started (2800) → 3200, voucher 200 kept', () => {
    const quote = quoteUnsubscribe(fixture('example-3-monthly.json'), {
      now: at('2026-02-05T12:30:00.000Z'),
      quotaUsed: false,
    });
    expect(presentQuote(quote)).toEqual({
      refundType: 'PARTIAL_REFUND',
      currency: 'USD',
      refundAmount: 3200,
      nonRefundableVoucherAmount: 200,
      lines: [
        {
          orderId: 'o-new',
          cashPaid: 3100,
          voucherPaid: 0,
          usedDays: 27,
          termDays: 31,
          refundAmount: 400,
          destination: 'ORIGINAL_PAYMENT_METHOD',
        },
        {
          orderId: 'o-renew',
          cashPaid: 2800,
          voucherPaid: 200,
          usedDays: 0,
          termDays: 28,
          refundAmount: 2800,
          destination: 'ORIGINAL_PAYMENT_METHOD',
        },
      ],
      retention: {
        configDataPurgeAt: '2026-02-12T12:30:00.000Z',
        logDataPurgeAt: '2026-02-05T16:00:00.000Z',
      },
    });
  });

  it.each([
    {
      chosen: undefined,
      cancelled: ['o-renew-a', 'o-renew-b'],
      refund: 2200,
      expires: '2026-06-01T00:00:00.000Z',
    },
    {
      chosen: '2026-06-01T00:00:00.000Z',
      cancelled: ['o-renew-a', 'o-renew-b'],
      refund: 2200,
      expires: '2026-06-01T00:00:00.000Z',
    },
    {
      chosen: '2026-07-01T00:00:00.000Z',
      cancelled: ['o-renew-b'],
      refund: 1200,
      expires: '2026-07-01T00:00:00.000Z',
    },
  ])(
    '4: updated expiration time $chosen cancels $cancelled and refunds $refund',
    ({ chosen, cancelled, refund, expires }) => {
      const quote = quoteRenewalCancellation(fixture('example-4-renewals.json'), {
        now: at('2026-05-20T00:00:00.000Z'),
        updatedExpirationTime: chosen === undefined ? undefined : at(chosen),
      });
      expect(quote.allowedExpirationTimes).toEqual([
        at('2026-06-01T00:00:00.000Z'),
        at('2026-07-01T00:00:00.000Z'),
      ]);
      expect(quote.cancelledOrderIds).toEqual(cancelled);
      expect(quote.lines.map((l) => l.orderId)).toEqual(cancelled);
      expect(quote.refundAmount).toBe(refund);
      expect(quote.updatedExpirationTime).toBe(at(expires));
    },
  );

  it('5: unsubscribed 2026-04-10T15:30Z (23:30 UTC+8) → log data at 16:00Z, configuration a week later', () => {
    expect(retentionDeadlines(at('2026-04-10T15:30:00.000Z'))).toEqual({
      logDataPurgeAt: at('2026-04-10T16:00:00.000Z'),
      configDataPurgeAt: at('2026-04-17T15:30:00.000Z'),
    });
  });

  it('6: confirmed Friday 2026-11-27 10:00 UTC+8 → due Wednesday 00:00 UTC+8 (2026-12-01T16:00Z)', () => {
    expect(dueBy(at('2026-11-27T02:00:00.000Z'))).toBe(at('2026-12-01T16:00:00.000Z'));
  });

  it('7: 2026-12-31T17:00Z is already 2027 in UTC+8', () => {
    expect(quotaYear(at('2026-12-31T17:00:00.000Z'))).toBe(2027);
  });
});
