import { describe, expect, it } from 'vitest';
import {
  expiresAt,
  newOrderOf,
  QUOTE_TTL_MS,
  quoteRenewalCancellation,
  quoteUnsubscribe,
} from '#policy/index.ts';
import { RefundError } from '#shared/errors.ts';
import { presentQuote, presentStoredQuote } from '#shared/present.ts';
import { at, fixture, order } from './helpers.ts';

describe('presentQuote', () => {
  it('shows an unsubscribe quote with ISO instants and without the policy-internal fields', () => {
    const quote = quoteUnsubscribe(fixture('example-1-2-annual.json'), {
      now: at('2026-04-10T15:30:00.000Z'),
      quotaUsed: true,
    });
    const shown = presentQuote(quote);
    expect(Object.keys(shown)).toEqual([
      'refundType',
      'currency',
      'refundAmount',
      'nonRefundableVoucherAmount',
      'lines',
      'retention',
    ]);
    expect(shown).toMatchObject({
      refundType: 'PARTIAL_REFUND',
      refundAmount: 88952, // floor(99900 × (365 − 40) / 365)
      retention: {
        configDataPurgeAt: '2026-04-17T15:30:00.000Z',
        logDataPurgeAt: '2026-04-10T16:00:00.000Z',
      },
    });
    expect(shown.lines[0]).not.toBe(quote.lines[0]);
    expect(shown.lines[0]).toEqual(quote.lines[0]);
  });

  it('wraps a stored renewal-cancellation quote in its envelope, in the SPEC 4.2 field order', () => {
    const asOf = at('2026-05-20T00:00:00.000Z');
    const quote = quoteRenewalCancellation(fixture('example-4-renewals.json'), { now: asOf });
    const record = {
      quoteId: 'q-1',
      accountId: 'acct-1',
      instanceId: 'i-renewals',
      kind: 'CANCEL_RENEWAL' as const,
      quote,
      asOf,
      expiresAt: asOf + QUOTE_TTL_MS,
      instanceVersion: 1,
      usedAt: null,
    };
    const shown = presentStoredQuote(record, []);
    expect(Object.keys(shown)).toEqual([
      'quoteId',
      'instanceId',
      'kind',
      'refundType',
      'currency',
      'refundAmount',
      'nonRefundableVoucherAmount',
      'lines',
      'updatedExpirationTime',
      'allowedExpirationTimes',
      'asOf',
      'expiresAt',
      'dueBy',
      'policy',
      'derivation',
    ]);
    expect(shown).toMatchObject({
      quoteId: 'q-1',
      instanceId: 'i-renewals',
      kind: 'CANCEL_RENEWAL',
      refundType: 'RENEWAL_CANCELLATION',
      currency: 'EUR',
      refundAmount: 2200,
      nonRefundableVoucherAmount: 50,
      updatedExpirationTime: '2026-06-01T00:00:00.000Z',
      allowedExpirationTimes: ['2026-06-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z'],
      asOf: '2026-05-20T00:00:00.000Z',
      expiresAt: '2026-05-20T00:15:00.000Z',
      // Confirmed by Wednesday 08:15 UTC+8: Thursday and Friday, due at Saturday 00:00 UTC+8.
      dueBy: '2026-05-22T16:00:00.000Z',
    });
    // With Thursday a holiday: Friday and Monday, due at Tuesday 00:00 UTC+8.
    expect(presentStoredQuote(record, ['2026-05-21']).dueBy).toBe('2026-05-25T16:00:00.000Z');
    expect(shown.lines.map((l) => l.destination)).toEqual(['ORIGINAL_PAYMENT_METHOD', 'ACCOUNT_BALANCE']);
  });
});

describe('expiresAt and newOrderOf', () => {
  const base = at('2026-01-01T00:00:00.000Z');
  const month = 30 * 86_400_000;
  const orders = [
    order({
      orderId: 'o-r2',
      type: 'RENEW',
      status: 'CANCELLED',
      periodStart: base + 2 * month,
      periodEnd: base + 3 * month,
    }),
    order({ orderId: 'o-new', periodStart: base, periodEnd: base + month }),
    order({ orderId: 'o-r1', type: 'RENEW', periodStart: base + month, periodEnd: base + 2 * month }),
  ];

  it('expiresAt is the latest periodEnd of the PAID orders, whatever their order', () => {
    expect(expiresAt(orders)).toBe(base + 2 * month);
    expect(expiresAt(orders.slice(1, 2))).toBe(base + month);
  });

  it('expiresAt refuses orders with nothing PAID', () => {
    expect(() => expiresAt(orders.slice(0, 1))).toThrow(RefundError);
    expect(() => expiresAt([])).toThrow('orders: must contain at least one PAID order');
  });

  it('newOrderOf finds the purchase wherever it is', () => {
    expect(newOrderOf(orders).orderId).toBe('o-new');
    expect(() => newOrderOf(orders.slice(2))).toThrow('orders: must contain exactly one NEW order');
  });
});
