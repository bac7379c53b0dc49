/**
 * What every route does with a request before its handler runs, and the refusals that name
 * what was expected: media types, enum values, reversed ranges.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, apiHarness, confirmedUnsubscribe, orderBody } from '#test/support/api.ts';

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

  describe('Content-Type of a body', () => {
    const quoteBody = JSON.stringify({ kind: 'UNSUBSCRIBE' });
    const quotesOf = async () =>
      (await api.allItems()).filter((item) => String(item.sk).startsWith('QUOTE#')).length;

    it.each([
      ['text/plain', 'text/plain'],
      ['a form', 'application/x-www-form-urlencoded'],
      ['multipart', 'multipart/form-data; boundary=x'],
      ['a +json type', 'application/problem+json'],
      ['none', null],
    ])('refuses a body sent as %s with 415 UNSUPPORTED_MEDIA_TYPE, changing nothing', async (_, type) => {
      const before = await quotesOf();
      const answer = await api.call('POST', '/instances/rq-1/refund-quotes', {
        account: A,
        rawBody: quoteBody,
        contentType: type,
      });
      expect(answer.status).toBe(415);
      expect(answer.body.error).toMatchObject({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        details: { expected: 'application/json' },
      });
      expect(await quotesOf()).toBe(before);
    });

    it('refuses them on internal routes too: an order sent as a form records nothing', async () => {
      const body = orderBody(A, 'rq-form', {
        orderId: 'rq-form-new',
        paidAt: '2026-03-01T00:00:00.000Z',
        periodEnd: '2027-03-01T00:00:00.000Z',
        cashPaid: 1,
      });
      const answer = await api.call('POST', '/internal/orders', {
        account: 'b',
        internal: true,
        rawBody: JSON.stringify(body),
        contentType: 'text/plain;charset=UTF-8',
      });
      expect(answer.status).toBe(415);
      expect(await api.stores.instances.get(A, 'rq-form')).toBeNull();
    });

    it('accepts application/json in any case and with parameters, and a request without a body', async () => {
      for (const type of ['application/json', 'Application/JSON; charset=utf-8']) {
        const answer = await api.call('POST', '/instances/rq-1/refund-quotes', {
          account: A,
          rawBody: quoteBody,
          contentType: type,
        });
        expect(answer.status, type).toBe(201);
      }
      const read = await api.call('GET', '/instances/rq-1', { account: A, contentType: null });
      expect(read.status).toBe(200);
    });
  });

  describe('reversed time ranges', () => {
    beforeAll(async () => {
      const quote = await api.call('POST', '/instances/rq-1/refund-quotes', {
        account: A,
        body: { kind: 'UNSUBSCRIBE' },
      });
      const done = await api.call('POST', '/instances/rq-1/unsubscriptions', {
        account: A,
        headers: { 'idempotency-key': 'rq-ranges' },
        body: confirmedUnsubscribe(quote.body.quoteId, quote.body.refundType),
      });
      expect(done.status).toBe(202);
    });

    const EARLY = '2026-03-01T00:00:00.000Z';
    const LATE = '2026-03-10T00:00:00.000Z';

    it('GET /unsubscribe-orders with createdFrom after createdTo answers an empty page, as GET /instances does', async () => {
      const all = await api.call('GET', '/unsubscribe-orders', { account: A });
      expect(all.body.items).toHaveLength(1);
      const inRange = await api.call('GET', `/unsubscribe-orders?createdFrom=${EARLY}&createdTo=${LATE}`, {
        account: A,
      });
      expect(inRange.body.items).toHaveLength(1);

      const reversed = await api.call('GET', `/unsubscribe-orders?createdFrom=${LATE}&createdTo=${EARLY}`, {
        account: A,
      });
      expect(reversed.status).toBe(200);
      expect(reversed.body).toEqual({ items: [], nextToken: null });

      const instances = await api.call('GET', `/instances?orderTimeFrom=${LATE}&orderTimeTo=${EARLY}`, {
        account: A,
      });
      expect(instances.status).toBe(200);
      expect(instances.body).toEqual({ items: [], nextToken: null });
    });

    it('an empty range (from equal to to) is an empty page on both lists', async () => {
      for (const url of [
        `/unsubscribe-orders?createdFrom=${EARLY}&createdTo=${EARLY}&instanceId=rq-1`,
        `/instances?orderTimeFrom=${EARLY}&orderTimeTo=${EARLY}`,
      ]) {
        const answer = await api.call('GET', url, { account: A });
        expect(answer.status, url).toBe(200);
        expect(answer.body, url).toEqual({ items: [], nextToken: null });
      }
    });
  });
});
