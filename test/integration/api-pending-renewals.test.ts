/**
 * `GET /instances?pendingRenewal=true`: the instances the renewal-cancellation tab lists —
 * active, with a paid renewal that has not started at the request's time (SPEC 2.3) — found
 * by the server across every page, not by the caller filtering one page.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, apiHarness, orderBody } from '#test/support/api.ts';

const A = 'acct-pending';
const NOW = '2026-03-05T10:00:00.000Z';

async function ingest(api: ApiHarness, body: ReturnType<typeof orderBody>) {
  const answer = await api.call('POST', '/internal/orders', { account: 'billing', internal: true, body });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
}

/** NEW from Feb 1 to Apr 1, and (when given) a renewal from Apr 1 to May 1. */
async function instance(api: ApiHarness, id: string, renewal: 'pending' | 'none' | 'started') {
  if (renewal === 'started') {
    await ingest(
      api,
      orderBody(A, id, {
        orderId: `${id}-n`,
        paidAt: '2026-01-05T00:00:00.000Z',
        periodEnd: '2026-03-01T00:00:00.000Z',
        cashPaid: 1000,
      }),
    );
    await ingest(
      api,
      orderBody(A, id, {
        orderId: `${id}-r`,
        type: 'RENEW',
        paidAt: '2026-02-20T00:00:00.000Z',
        periodStart: '2026-03-01T00:00:00.000Z',
        periodEnd: '2026-04-01T00:00:00.000Z',
        cashPaid: 1000,
      }),
    );
    return;
  }
  await ingest(
    api,
    orderBody(A, id, {
      orderId: `${id}-n`,
      paidAt: '2026-02-01T00:00:00.000Z',
      periodEnd: '2026-04-01T00:00:00.000Z',
      cashPaid: 2000,
    }),
  );
  if (renewal === 'pending') {
    await ingest(
      api,
      orderBody(A, id, {
        orderId: `${id}-r`,
        type: 'RENEW',
        paidAt: '2026-03-01T00:00:00.000Z',
        periodStart: '2026-04-01T00:00:00.000Z',
        periodEnd: '2026-05-01T00:00:00.000Z',
        cashPaid: 1000,
      }),
    );
  }
}

async function quote(api: ApiHarness, id: string, kind: 'UNSUBSCRIBE' | 'CANCEL_RENEWAL') {
  const answer = await api.call('POST', `/instances/${id}/refund-quotes`, { account: A, body: { kind } });
  expect(answer.status).toBe(201);
  return answer.body;
}

/** Every instance id of the query, following nextToken page by page (and the page count). */
async function allPages(api: ApiHarness, query: string, account = A) {
  const ids: string[] = [];
  let pages = 0;
  let token: string | null = null;
  do {
    const next: string = token ? `&nextToken=${encodeURIComponent(token)}` : '';
    const answer = await api.call('GET', `/instances?${query}${next}`, { account });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    ids.push(...answer.body.items.map((i: { instanceId: string }) => i.instanceId));
    token = answer.body.nextToken;
    pages++;
  } while (token);
  return { ids, pages };
}

describe('GET /instances?pendingRenewal', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await apiHarness({ now: NOW });
    // In instance-id order: pending renewals spread among the others, so that a page of the
    // unfiltered list holds some, none or several of them.
    for (const [id, renewal] of [
      ['i-01', 'none'],
      ['i-02', 'pending'],
      ['i-03', 'none'],
      ['i-04', 'none'],
      ['i-05', 'started'],
      ['i-06', 'pending'],
      ['i-07', 'none'],
      ['i-08', 'pending'], // unsubscribed below
      ['i-09', 'pending'], // its renewal cancelled below
      ['i-10', 'none'],
      ['i-11', 'pending'],
    ] as const) {
      await instance(api, id, renewal);
    }
    const unsubscribeQuote = await quote(api, 'i-08', 'UNSUBSCRIBE');
    const unsubscribed = await api.call('POST', '/instances/i-08/unsubscriptions', {
      account: A,
      headers: { 'idempotency-key': 'pending-i-08' },
      body: {
        quoteId: unsubscribeQuote.quoteId,
        refundType: unsubscribeQuote.refundType,
        confirmations: { rulesAndAmountConfirmed: true, dataBackupConfirmed: true },
        reason: { code: 'NO_LONGER_NEEDED' },
      },
    });
    expect(unsubscribed.status).toBe(202);
    const cancelQuote = await quote(api, 'i-09', 'CANCEL_RENEWAL');
    const cancelled = await api.call('POST', '/instances/i-09/renewal-cancellations', {
      account: A,
      headers: { 'idempotency-key': 'pending-i-09' },
      body: {
        quoteId: cancelQuote.quoteId,
        updatedExpirationTime: cancelQuote.updatedExpirationTime,
        confirmations: { rulesAndAmountConfirmed: true },
      },
    });
    expect(cancelled.status).toBe(202);
  });

  it('lists every active instance with a paid renewal not yet started, across pages', async () => {
    const unfiltered = await api.call('GET', '/instances?limit=4', { account: A });
    expect(unfiltered.body.items.map((i: { instanceId: string }) => i.instanceId)).toEqual([
      'i-01',
      'i-02',
      'i-03',
      'i-04',
    ]);

    const pending = await allPages(api, 'pendingRenewal=true&limit=2');
    expect(pending.ids).toEqual(['i-02', 'i-06', 'i-11']);
    expect(pending.pages).toBe(2);
    const first = await api.call('GET', '/instances?pendingRenewal=true&limit=2', { account: A });
    expect(first.body.items.map((i: { instanceId: string }) => i.instanceId)).toEqual(['i-02', 'i-06']);
    expect(typeof first.body.nextToken).toBe('string');

    expect((await allPages(api, 'pendingRenewal=true&limit=1')).ids).toEqual(['i-02', 'i-06', 'i-11']);
    expect((await allPages(api, 'pendingRenewal=true')).ids).toEqual(['i-02', 'i-06', 'i-11']);
  });

  it('lists the others with pendingRenewal=false, and combines with the other filters', async () => {
    expect((await allPages(api, 'pendingRenewal=false&limit=3')).ids).toEqual([
      'i-01',
      'i-03',
      'i-04',
      'i-05',
      'i-07',
      'i-08',
      'i-09',
      'i-10',
    ]);
    expect((await allPages(api, 'pendingRenewal=true&instanceId=i-06')).ids).toEqual(['i-06']);
    expect((await allPages(api, 'pendingRenewal=true&instanceId=i-09')).ids).toEqual([]);
    expect((await allPages(api, 'pendingRenewal=true&status=UNSUBSCRIBED')).ids).toEqual([]);
    expect(
      (await allPages(api, 'pendingRenewal=true&orderTimeFrom=2026-03-01T00:00:00.000Z&limit=1')).ids,
    ).toEqual(['i-02', 'i-06', 'i-11']);
    expect((await allPages(api, 'pendingRenewal=true', 'acct-someone-else')).ids).toEqual([]);
  });

  it('judges "not started" at the time of the request', async () => {
    try {
      api.setNow('2026-04-01T00:00:00.000Z'); // the renewals start now
      expect((await allPages(api, 'pendingRenewal=true')).ids).toEqual([]);
      api.setNow('2026-03-31T23:59:59.999Z');
      expect((await allPages(api, 'pendingRenewal=true')).ids).toEqual(['i-02', 'i-06', 'i-11']);
    } finally {
      api.setNow(NOW);
    }
  });

  it('refuses another value, and a token of the filtered list for the unfiltered one', async () => {
    for (const value of ['yes', '1', 'TRUE', '']) {
      const answer = await api.call('GET', `/instances?pendingRenewal=${value}`, { account: A });
      expect(answer.status, value).toBe(400);
      expect(answer.body.error.code).toBe('VALIDATION_FAILED');
      expect(answer.body.error.details.issues.map((i: { field: string }) => i.field)).toContain(
        'pendingRenewal',
      );
    }
    const first = await api.call('GET', '/instances?pendingRenewal=true&limit=2', { account: A });
    const token = encodeURIComponent(first.body.nextToken);
    const elsewhere = await api.call('GET', `/instances?limit=2&nextToken=${token}`, { account: A });
    expect(elsewhere.status).toBe(400);
  });
});
