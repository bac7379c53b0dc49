import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, apiHarness, confirmedUnsubscribe, orderBody } from '#test/support/api.ts';

const A = 'acct-orders';
const ids = (answer: { body: { items: { unsubscribeOrderId: string }[] } }) =>
  answer.body.items.map((o) => o.unsubscribeOrderId);

describe('GET /unsubscribe-orders', () => {
  let api: ApiHarness;
  /** Order ids by the instance unsubscribed, created one day apart from 2026-03-10T00:00Z. */
  const created: Record<string, string> = {};

  beforeAll(async () => {
    api = await apiHarness({ now: '2026-03-01T00:00:00.000Z' });
    for (const [n, instanceId] of ['u-1', 'u-2', 'u-3'].entries()) {
      const bought = await api.call('POST', '/internal/orders', {
        account: 'billing',
        internal: true,
        body: orderBody(A, instanceId, {
          orderId: `${instanceId}-n`,
          paidAt: '2026-03-01T00:00:00.000Z',
          periodEnd: '2027-03-01T00:00:00.000Z',
          cashPaid: 36500,
        }),
      });
      expect(bought.status).toBe(201);
      api.setNow(`2026-03-1${n}T00:00:00.000Z`);
      const quote = await api.call('POST', `/instances/${instanceId}/refund-quotes`, {
        account: A,
        body: { kind: 'UNSUBSCRIBE' },
      });
      const done = await api.call('POST', `/instances/${instanceId}/unsubscriptions`, {
        account: A,
        body: confirmedUnsubscribe(quote.body.quoteId, quote.body.refundType),
        headers: { 'idempotency-key': `k-${instanceId}` },
      });
      expect(done.status).toBe(202);
      created[instanceId] = done.body.unsubscribeOrderId;
    }
  });

  it('lists newest first and filters by creation time [from, to) and by instance', async () => {
    const all = await api.call('GET', '/unsubscribe-orders', { account: A });
    expect(ids(all)).toEqual([created['u-3'], created['u-2'], created['u-1']]);

    const window = await api.call(
      'GET',
      '/unsubscribe-orders?createdFrom=2026-03-11T00:00:00.000Z&createdTo=2026-03-12T00:00:00.000Z',
      { account: A },
    );
    expect(ids(window)).toEqual([created['u-2']]);
    const fromOnly = await api.call('GET', '/unsubscribe-orders?createdFrom=2026-03-11T00:00:00.001Z', {
      account: A,
    });
    expect(ids(fromOnly)).toEqual([created['u-3']]);
    const byInstance = await api.call('GET', '/unsubscribe-orders?instanceId=u-1', { account: A });
    expect(ids(byInstance)).toEqual([created['u-1']]);
  });

  it('pages with nextToken bound to the query', async () => {
    const first = await api.call('GET', '/unsubscribe-orders?limit=2', { account: A });
    expect(ids(first)).toEqual([created['u-3'], created['u-2']]);
    const token = encodeURIComponent(first.body.nextToken);
    const second = await api.call('GET', `/unsubscribe-orders?limit=2&nextToken=${token}`, { account: A });
    expect(ids(second)).toEqual([created['u-1']]);
    expect(second.body.nextToken).toBeNull();
    const reused = await api.call('GET', `/instances?limit=2&nextToken=${token}`, { account: A });
    expect(reused.status).toBe(400);
  });
});
