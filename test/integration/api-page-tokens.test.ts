/**
 * `nextToken` values are unforgeable (HMAC under a configured key), bound to the caller and
 * the query, expire, survive a key rotation for their lifetime, and anything else is a 400
 * VALIDATION_FAILED naming `nextToken` — never a 500, never a page.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { PAGE_TOKEN_TTL_MS } from '#http/pagination.ts';
import {
  type ApiHarness,
  apiHarness,
  confirmedUnsubscribe,
  newPageTokenKey,
  orderBody,
} from '#test/support/api.ts';
import { fingerprint } from '#use-cases/fingerprint.ts';

const A = 'acct-pages';
const B = 'acct-pages-other';

const idsOf = (answer: { body: { items: { instanceId: string }[] } }) =>
  answer.body.items.map((i) => i.instanceId);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function expectRefused(answer: { status: number; body: { error?: { code: string; details: unknown } } }) {
  expect(answer.status).toBe(400);
  expect(answer.body.error?.code).toBe('VALIDATION_FAILED');
  expect(answer.body.error?.details).toEqual({
    issues: [{ field: 'nextToken', message: expect.any(String) }],
  });
}

describe('nextToken', () => {
  let api: ApiHarness;
  const list = (account: string, query: string, token?: string) =>
    api.call(
      'GET',
      `/instances?${query}${token === undefined ? '' : `&nextToken=${encodeURIComponent(token)}`}`,
      { account },
    );
  const orders = (account: string, query: string, token?: string) =>
    api.call(
      'GET',
      `/unsubscribe-orders?${query}${token === undefined ? '' : `&nextToken=${encodeURIComponent(token)}`}`,
      { account },
    );

  beforeAll(async () => {
    api = await apiHarness({ now: '2026-03-05T10:00:00.000Z' });
    for (const id of ['p-1', 'p-2', 'p-3', 'p-4']) {
      const body = orderBody(A, id, {
        orderId: `${id}-new`,
        paidAt: '2026-03-01T00:00:00.000Z',
        periodEnd: '2027-03-01T00:00:00.000Z',
        cashPaid: 5000,
      });
      expect(
        (await api.call('POST', '/internal/orders', { account: 'b', internal: true, body })).status,
      ).toBe(201);
    }
    for (const id of ['p-1', 'p-2']) {
      const quote = await api.call('POST', `/instances/${id}/refund-quotes`, {
        account: A,
        body: { kind: 'UNSUBSCRIBE' },
      });
      const done = await api.call('POST', `/instances/${id}/unsubscriptions`, {
        account: A,
        headers: { 'idempotency-key': `pages-${id}` },
        body: confirmedUnsubscribe(quote.body.quoteId, quote.body.refundType),
      });
      expect(done.status).toBe(202);
      api.advance(1000);
    }
  });

  it('pages through both lists with the tokens it issues', async () => {
    const first = await list(A, 'limit=3');
    expect(idsOf(first)).toEqual(['p-1', 'p-2', 'p-3']);
    const second = await list(A, 'limit=3', first.body.nextToken);
    expect(second.status).toBe(200);
    expect(idsOf(second)).toEqual(['p-4']);
    expect(second.body.nextToken).toBeNull();

    const newest = await orders(A, 'limit=1');
    expect(newest.body.items.map((o: { instanceId: string }) => o.instanceId)).toEqual(['p-2']);
    const older = await orders(A, 'limit=1', newest.body.nextToken);
    expect(older.body.items.map((o: { instanceId: string }) => o.instanceId)).toEqual(['p-1']);
  });

  it('refuses a token minted by the caller (an unkeyed scope digest) and one that points outside the list', async () => {
    const scope = (query: Record<string, string>) => fingerprint(A, query).slice(0, 16);
    const minted = b64({ after: 'INST#p-1', scope: scope({ limit: '2' }) });
    expectRefused(await list(A, 'limit=2', minted));
    const outside = b64({ after: 'UORDER#', scope: scope({ limit: '1' }) });
    expectRefused(await orders(A, 'limit=1', outside));
    const otherPartition = b64({ after: 'UORDER#uo-0-x', scope: scope({ limit: '1' }) });
    expectRefused(await orders(A, 'limit=1', otherPartition));
  });

  it.each([
    ['null', b64(null)],
    ['a number', b64(42)],
    ['an array', b64(['INST#p-1'])],
    ['a string', b64('INST#p-1')],
    ['an empty object', b64({})],
    ['not base64', '%%%'],
    ['three empty parts', '..'],
    ['a key id and garbage', 'k1.e30.AAAA'],
  ])('refuses a token that decodes to %s with 400, on both lists', async (_, token) => {
    expectRefused(await list(A, 'limit=2', token));
    expectRefused(await orders(A, 'limit=1', token));
  });

  it('refuses an issued token for another caller, another query, another list, or with its payload changed', async () => {
    const issued = (await list(A, 'limit=2')).body.nextToken as string;
    expectRefused(await list(B, 'limit=2', issued));
    expectRefused(await list(A, 'limit=3', issued));
    expectRefused(await list(A, 'limit=2&status=ACTIVE', issued));
    expectRefused(await orders(A, 'limit=2', issued));

    const [id, , mac] = issued.split('.');
    const forged = `${id}.${b64({ after: 'INST#p-3', exp: Date.parse('2030-01-01T00:00:00.000Z') })}.${mac}`;
    expectRefused(await list(A, 'limit=2', forged));
    // Still good as issued.
    expect(idsOf(await list(A, 'limit=2', issued))).toEqual(['p-3', 'p-4']);
  });

  it('expires a token after its lifetime', async () => {
    const issued = (await list(A, 'limit=2')).body.nextToken as string;
    api.advance(PAGE_TOKEN_TTL_MS - 1);
    expect((await list(A, 'limit=2', issued)).status).toBe(200);
    api.advance(1);
    const expired = await list(A, 'limit=2', issued);
    expectRefused(expired);
    expect(expired.body.error.message).toMatch(/expired/);
  });

  it('keeps tokens of the previous key valid after a rotation, and refuses them once that key is retired', async () => {
    const k1 = newPageTokenKey('k1-rotation');
    const k2 = newPageTokenKey('k2-rotation');
    api.setPageTokenKeys(k1);
    const underK1 = (await list(A, 'limit=2')).body.nextToken as string;
    expect(underK1.startsWith('k1-rotation.')).toBe(true);

    api.setPageTokenKeys({ ...k2, previous: [k1] });
    expect(idsOf(await list(A, 'limit=2', underK1))).toEqual(['p-3', 'p-4']);
    const underK2 = (await list(A, 'limit=2')).body.nextToken as string;
    expect(underK2.startsWith('k2-rotation.')).toBe(true);

    api.setPageTokenKeys(k2);
    expectRefused(await list(A, 'limit=2', underK1));
    expect(idsOf(await list(A, 'limit=2', underK2))).toEqual(['p-3', 'p-4']);

    // A token naming a key id the keyring has, but signed with another secret, is refused too.
    api.setPageTokenKeys({ ...newPageTokenKey('k2-rotation') });
    expectRefused(await list(A, 'limit=2', underK2));
  });
});
