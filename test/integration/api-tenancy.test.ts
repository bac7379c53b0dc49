import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, apiHarness, confirmedUnsubscribe, orderBody } from '#test/support/api.ts';

const OWNER = 'acct-owner';
const INTRUDER = 'acct-intruder';

describe('tenancy: another account sees nothing of the owner', () => {
  let api: ApiHarness;
  let quoteId: string;
  let renewalQuoteId: string;
  let unsubscribeOrderId: string;

  beforeAll(async () => {
    api = await apiHarness({ now: '2026-03-05T10:00:00.000Z' });
    const ingest = (body: unknown) =>
      api.call('POST', '/internal/orders', { account: 'billing', internal: true, body });
    await ingest(
      orderBody(OWNER, 'i-own', {
        orderId: 'own-new',
        paidAt: '2026-03-02T02:00:00.000Z',
        periodEnd: '2026-04-02T02:00:00.000Z',
        cashPaid: 1000,
      }),
    );
    await ingest(
      orderBody(OWNER, 'i-own', {
        orderId: 'own-r1',
        type: 'RENEW',
        paidAt: '2026-03-03T00:00:00.000Z',
        periodStart: '2026-04-02T02:00:00.000Z',
        periodEnd: '2026-05-02T02:00:00.000Z',
        cashPaid: 1000,
      }),
    );
    await ingest(
      orderBody(OWNER, 'i-done', {
        orderId: 'done-new',
        paidAt: '2026-03-02T02:00:00.000Z',
        periodEnd: '2026-04-02T02:00:00.000Z',
        cashPaid: 1000,
      }),
    );
    quoteId = (
      await api.call('POST', '/instances/i-own/refund-quotes', {
        account: OWNER,
        body: { kind: 'UNSUBSCRIBE' },
      })
    ).body.quoteId;
    renewalQuoteId = (
      await api.call('POST', '/instances/i-own/refund-quotes', {
        account: OWNER,
        body: { kind: 'CANCEL_RENEWAL' },
      })
    ).body.quoteId;
    const doneQuote = await api.call('POST', '/instances/i-done/refund-quotes', {
      account: OWNER,
      body: { kind: 'UNSUBSCRIBE' },
    });
    const done = await api.call('POST', '/instances/i-done/unsubscriptions', {
      account: OWNER,
      body: confirmedUnsubscribe(doneQuote.body.quoteId, doneQuote.body.refundType),
      headers: { 'idempotency-key': 'owner-key' },
    });
    expect(done.status).toBe(202);
    unsubscribeOrderId = done.body.unsubscribeOrderId;
  });

  const routes = () =>
    [
      ['GET', '/instances/i-own', undefined],
      ['POST', '/instances/i-own/refund-quotes', { kind: 'UNSUBSCRIBE' }],
      ['POST', '/instances/i-own/refund-quotes', { kind: 'CANCEL_RENEWAL' }],
      ['POST', '/instances/i-own/unsubscriptions', confirmedUnsubscribe(quoteId, 'FULL_REFUND')],
      [
        'POST',
        '/instances/i-own/renewal-cancellations',
        {
          quoteId: renewalQuoteId,
          updatedExpirationTime: '2026-04-02T02:00:00.000Z',
          confirmations: { rulesAndAmountConfirmed: true },
        },
      ],
      ['GET', `/unsubscribe-orders/${unsubscribeOrderId}`, undefined],
    ] as const;

  it('answers NOT_FOUND on every route that names one of the owner’s things, and changes nothing', async () => {
    const before = await api.allItems();
    for (const [method, path, body] of routes()) {
      const answer = await api.call(method, path, {
        account: INTRUDER,
        body,
        headers: { 'idempotency-key': 'intruder-key' },
      });
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body.error.code, `${method} ${path}`).toBe('NOT_FOUND');
    }
    const after = await api.allItems();
    // Only the intruder's own (released) idempotency claims may come and go; nothing of the owner changed.
    const owners = (items: Record<string, unknown>[]) =>
      items.filter((i) => String(i.pk) === `ACCT#${OWNER}`);
    expect(owners(after)).toEqual(owners(before));
    expect(after.filter((i) => String(i.pk) === `ACCT#${INTRUDER}`)).toEqual([]);
  });

  it('lists nothing of the owner’s: instances, unsubscribe orders, balance', async () => {
    for (const path of [
      '/instances',
      '/instances?instanceId=i-own',
      '/unsubscribe-orders',
      '/unsubscribe-orders?instanceId=i-done',
    ]) {
      const answer = await api.call('GET', path, { account: INTRUDER });
      expect(answer.status, path).toBe(200);
      expect(answer.body, path).toEqual({ items: [], nextToken: null });
    }
    const balance = await api.call('GET', '/account/balance', { account: INTRUDER });
    expect(balance.body).toEqual({ balances: [], entries: [] });
    // ... while the owner sees them.
    const own = await api.call('GET', '/instances', { account: OWNER });
    expect(own.body.items.map((i: { instanceId: string }) => i.instanceId)).toEqual(['i-done', 'i-own']);
  });

  it('takes the account from the token only: an accountId in the body or query is refused', async () => {
    const answer = await api.call('POST', '/instances/i-own/refund-quotes', {
      account: INTRUDER,
      body: { kind: 'UNSUBSCRIBE', accountId: OWNER },
    });
    expect(answer.status).toBe(400);
    const listed = await api.call('GET', `/instances?accountId=${OWNER}`, { account: INTRUDER });
    expect(listed.status).toBe(400);
  });
});
