import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '#http/routes.ts';
import {
  adjustBalanceRequestSchema,
  approveRequestSchema,
  decisionRequestSchema,
  resolveLineRequestSchema,
  retrySettlementRequestSchema,
} from '#schema/ops.ts';
import { contactRequestSchema } from '#schema/paperwork.ts';
import { type ApiHarness, apiHarness, confirmedUnsubscribe, orderBody } from '#test/support/api.ts';

const A = 'acct-fuzz';

/** A JSON value, or one of a valid body with one field replaced or added. */
function bodies(valid: Record<string, unknown>) {
  const keys = Object.keys(valid);
  const mutated = fc
    .tuple(fc.constantFrom(...keys, 'extra', 'pk', '__proto__x'), fc.jsonValue())
    .map(([key, value]) => ({ ...valid, [key]: value }));
  const dropped =
    keys.length === 0
      ? fc.constant({})
      : fc.constantFrom(...keys).map((key) => {
          const { [key]: _gone, ...rest } = valid;
          return rest;
        });
  return fc.oneof(
    fc.jsonValue(),
    mutated,
    dropped,
    fc.string().map((s) => ({ raw: s })),
  );
}

describe('generated bodies never cause a 5xx and never write', () => {
  let api: ApiHarness;
  let quoteId: string;

  beforeAll(async () => {
    api = await apiHarness({ now: '2026-03-05T10:00:00.000Z' });
    await api.call('POST', '/internal/orders', {
      account: 'billing',
      internal: true,
      body: orderBody(A, 'i-1', {
        orderId: 'n-1',
        paidAt: '2026-03-02T02:00:00.000Z',
        periodEnd: '2027-03-02T02:00:00.000Z',
        cashPaid: 99900,
      }),
    });
    quoteId = (
      await api.call('POST', '/instances/i-1/refund-quotes', { account: A, body: { kind: 'UNSUBSCRIBE' } })
    ).body.quoteId;
  });

  const why = { reasonCode: 'GOODWILL', note: 'fuzz' };
  const validBodies = (): Record<string, Record<string, unknown>> => ({
    'POST /instances/{instanceId}/refund-quotes': {
      kind: 'CANCEL_RENEWAL',
      updatedExpirationTime: '2026-06-01T00:00:00.000Z',
    },
    'POST /instances/{instanceId}/unsubscriptions': confirmedUnsubscribe(quoteId, 'PARTIAL_REFUND'),
    'POST /instances/{instanceId}/renewal-cancellations': {
      quoteId,
      updatedExpirationTime: '2026-06-01T00:00:00.000Z',
      confirmations: { rulesAndAmountConfirmed: true },
    },
    'POST /internal/orders': orderBody(A, 'i-1', {
      orderId: 'n-1',
      paidAt: '2026-03-02T02:00:00.000Z',
      periodEnd: '2027-03-02T02:00:00.000Z',
      cashPaid: 1,
    }),
    'PUT /internal/instances/{instanceId}/flags': { accountId: A, securityLocked: 'yes' },
    // Unsigned (and, in this harness, the simulator is the provider): never applied.
    'POST /webhooks/stripe': {
      type: 'refund.failed',
      data: { object: { object: 'refund', id: 're_fuzz', status: 'failed' } },
    },
    'PUT /internal/accounts/{accountId}/contact': { email: 'ann@example.com', name: 'Ann' },
    'POST /ops/orders/{unsubscribeOrderId}/settlement-retries': why,
    'POST /ops/orders/{unsubscribeOrderId}/lines/{orderId}/resolutions': {
      resolution: 'SETTLED_EXTERNALLY',
      externalReference: 'bank-123',
      ...why,
    },
    'POST /ops/accounts/{accountId}/balance-adjustments': {
      direction: 'CREDIT',
      currency: 'USD',
      amount: 100,
      ...why,
    },
    'POST /ops/approvals/{approvalId}/cancel': why,
    'POST /ops/approvals/{approvalId}/approve': { note: 'checked' },
    'POST /ops/approvals/{approvalId}/reject': why,
  });

  /**
   * Routes whose every mutation may still be a valid request (a valid request writes, by
   * design): the property keeps to the bodies their schema refuses.
   */
  const requestSchemas: Record<string, { safeParse(body: unknown): { success: boolean } }> = {
    'PUT /internal/accounts/{accountId}/contact': contactRequestSchema,
    'POST /ops/orders/{unsubscribeOrderId}/settlement-retries': retrySettlementRequestSchema,
    'POST /ops/orders/{unsubscribeOrderId}/lines/{orderId}/resolutions': resolveLineRequestSchema,
    'POST /ops/accounts/{accountId}/balance-adjustments': adjustBalanceRequestSchema,
    'POST /ops/approvals/{approvalId}/cancel': decisionRequestSchema,
    'POST /ops/approvals/{approvalId}/approve': approveRequestSchema,
    'POST /ops/approvals/{approvalId}/reject': decisionRequestSchema,
  };
  const pathParams: Record<string, string> = {
    instanceId: 'i-1',
    accountId: A,
    unsubscribeOrderId: 'uo-fuzz',
    orderId: 'n-1',
    approvalId: 'ap-fuzz',
  };

  const withBody = ROUTES.filter((route) => route.method !== 'GET');

  it.each(withBody.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s',
    async (key, route) => {
      const valid = validBodies()[key] ?? {};
      const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => pathParams[name] ?? name);
      const schema = requestSchemas[key];
      const before = await api.allItems();
      // The flags body is invalid only through `securityLocked: 'yes'`: a mutation that makes it
      // a boolean is a valid update that writes, so those bodies are not part of this property.
      const invalidBodies = bodies(valid).filter(
        (body) =>
          !(
            key.endsWith('/flags') &&
            typeof (body as { securityLocked?: unknown })?.securityLocked === 'boolean'
          ) && !schema?.safeParse(body).success,
      );
      await fc.assert(
        fc.asyncProperty(invalidBodies, async (body) => {
          const raw =
            typeof body === 'object' &&
            body !== null &&
            !Array.isArray(body) &&
            Object.keys(body).join() === 'raw';
          const operator = route.auth === 'operator' || route.auth === 'approver';
          const answer = await api.call(route.method, path, {
            ...(operator
              ? { operator: 'fuzz-operator', approver: true }
              : { account: route.auth === 'internal' ? 'billing' : A }),
            internal: route.auth === 'internal',
            ...(raw ? { rawBody: String((body as { raw: string }).raw) } : { body }),
            headers: { 'idempotency-key': 'fuzz-key' },
          });
          expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
          if (answer.status < 400) {
            // Only a flags update that sets nothing new can succeed here, and it writes nothing.
            expect(key).toBe('PUT /internal/instances/{instanceId}/flags');
          } else {
            expect(typeof answer.body.error.code).toBe('string');
          }
        }),
        { numRuns: 60 },
      );
      expect(await api.allItems()).toEqual(before);
    },
  );

  it('query strings of the list routes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom('limit', 'status', 'instanceId', 'orderTimeFrom', 'createdTo', 'nextToken', 'x'),
          fc.string({ minLength: 1 }),
        ),
        fc.constantFrom('/instances', '/unsubscribe-orders'),
        async (query, path) => {
          const qs = new URLSearchParams(query).toString();
          const answer = await api.call('GET', `${path}?${qs}`, { account: A });
          expect([200, 400]).toContain(answer.status);
        },
      ),
      { numRuns: 100 },
    );
  });
});
