import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, apiHarness, orderBody } from '#test/support/api.ts';

const A = 'acct-ingest';

describe('internal ingestion and public reads', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await apiHarness({ now: '2026-03-05T10:00:00.000Z' });
  });

  const newOrder = (instanceId: string, orderId = `${instanceId}-new`) =>
    orderBody(A, instanceId, {
      orderId,
      paidAt: '2026-01-10T00:00:00.000Z',
      periodEnd: '2026-02-10T00:00:00.000Z',
      cashPaid: 3100,
    });

  it('creates an instance from a NEW order (201) and replays an identical ingestion with 200', async () => {
    const created = await api.call('POST', '/internal/orders', {
      account: 'billing',
      internal: true,
      body: newOrder('i-1'),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      instanceId: 'i-1',
      status: 'ACTIVE',
      expiresAt: '2026-02-10T00:00:00.000Z',
      flags: { overduePayment: false, securityLocked: false, configurationChangeInProgress: false },
      unsubscribedAt: null,
      retention: null,
    });
    expect(created.body.orders).toEqual([
      {
        orderId: 'i-1-new',
        type: 'NEW',
        paidAt: '2026-01-10T00:00:00.000Z',
        periodStart: '2026-01-10T00:00:00.000Z',
        periodEnd: '2026-02-10T00:00:00.000Z',
        cashPaid: 3100,
        voucherPaid: 0,
        paymentMethod: { type: 'CARD', reference: 'card-4242' },
        status: 'PAID',
      },
    ]);
    const replay = await api.call('POST', '/internal/orders', {
      account: 'billing',
      internal: true,
      body: newOrder('i-1'),
    });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(created.body);
  });

  it('answers ORDER_CONFLICT for a known orderId with other content, and for a second NEW order', async () => {
    const other = newOrder('i-1');
    other.order.cashPaid = 1;
    const conflict = await api.call('POST', '/internal/orders', {
      account: 'billing',
      internal: true,
      body: other,
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('ORDER_CONFLICT');

    const secondNew = await api.call('POST', '/internal/orders', {
      account: 'billing',
      internal: true,
      body: newOrder('i-1', 'i-1-new-again'),
    });
    expect(secondNew.status).toBe(409);
    expect(secondNew.body.error.code).toBe('ORDER_CONFLICT');
  });

  it('extends an active instance with a contiguous renewal and refuses a gap with ORDER_NOT_CONTIGUOUS', async () => {
    const gap = orderBody(A, 'i-1', {
      orderId: 'i-1-r-gap',
      type: 'RENEW',
      paidAt: '2026-02-01T00:00:00.000Z',
      periodStart: '2026-02-11T00:00:00.000Z',
      periodEnd: '2026-03-11T00:00:00.000Z',
      cashPaid: 2800,
    });
    const refused = await api.call('POST', '/internal/orders', {
      account: 'billing',
      internal: true,
      body: gap,
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({
      code: 'ORDER_NOT_CONTIGUOUS',
      details: { expectedPeriodStart: '2026-02-10T00:00:00.000Z' },
    });

    const renewal = orderBody(A, 'i-1', {
      orderId: 'i-1-r1',
      type: 'RENEW',
      paidAt: '2026-02-01T00:00:00.000Z',
      periodStart: '2026-02-10T00:00:00.000Z',
      periodEnd: '2026-03-10T00:00:00.000Z',
      cashPaid: 2800,
      voucherPaid: 200,
    });
    const renewed = await api.call('POST', '/internal/orders', {
      account: 'billing',
      internal: true,
      body: renewal,
    });
    expect(renewed.status).toBe(201);
    expect(renewed.body.expiresAt).toBe('2026-03-10T00:00:00.000Z');
    expect(renewed.body.orders.map((o: { orderId: string }) => o.orderId)).toEqual(['i-1-new', 'i-1-r1']);
  });

  it('answers NOT_FOUND for a renewal of an unknown instance and VALIDATION_FAILED naming bad fields', async () => {
    const unknown = orderBody(A, 'i-unknown', {
      orderId: 'x-r1',
      type: 'RENEW',
      paidAt: '2026-02-01T00:00:00.000Z',
      periodEnd: '2026-03-01T00:00:00.000Z',
      cashPaid: 1,
    });
    expect(
      (await api.call('POST', '/internal/orders', { account: 'b', internal: true, body: unknown })).status,
    ).toBe(404);

    const badAmount = newOrder('i-bad');
    (badAmount.order as Record<string, unknown>).cashPaid = 10.5;
    (badAmount as Record<string, unknown>).colour = 'red';
    const answer = await api.call('POST', '/internal/orders', {
      account: 'b',
      internal: true,
      body: badAmount,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('VALIDATION_FAILED');
    const fields = answer.body.error.details.issues.map((i: { field: string }) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['order.cashPaid', 'colour']));

    const badPeriod = newOrder('i-bad');
    badPeriod.order.periodEnd = '2025-01-01T00:00:00.000Z';
    const period = await api.call('POST', '/internal/orders', {
      account: 'b',
      internal: true,
      body: badPeriod,
    });
    expect(period.status).toBe(400);
    expect(period.body.error.details.issues.map((i: { field: string }) => i.field)).toEqual([
      'order.periodEnd',
    ]);
    expect(await api.stores.instances.get(A, 'i-bad')).toBeNull();
  });

  it('requires the internal scope for internal routes (403) and a token for public routes (401)', async () => {
    const forbidden = await api.call('POST', '/internal/orders', { account: A, body: newOrder('i-2') });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('FORBIDDEN');
    const anonymous = await api.call('GET', '/instances');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('UNAUTHORIZED');
    expect(await api.stores.instances.get(A, 'i-2')).toBeNull();
  });

  it('sets abnormal flags (200) and answers NOT_FOUND for an unknown instance', async () => {
    const set = await api.call('PUT', '/internal/instances/i-1/flags', {
      account: 'billing',
      internal: true,
      body: { accountId: A, securityLocked: true },
    });
    expect(set.status).toBe(200);
    expect(set.body.flags).toEqual({
      overduePayment: false,
      securityLocked: true,
      configurationChangeInProgress: false,
    });
    const cleared = await api.call('PUT', '/internal/instances/i-1/flags', {
      account: 'billing',
      internal: true,
      body: { accountId: A, securityLocked: false },
    });
    expect(cleared.body.flags.securityLocked).toBe(false);
    const missing = await api.call('PUT', '/internal/instances/nope/flags', {
      account: 'billing',
      internal: true,
      body: { accountId: A, overduePayment: true },
    });
    expect(missing.status).toBe(404);
  });

  describe('GET /instances', () => {
    beforeAll(async () => {
      for (const [id, paidAt] of [
        ['j-1', '2026-01-01T00:00:00.000Z'],
        ['j-2', '2026-02-01T00:00:00.000Z'],
        ['j-3', '2026-03-01T00:00:00.000Z'],
      ] as const) {
        const body = orderBody('acct-list', id, {
          orderId: `${id}-n`,
          paidAt,
          periodEnd: '2027-01-01T00:00:00.000Z',
          cashPaid: 100,
        });
        expect(
          (await api.call('POST', '/internal/orders', { account: 'b', internal: true, body })).status,
        ).toBe(201);
      }
    });

    it('filters by order time [from, to) and by instance id', async () => {
      const inFebruary = await api.call(
        'GET',
        '/instances?orderTimeFrom=2026-02-01T00:00:00.000Z&orderTimeTo=2026-03-01T00:00:00.000Z',
        { account: 'acct-list' },
      );
      expect(inFebruary.status).toBe(200);
      expect(inFebruary.body.items.map((i: { instanceId: string }) => i.instanceId)).toEqual(['j-2']);
      const byId = await api.call('GET', '/instances?instanceId=j-3', { account: 'acct-list' });
      expect(byId.body.items.map((i: { instanceId: string }) => i.instanceId)).toEqual(['j-3']);
      const byStatus = await api.call('GET', '/instances?status=UNSUBSCRIBED', { account: 'acct-list' });
      expect(byStatus.body).toEqual({ items: [], nextToken: null });
    });

    it('pages with nextToken, which is refused for another query or another caller', async () => {
      const first = await api.call('GET', '/instances?limit=2', { account: 'acct-list' });
      expect(first.body.items.map((i: { instanceId: string }) => i.instanceId)).toEqual(['j-1', 'j-2']);
      expect(typeof first.body.nextToken).toBe('string');
      const token = encodeURIComponent(first.body.nextToken);
      const second = await api.call('GET', `/instances?limit=2&nextToken=${token}`, { account: 'acct-list' });
      expect(second.body).toMatchObject({ nextToken: null });
      expect(second.body.items.map((i: { instanceId: string }) => i.instanceId)).toEqual(['j-3']);

      const otherQuery = await api.call('GET', `/instances?limit=3&nextToken=${token}`, {
        account: 'acct-list',
      });
      expect(otherQuery.status).toBe(400);
      expect(otherQuery.body.error.details.issues[0].field).toBe('nextToken');
      const otherCaller = await api.call('GET', `/instances?limit=2&nextToken=${token}`, {
        account: 'acct-other',
      });
      expect(otherCaller.status).toBe(400);
      const garbage = await api.call('GET', '/instances?nextToken=bm9wZQ', { account: 'acct-list' });
      expect(garbage.status).toBe(400);
    });

    it('refuses bad query values and unknown parameters with 400 naming them', async () => {
      for (const [query, field] of [
        ['limit=0', 'limit'],
        ['limit=101', 'limit'],
        ['limit=abc', 'limit'],
        ['status=GONE', 'status'],
        ['orderTimeFrom=yesterday', 'orderTimeFrom'],
        ['colour=red', 'colour'],
      ] as const) {
        const answer = await api.call('GET', `/instances?${query}`, { account: 'acct-list' });
        expect(answer.status, query).toBe(400);
        expect(
          answer.body.error.details.issues.map((i: { field: string }) => i.field),
          query,
        ).toContain(field);
      }
    });

    it('shows one instance, and NOT_FOUND for an unknown one', async () => {
      const one = await api.call('GET', '/instances/j-1', { account: 'acct-list' });
      expect(one.status).toBe(200);
      expect(one.body.instanceId).toBe('j-1');
      const none = await api.call('GET', '/instances/zzz', { account: 'acct-list' });
      expect(none.status).toBe(404);
      expect(none.body.error.code).toBe('NOT_FOUND');
    });
  });

  it('shows an empty balance and no unsubscribe orders for a new account', async () => {
    const balance = await api.call('GET', '/account/balance', { account: 'acct-empty' });
    expect(balance.status).toBe(200);
    expect(balance.body).toEqual({ balances: [], entries: [] });
    const orders = await api.call('GET', '/unsubscribe-orders', { account: 'acct-empty' });
    expect(orders.body).toEqual({ items: [], nextToken: null });
    const order = await api.call('GET', '/unsubscribe-orders/uo-unknown', { account: 'acct-empty' });
    expect(order.status).toBe(404);
  });
});
