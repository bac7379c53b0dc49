import { describe, expect, it } from 'vitest';
import { pendingRenewals, quoteRenewalCancellation, renewalsNoLongerPending } from '#policy/index.ts';
import type { Order } from '#shared/domain.ts';
import { RefundError } from '#shared/errors.ts';
import { at, instance, order } from './helpers.ts';

/** NEW May, renewals A (June), B (July), C (August, cancelled earlier) — all at 00:00Z. */
const orders = (): Order[] => [
  order({
    orderId: 'o-new',
    periodStart: at('2026-05-01T00:00:00.000Z'),
    periodEnd: at('2026-06-01T00:00:00.000Z'),
  }),
  order({
    orderId: 'o-a',
    type: 'RENEW',
    paidAt: at('2026-05-10T00:00:00.000Z'),
    periodStart: at('2026-06-01T00:00:00.000Z'),
    periodEnd: at('2026-07-01T00:00:00.000Z'),
    cashPaid: 1000,
    voucherPaid: 100,
  }),
  order({
    orderId: 'o-b',
    type: 'RENEW',
    paidAt: at('2026-05-11T00:00:00.000Z'),
    periodStart: at('2026-07-01T00:00:00.000Z'),
    periodEnd: at('2026-08-01T00:00:00.000Z'),
    cashPaid: 1200,
    voucherPaid: 30,
    paymentMethod: { type: 'PAYPAL', reference: 'pp-1' },
  }),
  order({
    orderId: 'o-c',
    type: 'RENEW',
    status: 'CANCELLED',
    paidAt: at('2026-05-12T00:00:00.000Z'),
    periodStart: at('2026-08-01T00:00:00.000Z'),
    periodEnd: at('2026-09-01T00:00:00.000Z'),
    cashPaid: 1300,
  }),
];

function refusal(fn: () => unknown): RefundError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RefundError) return error;
    throw error;
  }
  throw new Error('expected a RefundError');
}

describe('pendingRenewals', () => {
  it.each([
    { now: '2026-05-20T00:00:00.000Z', pending: ['o-a', 'o-b'] },
    { now: '2026-05-31T23:59:59.999Z', pending: ['o-a', 'o-b'] },
    { now: '2026-06-01T00:00:00.000Z', pending: ['o-b'] },
    { now: '2026-06-30T23:59:59.999Z', pending: ['o-b'] },
    { now: '2026-07-01T00:00:00.000Z', pending: [] },
  ])('at $now: $pending (PAID RENEW orders not started yet)', ({ now, pending }) => {
    expect(pendingRenewals(orders(), at(now)).map((o) => o.orderId)).toEqual(pending);
  });
});

describe('renewalsNoLongerPending', () => {
  it.each([
    { now: '2026-05-31T23:59:59.999Z', cancels: ['o-a', 'o-b'], gone: [] },
    { now: '2026-06-01T00:00:00.000Z', cancels: ['o-a', 'o-b'], gone: ['o-a'] },
    { now: '2026-06-01T00:00:00.000Z', cancels: ['o-b'], gone: [] },
    { now: '2026-07-01T00:00:00.000Z', cancels: ['o-a', 'o-b'], gone: ['o-a', 'o-b'] },
    // Cancelled meanwhile (no longer PAID): not pending either.
    { now: '2026-05-20T00:00:00.000Z', cancels: ['o-c'], gone: ['o-c'] },
  ])(
    'at $now, a quote cancelling $cancels names $gone that can no longer be cancelled',
    ({ now, cancels, gone }) => {
      expect(renewalsNoLongerPending(orders(), cancels, at(now)).map((o) => o.orderId)).toEqual(gone);
    },
  );
});

describe('quoteRenewalCancellation', () => {
  it('cancels from the chosen time on, refunding their whole cash with usedDays 0', () => {
    const quote = quoteRenewalCancellation(instance(orders()), {
      now: at('2026-05-20T00:00:00.000Z'),
      updatedExpirationTime: at('2026-06-01T00:00:00.000Z'),
    });
    expect(quote).toEqual({
      policy: { id: 'security-center/international', version: 1 },
      derivation: expect.objectContaining({ schema: 'refund-derivation/1' }),
      kind: 'CANCEL_RENEWAL',
      refundType: 'RENEWAL_CANCELLATION',
      currency: 'USD',
      refundAmount: 2200,
      nonRefundableVoucherAmount: 130,
      lines: [
        {
          orderId: 'o-a',
          cashPaid: 1000,
          voucherPaid: 100,
          usedDays: 0,
          termDays: 30,
          refundAmount: 1000,
          destination: 'ORIGINAL_PAYMENT_METHOD',
        },
        {
          orderId: 'o-b',
          cashPaid: 1200,
          voucherPaid: 30,
          usedDays: 0,
          termDays: 31,
          refundAmount: 1200,
          destination: 'ORIGINAL_PAYMENT_METHOD',
        },
      ],
      cancelledOrderIds: ['o-a', 'o-b'],
      updatedExpirationTime: at('2026-06-01T00:00:00.000Z'),
      allowedExpirationTimes: [at('2026-06-01T00:00:00.000Z'), at('2026-07-01T00:00:00.000Z')],
    });
  });

  it('once A has started, only B can be cancelled and the default is its start', () => {
    const quote = quoteRenewalCancellation(instance(orders()), { now: at('2026-06-15T00:00:00.000Z') });
    expect(quote.allowedExpirationTimes).toEqual([at('2026-07-01T00:00:00.000Z')]);
    expect(quote.cancelledOrderIds).toEqual(['o-b']);
    expect(quote.refundAmount).toBe(1200);
  });

  it('lists each allowed time once, in ascending order, whatever the order of the orders', () => {
    const [newOrder, a, b] = orders() as [Order, Order, Order];
    const twin = { ...b, orderId: 'o-b2', cashPaid: 5 };
    const quote = quoteRenewalCancellation(instance([newOrder, twin, b, a]), {
      now: at('2026-05-20T00:00:00.000Z'),
      updatedExpirationTime: at('2026-07-01T00:00:00.000Z'),
    });
    expect(quote.allowedExpirationTimes).toEqual([
      at('2026-06-01T00:00:00.000Z'),
      at('2026-07-01T00:00:00.000Z'),
    ]);
    expect(quote.cancelledOrderIds).toEqual(['o-b2', 'o-b']);
    expect(quote.refundAmount).toBe(1205);
  });

  it('predicts destinations as of now (card paid more than 150 days ago → balance)', () => {
    const quote = quoteRenewalCancellation(
      instance([
        order({ periodStart: at('2026-01-01T00:00:00.000Z'), periodEnd: at('2027-01-01T00:00:00.000Z') }),
        order({
          orderId: 'o-r',
          type: 'RENEW',
          paidAt: at('2026-01-01T00:00:00.000Z'), // 151 days before now
          periodStart: at('2027-01-01T00:00:00.000Z'),
          periodEnd: at('2028-01-01T00:00:00.000Z'),
        }),
      ]),
      { now: at('2026-06-01T00:00:00.000Z') },
    );
    expect(quote.lines[0]).toMatchObject({ orderId: 'o-r', termDays: 365, destination: 'ACCOUNT_BALANCE' });
  });

  it('allows a cancellation that refunds 0 (renewal paid by voucher only)', () => {
    const [newOrder, a] = orders() as [Order, Order];
    const quote = quoteRenewalCancellation(instance([newOrder, { ...a, cashPaid: 0, voucherPaid: 1000 }]), {
      now: at('2026-05-20T00:00:00.000Z'),
    });
    expect(quote.refundAmount).toBe(0);
    expect(quote.nonRefundableVoucherAmount).toBe(1000);
    expect(quote.cancelledOrderIds).toEqual(['o-a']);
  });

  it.each([
    { what: 'only the NEW order', keep: ['o-new'], now: '2026-05-20T00:00:00.000Z' },
    { what: 'the renewals have started', keep: ['o-new', 'o-a', 'o-b'], now: '2026-07-01T00:00:00.000Z' },
    {
      what: 'the only future renewal is already cancelled',
      keep: ['o-new', 'o-c'],
      now: '2026-05-20T00:00:00.000Z',
    },
  ])('NO_PENDING_RENEWAL when $what', ({ keep, now }) => {
    const error = refusal(() =>
      quoteRenewalCancellation(instance(orders().filter((o) => keep.includes(o.orderId))), { now: at(now) }),
    );
    expect(error.status).toBe(422);
    expect(error.toBody()).toEqual({
      error: {
        code: 'NO_PENDING_RENEWAL',
        message: 'The instance has no paid renewal that has not started yet',
        details: { instanceId: 'i-1' },
      },
    });
  });

  it.each([
    '2026-08-01T00:00:00.000Z', // end of B, start of the cancelled C
    '2026-06-15T00:00:00.000Z', // inside A
    '2026-05-01T00:00:00.000Z', // start of the NEW order
    '2026-06-01T00:00:00.001Z', // one ms off
    '2026-05-20T00:00:00.000Z', // now
  ])('INVALID_EXPIRATION_TIME for %s, listing the allowed values ascending as ISO strings', (chosen) => {
    const error = refusal(() =>
      quoteRenewalCancellation(instance(orders()), {
        now: at('2026-05-20T00:00:00.000Z'),
        updatedExpirationTime: at(chosen),
      }),
    );
    expect(error.status).toBe(422);
    expect(error.toBody()).toEqual({
      error: {
        code: 'INVALID_EXPIRATION_TIME',
        message: 'The updated expiration time must be the start of a renewal that has not started yet',
        details: { allowed: ['2026-06-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z'] },
      },
    });
  });
});
