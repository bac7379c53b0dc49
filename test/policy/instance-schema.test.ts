import { describe, expect, it } from 'vitest';
import { compareOrders, parseInstanceFacts, parseOrder } from '#schema/instance.ts';
import { RefundError } from '#shared/errors.ts';
import { presentInstanceFacts, presentOrder } from '#shared/present.ts';
import { at, fixture, fixtureJson } from './helpers.ts';

type Json = Record<string, unknown>;

function issuesOf(fn: () => unknown): { field: string; message: string }[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof RefundError && error.code === 'VALIDATION_FAILED') {
      return error.details.issues as { field: string; message: string }[];
    }
    throw error;
  }
  throw new Error('expected VALIDATION_FAILED');
}

/** The 3-order instance of example 4 with `edit` applied to a fresh copy. */
function renewals(edit: (instance: Json, orders: Json[]) => void): Json {
  const instance = fixtureJson('example-4-renewals.json');
  edit(instance, instance.orders as Json[]);
  return instance;
}

describe('parseInstanceFacts', () => {
  it('reads the wire instance into facts, orders NEW first then by periodStart', () => {
    const facts = fixture('example-3-monthly.json');
    expect(facts.orders.map((o) => o.orderId)).toEqual(['o-new', 'o-renew']);
    expect(facts).toEqual({
      instanceId: 'i-monthly',
      product: 'cloud-firewall',
      edition: 'Standard',
      billingMethod: 'SUBSCRIPTION',
      currency: 'USD',
      status: 'ACTIVE',
      flags: { overduePayment: false, securityLocked: false, configurationChangeInProgress: false },
      orders: [
        {
          orderId: 'o-new',
          type: 'NEW',
          paidAt: at('2026-01-10T00:00:00.000Z'),
          periodStart: at('2026-01-10T00:00:00.000Z'),
          periodEnd: at('2026-02-10T00:00:00.000Z'),
          cashPaid: 3100,
          voucherPaid: 0,
          paymentMethod: { type: 'CARD', reference: 'card-4242' },
          status: 'PAID',
        },
        {
          orderId: 'o-renew',
          type: 'RENEW',
          paidAt: at('2026-02-01T00:00:00.000Z'),
          periodStart: at('2026-02-10T00:00:00.000Z'),
          periodEnd: at('2026-03-10T00:00:00.000Z'),
          cashPaid: 2800,
          voucherPaid: 200,
          paymentMethod: { type: 'PAYPAL', reference: 'paypal-jane' },
          status: 'PAID',
        },
      ],
    });
  });

  it('defaults a missing order status to PAID and missing flags to unset', () => {
    const facts = parseInstanceFacts(
      renewals((instance, orders) => {
        delete instance.flags;
        delete orders[1]?.status;
      }),
    );
    expect(facts.orders[1]?.status).toBe('PAID');
    expect(facts.flags).toEqual({
      overduePayment: false,
      securityLocked: false,
      configurationChangeInProgress: false,
    });
    const partial = parseInstanceFacts(renewals((instance) => (instance.flags = { securityLocked: true })));
    expect(partial.flags).toEqual({
      overduePayment: false,
      securityLocked: true,
      configurationChangeInProgress: false,
    });
  });

  it('accepts and ignores the read-only fields of an API answer', () => {
    const facts = parseInstanceFacts(
      renewals((instance) => {
        instance.expiresAt = '2026-08-01T00:00:00.000Z';
        instance.unsubscribedAt = '2026-05-02T00:00:00.000Z';
        instance.retention = {
          configData: { status: 'RETAINED', purgeAt: '2026-05-09T00:00:00.000Z', purgedAt: null },
          logData: {
            status: 'PURGED',
            purgeAt: '2026-05-02T16:00:00.000Z',
            purgedAt: '2026-05-02T16:01:00.000Z',
          },
        };
      }),
    );
    expect(Object.keys(facts)).toEqual([
      'instanceId',
      'product',
      'edition',
      'billingMethod',
      'currency',
      'status',
      'flags',
      'orders',
    ]);
  });

  it('round-trips through presentInstanceFacts', () => {
    const facts = fixture('example-4-renewals.json');
    expect(parseInstanceFacts(JSON.parse(JSON.stringify(presentInstanceFacts(facts))))).toEqual(facts);
  });

  it.each<{
    what: string;
    edit: (instance: Json, orders: Json[]) => void;
    issues: { field: string; message: string }[];
  }>([
    {
      what: 'an unknown top-level field',
      edit: (i) => (i.accountId = 'a-1'),
      issues: [{ field: 'accountId', message: 'unknown field' }],
    },
    {
      what: 'an unknown order field',
      edit: (_, o) => (o[2] = { ...o[2], discount: 5 }),
      issues: [{ field: 'orders.2.discount', message: 'unknown field' }],
    },
    {
      what: 'periodEnd equal to periodStart',
      edit: (_, o) => (o[2] = { ...o[2], periodEnd: o[2]?.periodStart }),
      issues: [{ field: 'orders.2.periodEnd', message: 'must be after periodStart' }],
    },
    {
      what: 'no NEW order',
      edit: (_, o) => (o[0] = { ...o[0], type: 'RENEW' }),
      issues: [{ field: 'orders', message: 'must contain exactly one NEW order' }],
    },
    {
      what: 'no orders at all',
      edit: (i) => (i.orders = []),
      issues: [{ field: 'orders', message: 'must contain exactly one NEW order' }],
    },
    {
      what: 'two NEW orders',
      edit: (_, o) => (o[2] = { ...o[2], type: 'NEW' }),
      issues: [{ field: 'orders.2.type', message: 'must contain exactly one NEW order' }],
    },
    {
      what: 'a renewal starting before the NEW order',
      edit: (_, o) => (o[1] = { ...o[1], periodStart: '2026-04-01T00:00:00.000Z' }),
      issues: [{ field: 'orders.1.periodStart', message: 'must be after the periodStart of the NEW order' }],
    },
    {
      what: 'a renewal paid before the NEW order',
      edit: (_, o) => (o[1] = { ...o[1], paidAt: '2026-04-30T23:59:59.999Z' }),
      issues: [{ field: 'orders.1.paidAt', message: 'must not be before the paidAt of the NEW order' }],
    },
    {
      what: 'a cancelled NEW order',
      edit: (_, o) => (o[0] = { ...o[0], status: 'CANCELLED' }),
      issues: [{ field: 'orders.0.status', message: 'a NEW order cannot be cancelled' }],
    },
    {
      what: 'a duplicate orderId',
      edit: (_, o) => (o[2] = { ...o[2], orderId: 'o-renew-a' }),
      issues: [{ field: 'orders.2.orderId', message: 'duplicates orders.1.orderId' }],
    },
    {
      what: 'totals beyond the safe integers',
      edit: (_, o) => {
        o[1] = { ...o[1], cashPaid: Number.MAX_SAFE_INTEGER, voucherPaid: Number.MAX_SAFE_INTEGER };
        o[2] = { ...o[2], voucherPaid: 1 };
      },
      issues: [
        { field: 'orders', message: 'total cashPaid must be a safe integer' },
        { field: 'orders', message: 'total voucherPaid must be a safe integer' },
      ],
    },
    {
      what: 'a 129-character payment reference',
      edit: (_, o) => (o[0] = { ...o[0], paymentMethod: { type: 'CARD', reference: 'x'.repeat(129) } }),
      issues: [{ field: 'orders.0.paymentMethod.reference', message: 'must be at most 128 characters' }],
    },
    {
      what: 'an empty payment reference',
      edit: (_, o) => (o[0] = { ...o[0], paymentMethod: { type: 'CARD', reference: '' } }),
      issues: [{ field: 'orders.0.paymentMethod.reference', message: 'must not be empty' }],
    },
    {
      what: 'a lower-case currency',
      edit: (i) => (i.currency = 'eur'),
      issues: [{ field: 'currency', message: 'must be an ISO 4217 code such as USD' }],
    },
    {
      what: 'an id with a space',
      edit: (i) => (i.instanceId = 'i 1'),
      issues: [{ field: 'instanceId', message: 'must be 1–128 letters, digits, "-", "_" or "."' }],
    },
    {
      what: 'a negative amount',
      edit: (_, o) => (o[1] = { ...o[1], voucherPaid: -1 }),
      issues: [
        { field: 'orders.1.voucherPaid', message: 'must be a non-negative safe integer of minor units' },
      ],
    },
  ])('VALIDATION_FAILED for $what', ({ edit, issues }) => {
    expect(issuesOf(() => parseInstanceFacts(renewals(edit)))).toEqual(issues);
  });

  it.each<[string, (instance: Json, orders: Json[]) => void, string]>([
    ['a fractional amount', (_, o) => (o[1] = { ...o[1], cashPaid: 10.5 }), 'orders.1.cashPaid'],
    [
      'an instant with an offset',
      (_, o) => (o[1] = { ...o[1], paidAt: '2026-05-10T08:00:00+08:00' }),
      'orders.1.paidAt',
    ],
    [
      'an unknown payment method',
      (_, o) => (o[1] = { ...o[1], paymentMethod: { type: 'CASH', reference: 'x' } }),
      'orders.1.paymentMethod.type',
    ],
    ['an unknown status', (i) => (i.status = 'DELETED'), 'status'],
    ['an unknown billing method', (i) => (i.billingMethod = 'PREPAID'), 'billingMethod'],
    ['a missing product', (i) => delete i.product, 'product'],
    ['a non-boolean flag', (i) => (i.flags = { overduePayment: 'yes' }), 'flags.overduePayment'],
  ])('VALIDATION_FAILED naming the field for %s', (_, edit, field) => {
    expect(issuesOf(() => parseInstanceFacts(renewals(edit))).map((i) => i.field)).toContain(field);
  });

  it.each([null, [], 'instance', 42])('VALIDATION_FAILED at the root for %j', (value) => {
    expect(issuesOf(() => parseInstanceFacts(value)).map((i) => i.field)).toEqual(['(root)']);
  });
});

describe('orders on the wire', () => {
  it('presentOrder and parseOrder are inverses', () => {
    for (const order of fixture('example-4-renewals.json').orders) {
      expect(parseOrder(presentOrder(order))).toEqual(order);
    }
  });

  it('parseOrder names fields under its prefix', () => {
    const [first] = fixture('example-1-2-annual.json').orders;
    const wire = { ...presentOrder(first as never), periodEnd: '2026-03-02T02:00:00.000Z' };
    expect(issuesOf(() => parseOrder(wire))).toEqual([
      { field: 'order.periodEnd', message: 'must be after periodStart' },
    ]);
  });

  it('compareOrders puts NEW first, then periodStart, then orderId', () => {
    const [newOrder, a, b] = fixture('example-4-renewals.json').orders as [never, never, never];
    const twin = { ...(b as object), orderId: 'o-renew-a2' } as never;
    expect([b, twin, a, newOrder].sort(compareOrders).map((o: { orderId: string }) => o.orderId)).toEqual([
      'o-new',
      'o-renew-a',
      'o-renew-a2',
      'o-renew-b',
    ]);
  });
});
