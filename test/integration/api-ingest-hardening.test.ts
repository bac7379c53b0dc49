/**
 * Order ingestion refuses what it cannot honour: a status other than PAID, totals that would
 * leave the safe-integer range; and it answers identical replays as replays, even when they
 * arrive at once.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '#infra/openapi/document.ts';
import { type ApiHarness, apiHarness, orderBody } from '#test/support/api.ts';

const A = 'acct-harden';
const internal = { account: 'billing', internal: true } as const;
const ingest = (api: ApiHarness, body: unknown) =>
  api.call('POST', '/internal/orders', { ...internal, body });

describe('order ingestion hardening', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await apiHarness({ now: '2026-03-05T10:00:00.000Z' });
  });

  const newOrder = (instanceId: string, cashPaid = 3100) =>
    orderBody(A, instanceId, {
      orderId: `${instanceId}-new`,
      paidAt: '2026-03-01T00:00:00.000Z',
      periodEnd: '2026-04-01T00:00:00.000Z',
      cashPaid,
    });

  const renewal = (instanceId: string, n: number, cashPaid = 2800) =>
    orderBody(A, instanceId, {
      orderId: `${instanceId}-r${n}`,
      type: 'RENEW',
      paidAt: '2026-03-02T00:00:00.000Z',
      periodStart: `2026-${String(3 + n).padStart(2, '0')}-01T00:00:00.000Z`,
      periodEnd: `2026-${String(4 + n).padStart(2, '0')}-01T00:00:00.000Z`,
      cashPaid,
    });

  describe('order.status', () => {
    it('refuses a CANCELLED order with 400 naming order.status, and stores nothing', async () => {
      const cancelled = newOrder('st-1');
      const body = { ...cancelled, order: { ...cancelled.order, status: 'CANCELLED' } };
      const answer = await ingest(api, body);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('VALIDATION_FAILED');
      expect(answer.body.error.details.issues).toEqual([
        { field: 'order.status', message: expect.stringMatching(/must be PAID/) },
      ]);
      expect(await api.stores.instances.get(A, 'st-1')).toBeNull();
      expect(await api.stores.instances.getOrderClaim(A, 'st-1-new')).toBeNull();

      // Nothing was recorded, so there is nothing to quote.
      const quote = await api.call('POST', '/instances/st-1/refund-quotes', {
        account: A,
        body: { kind: 'UNSUBSCRIBE' },
      });
      expect(quote.status).toBe(404);
    });

    it('refuses a CANCELLED renewal too, leaving the instance as it was', async () => {
      expect((await ingest(api, newOrder('st-2'))).status).toBe(201);
      const r = renewal('st-2', 1);
      const answer = await ingest(api, { ...r, order: { ...r.order, status: 'CANCELLED' } });
      expect(answer.status).toBe(400);
      expect(answer.body.error.details.issues[0].field).toBe('order.status');
      const stored = await api.stores.instances.get(A, 'st-2');
      expect(stored?.orders.map((o) => o.orderId)).toEqual(['st-2-new']);
      expect(stored?.version).toBe(1);
    });

    it('accepts status PAID (or none) as the same paid order: an explicit PAID replays the omitted one', async () => {
      const plain = newOrder('st-3');
      expect((await ingest(api, plain)).status).toBe(201);
      const explicit = await ingest(api, { ...plain, order: { ...plain.order, status: 'PAID' } });
      expect(explicit.status).toBe(200);
      expect(explicit.body.orders).toEqual([
        expect.objectContaining({ orderId: 'st-3-new', status: 'PAID' }),
      ]);
    });

    it('is documented as it behaves: order.status is optional and only PAID', () => {
      const operation = openApiDocument().paths['/internal/orders']?.post as {
        requestBody: {
          content: {
            'application/json': {
              schema: {
                properties: {
                  order: { properties: { status: { const?: string; enum?: string[] } }; required: string[] };
                };
              };
            };
          };
        };
      };
      const order = operation.requestBody.content['application/json'].schema.properties.order;
      const allowed = order.properties.status.enum ?? [order.properties.status.const];
      expect(allowed).toEqual(['PAID']);
      expect(order.required).not.toContain('status');
    });
  });

  describe('identical replays at once', () => {
    const ROUNDS = 4;
    const AT_ONCE = 10;
    const statusesOf = (answers: { status: number }[]) => answers.map((a) => a.status).sort();
    const expected = [...Array.from({ length: AT_ONCE - 1 }, () => 200), 201];

    it('a NEW order sent 10 times at once answers one 201 and nine 200 with the same instance', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const instanceId = `cc-new-${round}`;
        const body = newOrder(instanceId);
        const answers = await Promise.all(Array.from({ length: AT_ONCE }, () => ingest(api, body)));
        expect(statusesOf(answers), JSON.stringify(answers.map((a) => a.body.error?.code))).toEqual(expected);
        for (const answer of answers) expect(answer.body).toEqual(answers[0]?.body);
        const stored = await api.stores.instances.get(A, instanceId);
        expect(stored?.orders.map((o) => o.orderId)).toEqual([`${instanceId}-new`]);
        expect(stored?.version).toBe(1);
      }
    });

    it('a RENEW order sent 10 times at once answers one 201 and nine 200, and is recorded once', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const instanceId = `cc-renew-${round}`;
        expect((await ingest(api, newOrder(instanceId))).status).toBe(201);
        const body = renewal(instanceId, 1);
        const answers = await Promise.all(Array.from({ length: AT_ONCE }, () => ingest(api, body)));
        expect(statusesOf(answers), JSON.stringify(answers.map((a) => a.body.error?.code))).toEqual(expected);
        const stored = await api.stores.instances.get(A, instanceId);
        expect(stored?.orders.map((o) => o.orderId)).toEqual([`${instanceId}-new`, `${instanceId}-r1`]);
        expect(stored?.version).toBe(2);
        for (const answer of answers) expect(answer.body.expiresAt).toBe('2026-05-01T00:00:00.000Z');
      }
    });

    it('the same orderId with other content at once is recorded once and the others are ORDER_CONFLICT', async () => {
      const instanceId = 'cc-mixed';
      const answers = await Promise.all(
        Array.from({ length: AT_ONCE }, (_, n) => ingest(api, newOrder(instanceId, 1000 + n))),
      );
      const statuses = statusesOf(answers);
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(AT_ONCE - 1);
      for (const refused of answers.filter((a) => a.status === 409))
        expect(refused.body.error.code).toBe('ORDER_CONFLICT');
      const winner = answers.find((a) => a.status === 201);
      const stored = await api.stores.instances.get(A, instanceId);
      expect(stored?.orders[0]?.cashPaid).toBe(winner?.body.orders[0].cashPaid);
    });
  });

  describe('totals beyond the safe integers', () => {
    const MAX = Number.MAX_SAFE_INTEGER;

    it('refuses the renewal that would make the total cashPaid unsafe (400 naming order.cashPaid); quotes still work', async () => {
      const instanceId = 'big-cash';
      expect((await ingest(api, newOrder(instanceId, MAX - 10))).status).toBe(201);
      const tooMuch = await ingest(api, renewal(instanceId, 1, 11));
      expect(tooMuch.status).toBe(400);
      expect(tooMuch.body.error.code).toBe('VALIDATION_FAILED');
      expect(tooMuch.body.error.details.issues).toEqual([
        { field: 'order.cashPaid', message: expect.stringContaining(String(MAX)) },
      ]);
      const stored = await api.stores.instances.get(A, instanceId);
      expect(stored?.orders.map((o) => o.orderId)).toEqual([`${instanceId}-new`]);
      expect(await api.stores.instances.getOrderClaim(A, `${instanceId}-r1`)).toBeNull();

      // Up to the limit exactly is fine, and the instance can still be quoted.
      expect((await ingest(api, { ...renewal(instanceId, 1, 10) })).status).toBe(201);
      const quote = await api.call('POST', `/instances/${instanceId}/refund-quotes`, {
        account: A,
        body: { kind: 'UNSUBSCRIBE' },
      });
      expect(quote.status).toBe(201);
      expect(quote.body.refundAmount).toBe(MAX);
    });

    it('refuses the renewal that would make the total voucherPaid unsafe (400 naming order.voucherPaid)', async () => {
      const instanceId = 'big-voucher';
      const first = newOrder(instanceId, 100);
      first.order.voucherPaid = MAX;
      expect((await ingest(api, first)).status).toBe(201);
      const next = renewal(instanceId, 1, 100);
      next.order.voucherPaid = 1;
      const tooMuch = await ingest(api, next);
      expect(tooMuch.status).toBe(400);
      expect(tooMuch.body.error.details.issues.map((i: { field: string }) => i.field)).toEqual([
        'order.voucherPaid',
      ]);
      expect((await api.stores.instances.get(A, instanceId))?.version).toBe(1);
      const quote = await api.call('POST', `/instances/${instanceId}/refund-quotes`, {
        account: A,
        body: { kind: 'UNSUBSCRIBE' },
      });
      expect(quote.status).toBe(201);
      expect(quote.body.nonRefundableVoucherAmount).toBe(MAX);
    });

    it('refuses a restoring renewal that would make a total unsafe, keeping the instance unsubscribed', async () => {
      const instanceId = 'big-restore';
      expect((await ingest(api, newOrder(instanceId, MAX - 5))).status).toBe(201);
      const quote = await api.call('POST', `/instances/${instanceId}/refund-quotes`, {
        account: A,
        body: { kind: 'UNSUBSCRIBE' },
      });
      const done = await api.call('POST', `/instances/${instanceId}/unsubscriptions`, {
        account: A,
        headers: { 'idempotency-key': 'big-restore' },
        body: {
          quoteId: quote.body.quoteId,
          refundType: quote.body.refundType,
          confirmations: { rulesAndAmountConfirmed: true, dataBackupConfirmed: true },
          reason: { code: 'NO_LONGER_NEEDED' },
        },
      });
      expect(done.status).toBe(202);
      const restore = orderBody(A, instanceId, {
        orderId: `${instanceId}-r1`,
        type: 'RENEW',
        paidAt: '2026-03-06T00:00:00.000Z',
        periodStart: '2026-03-06T00:00:00.000Z',
        periodEnd: '2026-04-06T00:00:00.000Z',
        cashPaid: 6,
      });
      const refused = await ingest(api, restore);
      expect(refused.status).toBe(400);
      expect(refused.body.error.details.issues[0].field).toBe('order.cashPaid');
      expect((await api.stores.instances.get(A, instanceId))?.status).toBe('UNSUBSCRIBED');
    });
  });
});
