/**
 * `GET /internal/unsubscribe-orders/export` on the emulators: every account's orders created in
 * [createdFrom, createdTo), oldest first, as JSON Lines paged by a `Next-Token` header; internal
 * callers only; read from the `created` index and the orders' own keys, nothing else; and what
 * it answers is what `npm run policy -- backtest` reads, piped as is into the real CLI.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE } from '#schema/table.ts';
import { type ApiHarness, apiHarness, confirmedUnsubscribe, orderBody } from '#test/support/api.ts';

const A = 'acct-export-a';
const B = 'acct-export-b';
const ROUTE = '/internal/unsubscribe-orders/export';
const INTERNAL = { account: 'billing', internal: true } as const;
const FROM = '2026-03-04T10:00:00.000Z';
const TO = '2026-03-08T00:00:00.000Z';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pinnedNode = `${root}node_modules/.bin/node`;
/** Node 24 (pinned in devDependencies) runs the CLI; vitest itself may run on it already. */
const nodeBin =
  Number(process.versions.node.split('.')[0]) >= 24 || !existsSync(pinnedNode)
    ? process.execPath
    : pinnedNode;

/** `npm run policy -- backtest --policy <file>` with `stdin` piped in. */
function backtest(policyFile: string, stdin: string) {
  const result = spawnSync(nodeBin, ['shared/policy/cli.ts', 'backtest', '--policy', policyFile], {
    cwd: root,
    input: stdin,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, report: JSON.parse(result.stdout) };
}

const exportUrl = (query: Record<string, string>) => `${ROUTE}?${new URLSearchParams(query).toString()}`;
const idsOf = (answer: { body: { unsubscribeOrderId: string }[] }) =>
  answer.body.map((line) => line.unsubscribeOrderId);

describe('GET /internal/unsubscribe-orders/export', () => {
  let api: ApiHarness;
  /** Order ids by instance. */
  const made: Record<string, string> = {};

  async function buy(account: string, instanceId: string, paidAt: string, renewal = false) {
    const bought = await api.call('POST', '/internal/orders', {
      ...INTERNAL,
      body: orderBody(account, instanceId, {
        orderId: `${instanceId}-n`,
        paidAt,
        periodEnd: '2026-04-01T00:00:00.000Z',
        cashPaid: 31_000,
      }),
    });
    expect(bought.status).toBe(201);
    if (!renewal) return;
    const renewed = await api.call('POST', '/internal/orders', {
      ...INTERNAL,
      body: orderBody(account, instanceId, {
        orderId: `${instanceId}-r`,
        type: 'RENEW',
        paidAt,
        periodStart: '2026-04-01T00:00:00.000Z',
        periodEnd: '2026-05-01T00:00:00.000Z',
        cashPaid: 30_000,
      }),
    });
    expect(renewed.status).toBe(201);
  }

  async function unsubscribe(account: string, instanceId: string, at: string) {
    api.setNow(at);
    const quote = await api.call('POST', `/instances/${instanceId}/refund-quotes`, {
      account,
      body: { kind: 'UNSUBSCRIBE' },
    });
    const done = await api.call('POST', `/instances/${instanceId}/unsubscriptions`, {
      account,
      body: confirmedUnsubscribe(quote.body.quoteId, quote.body.refundType),
      headers: { 'idempotency-key': `k-${instanceId}` },
    });
    expect(done.status).toBe(202);
    made[instanceId] = done.body.unsubscribeOrderId;
  }

  async function cancelRenewal(account: string, instanceId: string, at: string) {
    api.setNow(at);
    const quote = await api.call('POST', `/instances/${instanceId}/refund-quotes`, {
      account,
      body: { kind: 'CANCEL_RENEWAL' },
    });
    const done = await api.call('POST', `/instances/${instanceId}/renewal-cancellations`, {
      account,
      body: {
        quoteId: quote.body.quoteId,
        updatedExpirationTime: quote.body.updatedExpirationTime,
        confirmations: { rulesAndAmountConfirmed: true },
      },
      headers: { 'idempotency-key': `k-${instanceId}` },
    });
    expect(done.status).toBe(202);
    made[instanceId] = done.body.unsubscribeOrderId;
  }

  beforeAll(async () => {
    api = await apiHarness({ now: '2026-03-01T00:00:00.000Z' });
    await buy(B, 'b-0', '2026-03-01T00:00:00.000Z');
    await buy(A, 'a-1', '2026-03-01T00:00:00.000Z');
    await buy(A, 'a-2', '2026-03-01T00:00:00.000Z');
    await buy(B, 'b-1', '2026-03-01T00:00:00.000Z');
    await buy(B, 'b-2', '2026-03-01T00:00:00.000Z', true);
    // Before the range (B's full refund of the year).
    await unsubscribe(B, 'b-0', '2026-03-02T00:00:00.000Z');
    // At createdFrom: A's full refund, 3 days 10 hours after the purchase.
    await unsubscribe(A, 'a-1', FROM);
    // A partial refund (A's full refund is used), the last millisecond of a UTC day.
    await unsubscribe(A, 'a-2', '2026-03-05T23:59:59.999Z');
    // A renewal cancellation of B, the first millisecond of the next day.
    await cancelRenewal(B, 'b-2', '2026-03-06T00:00:00.000Z');
    // At createdTo: outside the range.
    await unsubscribe(B, 'b-1', TO);
  });

  it("answers every account's orders in [createdFrom, createdTo), oldest first, as JSON Lines", async () => {
    const answer = await api.call('GET', exportUrl({ createdFrom: FROM, createdTo: TO }), INTERNAL);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/x-ndjson');
    expect(answer.headers['next-token']).toBeUndefined();
    expect(idsOf(answer)).toEqual([made['a-1'], made['a-2'], made['b-2']]);
    expect(answer.raw.endsWith('\n')).toBe(true);
    expect(answer.raw.split('\n')).toHaveLength(4);
    expect(
      answer.body.map((o: { accountId: string; refundType: string }) => [o.accountId, o.refundType]),
    ).toEqual([
      [A, 'FULL_REFUND'],
      [A, 'PARTIAL_REFUND'],
      [B, 'RENEWAL_CANCELLATION'],
    ]);
    // The recorded inputs are there, and nothing personal: no reason, no payment reference.
    expect(answer.body[0].derivation.inputs.orders[0]).toMatchObject({ orderId: 'a-1-n', cashPaid: 31_000 });
    expect(answer.raw).not.toMatch(/NO_LONGER_NEEDED|card-4242|reason/);

    // The range is half-open at both ends of a millisecond.
    const later = await api.call(
      'GET',
      exportUrl({ createdFrom: '2026-03-04T10:00:00.001Z', createdTo: '2026-03-08T00:00:00.001Z' }),
      INTERNAL,
    );
    expect(idsOf(later)).toEqual([made['a-2'], made['b-2'], made['b-1']]);
    const oneDay = await api.call(
      'GET',
      exportUrl({ createdFrom: '2026-03-05T00:00:00.000Z', createdTo: '2026-03-05T23:59:59.999Z' }),
      INTERNAL,
    );
    expect(oneDay.status).toBe(200);
    expect(oneDay.body).toEqual([]);
    expect(oneDay.raw).toBe('');
  });

  it('pages with the Next-Token header, bound to the query', async () => {
    const query = {
      createdFrom: '2026-03-01T00:00:00.000Z',
      createdTo: '2026-03-09T00:00:00.000Z',
      limit: '2',
    };
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const answer = await api.call(
        'GET',
        exportUrl({ ...query, ...(token === undefined ? {} : { nextToken: token }) }),
        INTERNAL,
      );
      expect(answer.status).toBe(200);
      expect(answer.body.length).toBeLessThanOrEqual(2);
      seen.push(...idsOf(answer));
      token = answer.headers['next-token'];
      pages += 1;
    } while (token !== undefined && pages < 10);
    expect(seen).toEqual([made['b-0'], made['a-1'], made['a-2'], made['b-2'], made['b-1']]);
    expect(pages).toBeGreaterThanOrEqual(3);

    const first = await api.call('GET', exportUrl(query), INTERNAL);
    const issued = first.headers['next-token'] ?? '';
    expect(issued).not.toBe('');
    // Another query's token, a customer list's, or any text at all: 400 naming nextToken.
    const otherQuery = await api.call(
      'GET',
      exportUrl({ ...query, limit: '3', nextToken: issued }),
      INTERNAL,
    );
    expect(otherQuery.status).toBe(400);
    expect(otherQuery.body.error.details.issues[0].field).toBe('nextToken');
    const customerList = await api.call('GET', '/unsubscribe-orders?limit=1', { account: A });
    const foreign = await api.call(
      'GET',
      exportUrl({ ...query, nextToken: customerList.body.nextToken }),
      INTERNAL,
    );
    expect(foreign.status).toBe(400);
    const garbage = await api.call('GET', exportUrl({ ...query, nextToken: 'k1.bm90.aXQ' }), INTERNAL);
    expect(garbage.status).toBe(400);
  });

  it('goes on past a long stretch without orders: a page reads a bounded number of days', async () => {
    const query = { createdFrom: '2025-12-01T00:00:00.000Z', createdTo: '2026-03-04T00:00:00.000Z' };
    const first = await api.call('GET', exportUrl(query), INTERNAL);
    expect(first.status).toBe(200);
    expect(first.body).toEqual([]);
    const seen: string[] = [];
    let token = first.headers['next-token'];
    expect(token).toBeDefined();
    for (let pages = 0; token !== undefined && pages < 10; pages += 1) {
      const answer = await api.call('GET', exportUrl({ ...query, nextToken: token }), INTERNAL);
      seen.push(...idsOf(answer));
      token = answer.headers['next-token'];
    }
    expect(token).toBeUndefined();
    expect(seen).toEqual([made['b-0']]);
  });

  it('is for internal callers only: a customer token is 403', async () => {
    const customer = await api.call('GET', exportUrl({ createdFrom: FROM, createdTo: TO }), { account: A });
    expect(customer.status).toBe(403);
    expect(customer.body.error.code).toBe('FORBIDDEN');
  });

  it.each([
    ['no createdTo', { createdFrom: FROM }, 'createdTo'],
    ['no createdFrom', { createdTo: TO }, 'createdFrom'],
    ['createdTo not after createdFrom', { createdFrom: TO, createdTo: TO }, 'createdTo'],
    ['createdTo before createdFrom', { createdFrom: TO, createdTo: FROM }, 'createdTo'],
    [
      'more than 366 days',
      { createdFrom: '2025-03-01T00:00:00.000Z', createdTo: '2026-03-02T00:00:00.001Z' },
      'createdTo',
    ],
    ['not an instant', { createdFrom: '2026-03-04', createdTo: TO }, 'createdFrom'],
    ['limit 0', { createdFrom: FROM, createdTo: TO, limit: '0' }, 'limit'],
    ['limit above 1000', { createdFrom: FROM, createdTo: TO, limit: '1001' }, 'limit'],
    ['an unknown parameter', { createdFrom: FROM, createdTo: TO, accountId: A }, 'accountId'],
  ])('refuses %s with 400 naming the field', async (_case, query, field) => {
    const answer = await api.call('GET', exportUrl(query), INTERNAL);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('VALIDATION_FAILED');
    expect(answer.body.error.details.issues.map((i: { field: string }) => i.field)).toContain(field);
  });

  it('reads the created index and the exported orders only: no scan, no other item', async () => {
    const sent: { name: string; input: Record<string, unknown> }[] = [];
    api.dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push({ name: String(context.commandName), input: args.input as Record<string, unknown> });
        return next(args);
      },
      { step: 'initialize', name: 'exportSpy' },
    );
    try {
      const answer = await api.call('GET', exportUrl({ createdFrom: FROM, createdTo: TO }), INTERNAL);
      expect(answer.body).toHaveLength(3);
    } finally {
      api.dynamo.middlewareStack.remove('exportSpy');
    }
    const text = (value: unknown) =>
      typeof value === 'string' ? value : String((value as { S?: string } | undefined)?.S);
    expect(new Set(sent.map((c) => c.name))).toEqual(new Set(['QueryCommand', 'BatchGetItemCommand']));
    for (const query of sent.filter((c) => c.name === 'QueryCommand'))
      expect(query.input.IndexName).toBe(TABLE.indexes.created.indexName);
    const read = sent
      .filter((c) => c.name === 'BatchGetItemCommand')
      .flatMap((c) =>
        Object.values(c.input.RequestItems as Record<string, { Keys: Record<string, unknown>[] }>).flatMap(
          (r) => r.Keys,
        ),
      )
      .map((key) => `${text(key.pk)} ${text(key.sk)}`)
      .sort();
    expect(read).toEqual(
      [
        `ACCT#${A} UORDER#${made['a-1']}`,
        `ACCT#${A} UORDER#${made['a-2']}`,
        `ACCT#${B} UORDER#${made['b-2']}`,
      ].sort(),
    );
  });

  it('pipes into `npm run policy -- backtest` as it is: nothing changes under the policy that made them', async () => {
    const answer = await api.call('GET', exportUrl({ createdFrom: FROM, createdTo: TO }), INTERNAL);
    const released = backtest('policies/security-center/international/v1.json', answer.raw);
    expect(released.code).toBe(0);
    expect(released.report).toMatchObject({
      ordersCompared: 3,
      ordersChanged: 0,
      refundTypeChanged: 0,
      invariantBreaks: [],
      unreadable: [],
    });

    // A 3-day window would have made A's full refund (3 days 10 hours after the purchase) partial.
    const candidate = backtest('test/fixtures/policies/security-center/international/v2.json', answer.raw);
    expect(candidate.code).toBe(3);
    expect(candidate.report).toMatchObject({ ordersCompared: 3, ordersChanged: 1, refundTypeChanged: 1 });
    expect(candidate.report.largestChanges).toEqual([
      expect.objectContaining({ unsubscribeOrderId: made['a-1'], recorded: 31_000 }),
    ]);
    expect(candidate.report.largestChanges[0].difference).toBeLessThan(0);
    expect(candidate.report.unreadable).toEqual([]);
  });
});
