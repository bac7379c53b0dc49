import { beforeEach, describe, expect, it } from 'vitest';
import { type ApiHarness, apiHarness, orderBody } from '#test/support/api.ts';

const A = 'acct-renew';

/** SPEC 2.6 example 4: NEW May, renewal A June (1000), renewal B July (1200); now 2026-05-20. */
async function example4(api: ApiHarness) {
  const orders = [
    {
      orderId: 'n',
      type: 'NEW',
      paidAt: '2026-05-01T00:00:00.000Z',
      periodEnd: '2026-06-01T00:00:00.000Z',
      cashPaid: 900,
    },
    {
      orderId: 'ra',
      type: 'RENEW',
      paidAt: '2026-05-10T00:00:00.000Z',
      periodStart: '2026-06-01T00:00:00.000Z',
      periodEnd: '2026-07-01T00:00:00.000Z',
      cashPaid: 1000,
    },
    {
      orderId: 'rb',
      type: 'RENEW',
      paidAt: '2026-05-11T00:00:00.000Z',
      periodStart: '2026-07-01T00:00:00.000Z',
      periodEnd: '2026-08-01T00:00:00.000Z',
      cashPaid: 1200,
      voucherPaid: 50,
    },
  ] as const;
  for (const order of orders) {
    const answer = await api.call('POST', '/internal/orders', {
      account: 'billing',
      internal: true,
      body: orderBody(A, 'i-4', order),
    });
    expect(answer.status).toBe(201);
  }
}

const cancel = (api: ApiHarness, key: string, body: unknown) =>
  api.call('POST', '/instances/i-4/renewal-cancellations', {
    account: A,
    body,
    headers: { 'idempotency-key': key },
  });

describe('cancelling paid renewals that have not started', () => {
  let api: ApiHarness;

  beforeEach(async () => {
    api = await apiHarness({ now: '2026-05-20T00:00:00.000Z' });
    await example4(api);
  });

  it('quotes the allowed expiration times and cancels only the renewals from the chosen one (example 4)', async () => {
    const quote = await api.call('POST', '/instances/i-4/refund-quotes', {
      account: A,
      body: { kind: 'CANCEL_RENEWAL', updatedExpirationTime: '2026-07-01T00:00:00.000Z' },
    });
    expect(quote.status).toBe(201);
    expect(quote.body).toMatchObject({
      kind: 'CANCEL_RENEWAL',
      refundType: 'RENEWAL_CANCELLATION',
      refundAmount: 1200,
      nonRefundableVoucherAmount: 50,
      updatedExpirationTime: '2026-07-01T00:00:00.000Z',
      allowedExpirationTimes: ['2026-06-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z'],
    });
    expect(quote.body.lines.map((l: { orderId: string }) => l.orderId)).toEqual(['rb']);

    const answer = await cancel(api, 'k1', {
      quoteId: quote.body.quoteId,
      updatedExpirationTime: '2026-07-01T00:00:00.000Z',
      confirmations: { rulesAndAmountConfirmed: true },
    });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({
      type: 'CANCEL_RENEWAL',
      refundType: 'RENEWAL_CANCELLATION',
      status: 'PENDING',
      refundAmount: 1200,
      reason: null,
    });

    const instance = await api.call('GET', '/instances/i-4', { account: A });
    expect(instance.body).toMatchObject({
      status: 'ACTIVE',
      expiresAt: '2026-07-01T00:00:00.000Z',
      retention: null,
    });
    expect(
      instance.body.orders.map((o: { orderId: string; status: string }) => [o.orderId, o.status]),
    ).toEqual([
      ['n', 'PAID'],
      ['ra', 'PAID'],
      ['rb', 'CANCELLED'],
    ]);

    // The cancelled renewal cannot be cancelled twice; the one left still can.
    const next = await api.call('POST', '/instances/i-4/refund-quotes', {
      account: A,
      body: { kind: 'CANCEL_RENEWAL' },
    });
    expect(next.body).toMatchObject({
      refundAmount: 1000,
      allowedExpirationTimes: ['2026-06-01T00:00:00.000Z'],
    });
    // No quota was used and no retention was scheduled.
    const items = await api.allItems();
    expect(items.filter((item) => /^(QUOTA|PURGE)#/.test(String(item.sk)))).toEqual([]);
  });

  it('refuses an expiration time that is not allowed, or not the quoted one, with INVALID_EXPIRATION_TIME', async () => {
    const bad = await api.call('POST', '/instances/i-4/refund-quotes', {
      account: A,
      body: { kind: 'CANCEL_RENEWAL', updatedExpirationTime: '2026-06-15T00:00:00.000Z' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({
      code: 'INVALID_EXPIRATION_TIME',
      details: { allowed: ['2026-06-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z'] },
    });

    const quote = await api.call('POST', '/instances/i-4/refund-quotes', {
      account: A,
      body: { kind: 'CANCEL_RENEWAL' },
    });
    expect(quote.body.updatedExpirationTime).toBe('2026-06-01T00:00:00.000Z');
    const other = await cancel(api, 'k2', {
      quoteId: quote.body.quoteId,
      updatedExpirationTime: '2026-07-01T00:00:00.000Z',
      confirmations: { rulesAndAmountConfirmed: true },
    });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('INVALID_EXPIRATION_TIME');

    const unconfirmed = await cancel(api, 'k3', {
      quoteId: quote.body.quoteId,
      updatedExpirationTime: '2026-06-01T00:00:00.000Z',
    });
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.body.error).toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
      details: { missing: ['rulesAndAmountConfirmed'] },
    });

    const all = await cancel(api, 'k4', {
      quoteId: quote.body.quoteId,
      updatedExpirationTime: '2026-06-01T00:00:00.000Z',
      confirmations: { rulesAndAmountConfirmed: true },
      reason: { code: 'TOO_EXPENSIVE' },
    });
    expect(all.status).toBe(202);
    expect(all.body.refundAmount).toBe(2200);

    const none = await api.call('POST', '/instances/i-4/refund-quotes', {
      account: A,
      body: { kind: 'CANCEL_RENEWAL' },
    });
    expect(none.status).toBe(422);
    expect(none.body.error.code).toBe('NO_PENDING_RENEWAL');
  });

  it('does not accept an unsubscription quote for a renewal cancellation', async () => {
    const quote = await api.call('POST', '/instances/i-4/refund-quotes', {
      account: A,
      body: { kind: 'UNSUBSCRIBE' },
    });
    const answer = await cancel(api, 'k5', {
      quoteId: quote.body.quoteId,
      updatedExpirationTime: '2026-06-01T00:00:00.000Z',
      confirmations: { rulesAndAmountConfirmed: true },
    });
    expect(answer.status).toBe(404);
    expect((await api.stores.instances.get(A, 'i-4'))?.orders.every((o) => o.status === 'PAID')).toBe(true);
  });
});

describe('a renewal that starts between the quote and its execution', () => {
  let api: ApiHarness;
  const confirmed = (quoteId: string) => ({
    quoteId,
    updatedExpirationTime: '2026-06-01T00:00:00.000Z',
    confirmations: { rulesAndAmountConfirmed: true },
  });

  beforeEach(async () => {
    api = await apiHarness({ now: '2026-05-31T23:55:00.000Z' });
    await example4(api);
  });

  it.each(['2026-06-01T00:00:00.000Z', '2026-06-01T00:00:01.000Z'])(
    'quoted 5 minutes before renewal A starts, executed at %s: QUOTE_STALE, nothing cancelled',
    async (executedAt) => {
      const quote = await api.call('POST', '/instances/i-4/refund-quotes', {
        account: A,
        body: { kind: 'CANCEL_RENEWAL' },
      });
      expect(quote.body).toMatchObject({ refundAmount: 2200, expiresAt: '2026-06-01T00:10:00.000Z' });

      api.setNow(executedAt);
      const answer = await cancel(api, 'late', confirmed(quote.body.quoteId));
      expect(answer.status).toBe(409);
      expect(answer.body.error).toMatchObject({
        code: 'QUOTE_STALE',
        details: { orderId: 'ra', periodStart: '2026-06-01T00:00:00.000Z' },
      });
      const stored = await api.stores.instances.get(A, 'i-4');
      expect(stored?.orders.map((o) => o.status)).toEqual(['PAID', 'PAID', 'PAID']);
      expect((await api.stores.quotes.get(A, quote.body.quoteId))?.usedAt).toBeNull();
      expect((await api.allItems()).filter((item) => String(item.sk).startsWith('UORDER#'))).toEqual([]);

      // A new quote offers only what can still be cancelled: renewal B.
      const fresh = await api.call('POST', '/instances/i-4/refund-quotes', {
        account: A,
        body: { kind: 'CANCEL_RENEWAL' },
      });
      expect(fresh.body).toMatchObject({
        refundAmount: 1200,
        allowedExpirationTimes: ['2026-07-01T00:00:00.000Z'],
      });
    },
  );

  it('executed the last millisecond before the start: accepted with the quoted amount', async () => {
    const quote = await api.call('POST', '/instances/i-4/refund-quotes', {
      account: A,
      body: { kind: 'CANCEL_RENEWAL' },
    });
    api.setNow('2026-05-31T23:59:59.999Z');
    const answer = await cancel(api, 'in-time', confirmed(quote.body.quoteId));
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ refundAmount: 2200, createdAt: '2026-05-31T23:59:59.999Z' });
  });

  it('the transaction itself refuses a renewal that has started at the execution time (a check skipped)', async () => {
    const quoted = await api.call('POST', '/instances/i-4/refund-quotes', {
      account: A,
      body: { kind: 'CANCEL_RENEWAL' },
    });
    const quote = await api.stores.quotes.get(A, quoted.body.quoteId);
    const instance = await api.stores.instances.get(A, 'i-4');
    if (!quote || !instance) throw new Error('the quote and the instance are stored');
    const { newUnsubscribeOrder } = await import('#use-cases/quoted-execution.ts');
    // What a use case that forgot the check would commit, dated at the renewal's start.
    const order = newUnsubscribeOrder(quote, instance, null, Date.parse('2026-06-01T00:00:00.000Z'), []);
    const plan = {
      instance: {
        ...instance,
        orders: instance.orders.map((o) => (o.type === 'RENEW' ? { ...o, status: 'CANCELLED' as const } : o)),
      },
      expectedVersion: instance.version,
      order,
      quote,
      idempotency: { key: 'skipped', response: { body: '{}' } },
    };
    await api.stores.idempotency.begin(A, 'skipped', 'f', order.createdAt);

    expect(await api.stores.executions.commitRenewalCancellation(plan)).toBe('INSTANCE_CHANGED');
    expect((await api.stores.instances.get(A, 'i-4'))?.orders.map((o) => o.status)).toEqual([
      'PAID',
      'PAID',
      'PAID',
    ]);
    // The same plan one millisecond earlier commits.
    const inTime = { ...plan, order: { ...order, createdAt: order.createdAt - 1 } };
    expect(await api.stores.executions.commitRenewalCancellation(inTime)).toBeNull();
  });
});
