/**
 * `GET /instances` says, per instance, until when a full refund is available
 * (`fullRefundUntil`): the end of the policy's window while a quote made now would be a full
 * refund, null otherwise — decided by the same policy code as the quote, at the request's `now`.
 */
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { PolicyRegistry } from '#policy/index.ts';
import { type ApiHarness, apiHarness, confirmedUnsubscribe, orderBody } from '#test/support/api.ts';

const A = 'acct-window';
const INTERNAL = { account: 'billing', internal: true } as const;
const PAID = '2026-03-01T00:00:00.000Z';
/** The default policy's window: 5 × 24 h after the purchase was paid. */
const WINDOW_END = '2026-03-06T00:00:00.000Z';

const read = (path: string) => JSON.parse(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8'));

describe('GET /instances: fullRefundUntil', () => {
  let api: ApiHarness;

  async function buy(instanceId: string, options: { product?: string; billing?: 'PAY_AS_YOU_GO' } = {}) {
    const answer = await api.call('POST', '/internal/orders', {
      ...INTERNAL,
      body: orderBody(
        A,
        instanceId,
        { orderId: `${instanceId}-n`, paidAt: PAID, periodEnd: '2027-03-01T00:00:00.000Z', cashPaid: 36_500 },
        { product: options.product ?? 'waf', billingMethod: options.billing ?? 'SUBSCRIPTION' },
      ),
    });
    expect(answer.status).toBe(201);
  }

  /** instanceId → fullRefundUntil, as the list answers it now. */
  async function listed(): Promise<Record<string, string | null>> {
    const answer = await api.call('GET', '/instances', { account: A });
    expect(answer.status).toBe(200);
    return Object.fromEntries(
      answer.body.items.map((i: { instanceId: string; fullRefundUntil: string | null }) => [
        i.instanceId,
        i.fullRefundUntil,
      ]),
    );
  }

  const quoteType = async (instanceId: string) =>
    (
      await api.call('POST', `/instances/${instanceId}/refund-quotes`, {
        account: A,
        body: { kind: 'UNSUBSCRIBE' },
      })
    ).body.refundType;

  beforeEach(async () => {
    api = await apiHarness({ now: '2026-03-03T00:00:00.000Z' });
  });

  it('is the window end while it applies, and null from the window end on (as the quote decides)', async () => {
    await buy('w-1');
    expect(await listed()).toEqual({ 'w-1': WINDOW_END });
    expect(await quoteType('w-1')).toBe('FULL_REFUND');
    // Only the list carries it.
    expect((await api.call('GET', '/instances/w-1', { account: A })).body).not.toHaveProperty(
      'fullRefundUntil',
    );

    api.setNow('2026-03-05T23:59:59.999Z');
    expect(await listed()).toEqual({ 'w-1': WINDOW_END });
    expect(await quoteType('w-1')).toBe('FULL_REFUND');

    api.setNow(WINDOW_END);
    expect(await listed()).toEqual({ 'w-1': null });
    expect(await quoteType('w-1')).toBe('PARTIAL_REFUND');
  });

  it("is null once the year's full refund for the product is used, and stays for another product", async () => {
    await buy('w-1');
    await buy('w-2');
    await buy('s-1', { product: 'scanner' });
    expect(await listed()).toEqual({ 'w-1': WINDOW_END, 'w-2': WINDOW_END, 's-1': WINDOW_END });

    const quote = await api.call('POST', '/instances/w-1/refund-quotes', {
      account: A,
      body: { kind: 'UNSUBSCRIBE' },
    });
    expect(quote.body.refundType).toBe('FULL_REFUND');
    const done = await api.call('POST', '/instances/w-1/unsubscriptions', {
      account: A,
      body: confirmedUnsubscribe(quote.body.quoteId, 'FULL_REFUND'),
      headers: { 'idempotency-key': 'k-w-1' },
    });
    expect(done.status).toBe(202);

    // w-1 is unsubscribed; w-2 is in its window but the year's waf full refund is gone.
    expect(await listed()).toEqual({ 'w-1': null, 'w-2': null, 's-1': WINDOW_END });
    expect(await quoteType('w-2')).toBe('PARTIAL_REFUND');
    expect(await quoteType('s-1')).toBe('FULL_REFUND');
  });

  it('is null where no quote could be a full refund: pay-as-you-go, abnormal flags', async () => {
    await buy('w-1');
    await buy('p-1', { billing: 'PAY_AS_YOU_GO' });
    const flagged = await api.call('PUT', '/internal/instances/w-1/flags', {
      ...INTERNAL,
      body: { accountId: A, securityLocked: true },
    });
    expect(flagged.status).toBe(200);
    expect(await listed()).toEqual({ 'w-1': null, 'p-1': null });

    await api.call('PUT', '/internal/instances/w-1/flags', {
      ...INTERNAL,
      body: { accountId: A, securityLocked: false },
    });
    expect(await listed()).toEqual({ 'w-1': WINDOW_END, 'p-1': null });
  });

  it("follows the product's own policy: a 7-day window for object-storage", async () => {
    api.releasePolicies(
      new PolicyRegistry({
        'policies/security-center/international/v1.json': read(
          'policies/security-center/international/v1.json',
        ),
        'policies/object-storage/international/v1.json': read(
          'test/fixtures/policies/object-storage/international/v1.json',
        ),
      }),
    );
    await buy('o-1', { product: 'object-storage' });
    await buy('w-1');
    api.setNow('2026-03-07T00:00:00.000Z');
    expect(await listed()).toEqual({ 'o-1': '2026-03-08T00:00:00.000Z', 'w-1': null });
    expect(await quoteType('o-1')).toBe('FULL_REFUND');
  });
});
