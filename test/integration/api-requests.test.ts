/**
 * What every route does with a request before its handler runs, and the refusals that name
 * what was expected: media types, enum values, reversed ranges.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, apiHarness, orderBody } from '#test/support/api.ts';

const A = 'acct-requests';
const issuesOf = (answer: { body: { error: { details: { issues: unknown[] } } } }) =>
  answer.body.error.details.issues;

describe('request validation messages', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await apiHarness({ now: '2026-03-05T10:00:00.000Z' });
    const body = orderBody(A, 'rq-1', {
      orderId: 'rq-1-new',
      paidAt: '2026-03-01T00:00:00.000Z',
      periodEnd: '2027-03-01T00:00:00.000Z',
      cashPaid: 12_000,
    });
    expect((await api.call('POST', '/internal/orders', { account: 'b', internal: true, body })).status).toBe(
      201,
    );
  });

  it('names the allowed values of an enum in the body', async () => {
    const answer = await api.call('POST', '/instances/rq-1/refund-quotes', {
      account: A,
      body: { kind: 'REFUND_EVERYTHING' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toBe('kind: must be one of UNSUBSCRIBE, CANCEL_RENEWAL');
    expect(issuesOf(answer)).toEqual([
      { field: 'kind', message: 'must be one of UNSUBSCRIBE, CANCEL_RENEWAL' },
    ]);
  });

  it('names the allowed values of nested enums and of enums in the query', async () => {
    const body = orderBody(A, 'rq-2', {
      orderId: 'rq-2-new',
      paidAt: '2026-03-01T00:00:00.000Z',
      periodEnd: '2027-03-01T00:00:00.000Z',
      cashPaid: 1,
    });
    const bad = {
      ...body,
      billingMethod: 'MONTHLY',
      order: { ...body.order, type: 'UPGRADE', paymentMethod: { type: 'CHEQUE', reference: 'r' } },
    };
    const answer = await api.call('POST', '/internal/orders', { account: 'b', internal: true, body: bad });
    expect(answer.status).toBe(400);
    expect(issuesOf(answer)).toEqual(
      expect.arrayContaining([
        { field: 'billingMethod', message: 'must be one of SUBSCRIPTION, PAY_AS_YOU_GO' },
        { field: 'order.type', message: 'must be one of NEW, RENEW' },
        { field: 'order.paymentMethod.type', message: 'must be one of CARD, PAYPAL, BALANCE' },
      ]),
    );
    expect(await api.stores.instances.get(A, 'rq-2')).toBeNull();

    const query = await api.call('GET', '/instances?status=GONE', { account: A });
    expect(query.status).toBe(400);
    expect(issuesOf(query)).toEqual([
      { field: 'status', message: 'must be one of ACTIVE, UNSUBSCRIBED, RELEASED' },
    ]);

    const reason = await api.call('POST', '/instances/rq-1/unsubscriptions', {
      account: A,
      headers: { 'idempotency-key': 'rq-reason' },
      body: { quoteId: 'q-x', refundType: 'SOME', reason: { code: 'BORED' } },
    });
    expect(reason.status).toBe(400);
    expect(issuesOf(reason)).toEqual(
      expect.arrayContaining([
        { field: 'refundType', message: 'must be one of FULL_REFUND, PARTIAL_REFUND' },
        {
          field: 'reason.code',
          message:
            'must be one of NO_LONGER_NEEDED, TOO_EXPENSIVE, SWITCHING_PRODUCT, PURCHASED_BY_MISTAKE, SERVICE_ISSUES, OTHER',
        },
      ]),
    );
  });

  it('says a missing field is required and a value of the wrong type what it must be', async () => {
    const answer = await api.call('POST', '/instances/rq-1/unsubscriptions', {
      account: A,
      headers: { 'idempotency-key': 'rq-types' },
      body: {
        refundType: 'FULL_REFUND',
        confirmations: { rulesAndAmountConfirmed: 'yes' },
        reason: { code: 'OTHER', text: 'x' },
      },
    });
    expect(answer.status).toBe(400);
    expect(issuesOf(answer)).toEqual(
      expect.arrayContaining([
        { field: 'quoteId', message: 'is required' },
        { field: 'confirmations.rulesAndAmountConfirmed', message: 'must be a boolean' },
      ]),
    );
    for (const issue of issuesOf(answer) as { message: string }[])
      expect(issue.message).not.toMatch(/Invalid input/);
  });
});
