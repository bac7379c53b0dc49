/**
 * The operators' back office on DynamoDB Local, through the real handlers: who may call it,
 * the work queues, each action under concurrency (one effect), four-eyes approvals, and the
 * audit record committed with its change (all or nothing). After each test the domain events
 * of the table are checked against its facts (audit records included).
 */
import { randomUUID } from 'node:crypto';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoOps } from '#adapters/dynamo/ops.ts';
import { OPS_ROUTES } from '#http/ops-routes.ts';
import { ROUTES } from '#http/routes.ts';
import { resolveLine, retrySettlement } from '#use-cases/ops/actions.ts';
import type { ActionContext } from '#use-cases/ops/common.ts';
import { type ApiHarness, apiHarness } from '../support/api.ts';
import { accountWithInstance, opsCaller, stuckOrder, why } from '../support/ops.ts';

let api: ApiHarness;
let ops: ReturnType<typeof opsCaller>;
beforeAll(async () => {
  api = await apiHarness();
  ops = opsCaller(api);
});

const concurrently = <T>(n: number, run: (i: number) => Promise<T>) =>
  Promise.all(Array.from({ length: n }, (_, i) => run(i)));
function statuses(answers: { status: number }[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
  return counts;
}

async function balanceOf(account: string, currency = 'USD') {
  const answer = await ops('GET', `/ops/accounts/${account}/balance`, { operator: 'ann' });
  const balance =
    answer.body.balances.find((b: { currency: string }) => b.currency === currency)?.amount ?? 0;
  const sum = answer.body.entries
    .filter((e: { currency: string }) => e.currency === currency)
    .reduce((total: number, e: { amount: number }) => total + e.amount, 0);
  return { balance, sum, entries: answer.body.entries as { cause: string; amount: number }[] };
}

async function auditOf(query: string) {
  const answer = await ops('GET', `/ops/audit-records?${query}`, { operator: 'ann' });
  expect(answer.status).toBe(200);
  return answer.body.items as { action: string; actor: string; note: string; approvalId: string | null }[];
}

describe('who may call the back office', () => {
  it('answers 403 to a customer token on every /ops route, and nothing is written', async () => {
    const { account } = await accountWithInstance(api);
    for (const route of OPS_ROUTES) {
      const url = route.path
        .replace('{unsubscribeOrderId}', 'uo-x')
        .replace('{orderId}', 'o-x')
        .replace('{accountId}', account)
        .replace('{approvalId}', 'ap-x');
      const answer = await api.call(route.method, url, {
        account,
        headers: { 'idempotency-key': randomUUID() },
        body: { direction: 'CREDIT', currency: 'USD', amount: 1, ...why() },
      });
      expect(answer.status, `${route.method} ${route.path}`).toBe(403);
      expect(answer.body.error.code).toBe('FORBIDDEN');
    }
    expect((await balanceOf(account)).entries).toEqual([]);
  });

  it('gives an operator token nothing extra on customer routes (its sub is no account)', async () => {
    const { account, instanceId } = await accountWithInstance(api);
    const own = await api.call('GET', '/instances', { operator: 'ann' });
    expect(own.body.items).toEqual([]);
    const theirs = await api.call('GET', `/instances/${instanceId}`, { operator: 'ann' });
    expect(theirs.status).toBe(404);
    expect((await api.call('GET', `/instances/${instanceId}`, { account })).status).toBe(200);
  });

  it('keeps decisions for approvers: an operator without refunds/approver gets 403', async () => {
    const { account } = await accountWithInstance(api);
    const requested = await ops(
      'POST',
      `/ops/accounts/${account}/balance-adjustments`,
      { operator: 'ann' },
      {
        direction: 'CREDIT',
        currency: 'USD',
        amount: 20_000,
        ...why(),
      },
    );
    expect(requested.status).toBe(202);
    const id = requested.body.approval.approvalId;
    const answer = await ops('POST', `/ops/approvals/${id}/approve`, { operator: 'bob' }, { note: 'ok' });
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('FORBIDDEN');
    expect((await balanceOf(account)).balance).toBe(0);
  });

  it('has no route that edits or deletes an audit record', () => {
    const audit = ROUTES.filter((r) => r.path.includes('audit'));
    expect(audit.map((r) => r.method)).toEqual(['GET']);
  });
});

describe('work queues', () => {
  it('lists NEEDS_ATTENTION orders across shards, paged without gaps or repeats', async () => {
    const stuck = await Promise.all([1, 2, 3, 4, 5].map(() => stuckOrder(api)));
    const seen: string[] = [];
    let nextToken: string | null = null;
    do {
      const page: {
        status: number;
        body: { items: { unsubscribeOrderId: string }[]; nextToken: string | null };
      } = await ops(
        'GET',
        `/ops/queues/needs-attention?limit=2${nextToken ? `&nextToken=${nextToken}` : ''}`,
        {
          operator: 'ann',
        },
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((o) => o.unsubscribeOrderId));
      nextToken = page.body.nextToken;
    } while (nextToken);
    expect(new Set(seen).size).toBe(seen.length);
    for (const s of stuck) expect(seen).toContain(s.unsubscribeOrderId);
    const counts = await ops('GET', '/ops/queues', { operator: 'ann' });
    expect(counts.body.needsAttention).toBe(seen.length);
  });

  it('refuses a page token issued to another operator', async () => {
    await stuckOrder(api);
    const first = await ops('GET', '/ops/queues/needs-attention?limit=1', { operator: 'ann' });
    expect(first.body.nextToken).not.toBeNull();
    const stolen = await ops('GET', `/ops/queues/needs-attention?limit=1&nextToken=${first.body.nextToken}`, {
      operator: 'eve',
    });
    expect(stolen.status).toBe(400);
  });

  it('lists unsettled orders by dueBy: breached ones once the time has passed', async () => {
    const stuck = await stuckOrder(api);
    const soon = await ops('GET', '/ops/queues/due-orders?withinMinutes=129600&limit=100', {
      operator: 'ann',
    });
    const ids = soon.body.items.map((o: { unsubscribeOrderId: string }) => o.unsubscribeOrderId);
    expect(ids).toContain(stuck.unsubscribeOrderId);
    const now = await ops('GET', '/ops/queues/due-orders?withinMinutes=0&limit=100', { operator: 'ann' });
    expect(now.body.items.map((o: { unsubscribeOrderId: string }) => o.unsubscribeOrderId)).not.toContain(
      stuck.unsubscribeOrderId,
    );
  });

  it("shows an order's operator view by id alone, and 404 for an unknown one", async () => {
    const stuck = await stuckOrder(api);
    const view = await ops('GET', `/ops/orders/${stuck.unsubscribeOrderId}`, { operator: 'ann' });
    expect(view.status).toBe(200);
    expect(view.body.accountId).toBe(stuck.account);
    expect(view.body.receives).toMatchObject({ deadLettered: 1, lastReceiveCount: 5 });
    expect(view.body.events.map((e: { type: string }) => e.type)).toContain('UnsubscribeOrderNeedsAttention');
    expect((await ops('GET', '/ops/orders/uo-unknown', { operator: 'ann' })).status).toBe(404);
  });

  it("lists an account's orders by status and instance, newest first, and nothing for a reversed range", async () => {
    const stuck = await stuckOrder(api);
    const url = `/ops/accounts/${stuck.account}/orders`;
    const ids = (answer: { body: { items: { unsubscribeOrderId: string }[] } }) =>
      answer.body.items.map((o) => o.unsubscribeOrderId);
    const attention = await ops('GET', `${url}?status=NEEDS_ATTENTION`, { operator: 'ann' });
    expect(attention.status).toBe(200);
    expect(ids(attention)).toEqual([stuck.unsubscribeOrderId]);
    const succeeded = await ops('GET', `${url}?status=SUCCEEDED`, { operator: 'ann' });
    expect(ids(succeeded)).toEqual([]);
    const byInstance = await ops('GET', `${url}?instanceId=${stuck.instanceId}&status=NEEDS_ATTENTION`, {
      operator: 'ann',
    });
    expect(ids(byInstance)).toEqual([stuck.unsubscribeOrderId]);
    const otherInstance = await ops('GET', `${url}?instanceId=i-none`, { operator: 'ann' });
    expect(ids(otherInstance)).toEqual([]);
    const reversed = await ops(
      'GET',
      `${url}?createdFrom=2030-01-02T00:00:00.000Z&createdTo=2030-01-01T00:00:00.000Z`,
      { operator: 'ann' },
    );
    expect(reversed.status).toBe(200);
    expect(ids(reversed)).toEqual([]);
  });
});

describe('retry settlement now', () => {
  it('50 concurrent retries with different keys: one requeue, 49 refused with STATE_CHANGED', async () => {
    const stuck = await stuckOrder(api);
    const answers = await concurrently(50, () =>
      ops('POST', `/ops/orders/${stuck.unsubscribeOrderId}/settlement-retries`, { operator: 'ann' }, why()),
    );
    expect(statuses(answers)).toEqual({ 200: 1, 409: 49 });
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body.error.code).toBe('STATE_CHANGED');
    const view = await ops('GET', `/ops/orders/${stuck.unsubscribeOrderId}`, { operator: 'ann' });
    expect(view.body.order.status).toBe('PENDING');
    expect(view.body.receives.operatorRetries).toBe(1);
    expect(view.body.audit.map((r: { action: string }) => r.action)).toEqual(['SETTLEMENT_RETRIED']);
  });

  it('50 concurrent identical requests (same key): one effect, and a later retry replays the answer', async () => {
    const stuck = await stuckOrder(api);
    const key = randomUUID();
    const answers = await concurrently(50, () =>
      ops(
        'POST',
        `/ops/orders/${stuck.unsubscribeOrderId}/settlement-retries`,
        { operator: 'ann', key },
        why(),
      ),
    );
    const ok = answers.filter((a) => a.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const a of answers.filter((x) => x.status !== 200))
      expect(a.body.error.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    const replay = await ops(
      'POST',
      `/ops/orders/${stuck.unsubscribeOrderId}/settlement-retries`,
      { operator: 'ann', key },
      why(),
    );
    expect(replay.status).toBe(200);
    expect(replay.raw).toBe(ok[0]?.raw);
    expect(await auditOf(`unsubscribeOrderId=${stuck.unsubscribeOrderId}`)).toHaveLength(1);
  });
});

describe('resolve a stuck line by hand', () => {
  it('credits the line to the balance once: the order succeeds, the ledger holds one entry', async () => {
    const stuck = await stuckOrder(api, { cashPaid: 5000 });
    const url = `/ops/orders/${stuck.unsubscribeOrderId}/lines/${stuck.orderId}/resolutions`;
    const answers = await concurrently(50, (i) =>
      ops(
        'POST',
        url,
        { operator: 'ann' },
        i % 2 === 0
          ? { resolution: 'CREDITED_TO_BALANCE', ...why() }
          : { resolution: 'SETTLED_EXTERNALLY', externalReference: `re_${i}`, ...why() },
      ),
    );
    expect(statuses(answers)).toEqual({ 200: 1, 409: 49 });
    const winner = answers.find((a) => a.status === 200)?.body;
    const view = await ops('GET', `/ops/orders/${stuck.unsubscribeOrderId}`, { operator: 'ann' });
    expect(view.body.order.status).toBe('SUCCEEDED');
    expect(view.body.lines[0].resolvedBy).toBe(winner.audit.auditId);
    const { balance, sum, entries } = await balanceOf(stuck.account);
    expect(balance).toBe(sum);
    expect(entries.length).toBe(view.body.lines[0].settledTo === 'ACCOUNT_BALANCE' ? 1 : 0);
    expect(balance).toBe(view.body.lines[0].settledTo === 'ACCOUNT_BALANCE' ? 5000 : 0);
    const customer = await api.call('GET', `/unsubscribe-orders/${stuck.unsubscribeOrderId}`, {
      account: stuck.account,
    });
    expect(customer.body.status).toBe('SUCCEEDED');
  });

  it('refuses a line that is no longer PENDING, and requires the reference only for SETTLED_EXTERNALLY', async () => {
    const stuck = await stuckOrder(api);
    const url = `/ops/orders/${stuck.unsubscribeOrderId}/lines/${stuck.orderId}/resolutions`;
    const missing = await ops(
      'POST',
      url,
      { operator: 'ann' },
      { resolution: 'SETTLED_EXTERNALLY', ...why() },
    );
    expect(missing.status).toBe(400);
    const done = await ops(
      'POST',
      url,
      { operator: 'ann' },
      { resolution: 'SETTLED_EXTERNALLY', externalReference: 're_1', ...why() },
    );
    expect(done.status).toBe(200);
    const again = await ops(
      'POST',
      url,
      { operator: 'ann' },
      { resolution: 'CREDITED_TO_BALANCE', ...why() },
    );
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('STATE_CHANGED');
  });
});

describe('adjust a balance', () => {
  it('50 concurrent debits: the balance never goes below zero and always equals the ledger sum', async () => {
    const { account } = await accountWithInstance(api);
    const credit = await ops(
      'POST',
      `/ops/accounts/${account}/balance-adjustments`,
      { operator: 'ann' },
      {
        direction: 'CREDIT',
        currency: 'USD',
        amount: 3000,
        reasonCode: 'GOODWILL',
        note: 'sorry for the outage',
      },
    );
    expect(credit.status).toBe(200);
    const answers = await concurrently(50, () =>
      ops(
        'POST',
        `/ops/accounts/${account}/balance-adjustments`,
        { operator: 'ann' },
        {
          direction: 'DEBIT',
          currency: 'USD',
          amount: 2000,
          reasonCode: 'BILLING_ERROR',
          note: 'credited twice',
        },
      ),
    );
    expect(statuses(answers)).toEqual({ 200: 1, 409: 49 });
    for (const a of answers.filter((x) => x.status === 409))
      expect(['INSUFFICIENT_BALANCE', 'STATE_CHANGED']).toContain(a.body.error.code);
    const { balance, sum, entries } = await balanceOf(account);
    expect(balance).toBe(1000);
    expect(sum).toBe(balance);
    expect(entries.map((e) => e.cause).sort()).toEqual(['CORRECTING_DEBIT', 'GOODWILL_CREDIT']);
    const actions = await auditOf(`accountId=${account}`);
    expect(actions.map((a) => a.action)).toEqual(['BALANCE_ADJUSTED', 'BALANCE_ADJUSTED']);
  });

  it('refuses a debit below zero and an unknown account, writing nothing', async () => {
    const { account } = await accountWithInstance(api);
    const debit = await ops(
      'POST',
      `/ops/accounts/${account}/balance-adjustments`,
      { operator: 'ann' },
      {
        direction: 'DEBIT',
        currency: 'USD',
        amount: 1,
        ...why(),
      },
    );
    expect(debit.status).toBe(409);
    expect(debit.body.error.code).toBe('INSUFFICIENT_BALANCE');
    const nobody = await ops(
      'POST',
      '/ops/accounts/acct-nobody/balance-adjustments',
      { operator: 'ann' },
      {
        direction: 'CREDIT',
        currency: 'USD',
        amount: 1,
        ...why(),
      },
    );
    expect(nobody.status).toBe(404);
    expect(await auditOf(`accountId=${account}`)).toEqual([]);
  });
});

describe('four-eyes', () => {
  const bigCredit = {
    direction: 'CREDIT',
    currency: 'USD',
    amount: 20_000,
    reasonCode: 'GOODWILL',
    note: 'long outage',
  };

  it('an adjustment above the threshold waits for another approver; no self-approval, no double approval', async () => {
    const { account } = await accountWithInstance(api);
    const requested = await ops(
      'POST',
      `/ops/accounts/${account}/balance-adjustments`,
      { operator: 'ann', approver: true },
      bigCredit,
    );
    expect(requested.status).toBe(202);
    expect(requested.body.outcome).toBe('APPROVAL_REQUESTED');
    expect((await balanceOf(account)).balance).toBe(0);
    const id = requested.body.approval.approvalId;
    const inbox = await ops('GET', '/ops/queues/approvals?limit=100', { operator: 'bob' });
    expect(inbox.body.items.map((a: { approvalId: string }) => a.approvalId)).toContain(id);

    const self = await ops(
      'POST',
      `/ops/approvals/${id}/approve`,
      { operator: 'ann', approver: true },
      { note: 'mine' },
    );
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe('SELF_APPROVAL');

    api.advance(1000);
    const answers = await concurrently(50, (i) =>
      ops(
        'POST',
        `/ops/approvals/${id}/approve`,
        { operator: `approver-${i}`, approver: true },
        { note: 'agreed' },
      ),
    );
    expect(statuses(answers)).toEqual({ 200: 1, 409: 49 });
    for (const a of answers.filter((x) => x.status === 409))
      expect(a.body.error.code).toBe('APPROVAL_NOT_PENDING');
    const { balance, sum } = await balanceOf(account);
    expect(balance).toBe(20_000);
    expect(sum).toBe(balance);
    const trail = await auditOf(`accountId=${account}`);
    expect(trail.map((a) => a.action)).toEqual(['APPROVAL_GRANTED', 'APPROVAL_REQUESTED']);
    const approved = await ops('GET', `/ops/approvals/${id}`, { operator: 'ann' });
    expect(approved.body).toMatchObject({ status: 'APPROVED', requestedBy: 'ann' });
    expect(approved.body.decidedBy).toMatch(/^approver-/);
  });

  it('a resolution above the threshold, rejected by an approver, changes nothing on the order', async () => {
    const stuck = await stuckOrder(api, { cashPaid: 50_000 });
    const url = `/ops/orders/${stuck.unsubscribeOrderId}/lines/${stuck.orderId}/resolutions`;
    const requested = await ops(
      'POST',
      url,
      { operator: 'ann' },
      { resolution: 'CREDITED_TO_BALANCE', ...why() },
    );
    expect(requested.status).toBe(202);
    const id = requested.body.approval.approvalId;
    api.advance(1000);
    const rejected = await ops(
      'POST',
      `/ops/approvals/${id}/reject`,
      { operator: 'bob', approver: true },
      {
        reasonCode: 'OTHER',
        note: 'retry it instead',
      },
    );
    expect(rejected.status).toBe(200);
    expect(rejected.body.outcome).toBe('REJECTED');
    const late = await ops(
      'POST',
      `/ops/approvals/${id}/approve`,
      { operator: 'cat', approver: true },
      { note: 'ok' },
    );
    expect(late.body.error.code).toBe('APPROVAL_NOT_PENDING');
    const view = await ops('GET', `/ops/orders/${stuck.unsubscribeOrderId}`, { operator: 'ann' });
    expect(view.body.order.status).toBe('NEEDS_ATTENTION');
    expect(view.body.audit.map((r: { action: string }) => r.action)).toEqual([
      'APPROVAL_REJECTED',
      'APPROVAL_REQUESTED',
    ]);
  });

  it('a request expires after its time: approving it then is refused, and the expiry is audited', async () => {
    const local = await apiHarness({ ops: { approvalTtlMs: 60_000 } });
    const call = opsCaller(local);
    const { account } = await accountWithInstance(local);
    const requested = await call(
      'POST',
      `/ops/accounts/${account}/balance-adjustments`,
      { operator: 'ann' },
      bigCredit,
    );
    const id = requested.body.approval.approvalId;
    local.advance(61_000);
    const late = await call(
      'POST',
      `/ops/approvals/${id}/approve`,
      { operator: 'bob', approver: true },
      { note: 'ok' },
    );
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('APPROVAL_EXPIRED');
    const approval = await call('GET', `/ops/approvals/${id}`, { operator: 'ann' });
    expect(approval.body.status).toBe('EXPIRED');
    const trail = await call('GET', `/ops/audit-records?accountId=${account}`, { operator: 'ann' });
    expect(trail.body.items.map((r: { action: string; actor: string }) => `${r.action}:${r.actor}`)).toEqual([
      'APPROVAL_EXPIRED:system',
      'APPROVAL_REQUESTED:ann',
    ]);
    const balance = await call('GET', `/ops/accounts/${account}/balance`, { operator: 'ann' });
    expect(balance.body.balances).toEqual([]);
  });

  it('the sweeper expires due requests and reports the queues', async () => {
    const local = await apiHarness({ ops: { approvalTtlMs: 60_000 } });
    const call = opsCaller(local);
    const { account } = await accountWithInstance(local);
    const requested = await call(
      'POST',
      `/ops/accounts/${account}/balance-adjustments`,
      { operator: 'ann' },
      bigCredit,
    );
    const recorded: Record<string, number> = {};
    // Imported after a harness set the environment the module reads at cold start.
    const { createSweeperHandler } = await import('#functions/ops-sweeper.ts');
    const sweep = createSweeperHandler(local.opsDeps, {
      addMetric: (name, _unit, value) => {
        recorded[name] = value;
      },
      publishStoredMetrics: () => {},
    });
    const early = await sweep({ id: 'run-1', time: new Date(local.now() + 30_000).toISOString() });
    expect(early).toMatchObject({ expired: 0, pendingApprovals: 1, oldestPendingApprovalAgeSeconds: 30 });
    const due = await sweep({ id: 'run-2', time: new Date(local.now() + 61_000).toISOString() });
    expect(due).toMatchObject({ expired: 1, pendingApprovals: 0 });
    expect(recorded.ApprovalRequestsExpired).toBe(1);
    const approval = await call('GET', `/ops/approvals/${requested.body.approval.approvalId}`, {
      operator: 'ann',
    });
    expect(approval.body.status).toBe('EXPIRED');
  });
});

describe('audit and change, all or nothing', () => {
  const context = (key = randomUUID()): ActionContext => ({
    operator: { id: 'ann', approver: false },
    idempotencyKey: key,
    requestId: 'req-1',
    now: api.now(),
  });

  it('a failure inside the transaction, between the change and its audit record, leaves neither; the key is released', async () => {
    const stuck = await stuckOrder(api);
    let inject = true;
    // The document client, with one failure put into the next transaction between the order's
    // update and the audit record (a condition on an item that does not exist).
    const doc = {
      send: (command: unknown) => {
        if (inject && command instanceof TransactWriteCommand) {
          inject = false;
          command.input.TransactItems?.splice(1, 0, {
            ConditionCheck: {
              TableName: api.table.tableName,
              Key: { pk: 'INJECTED', sk: 'FAILURE' },
              ConditionExpression: 'attribute_exists(pk)',
            },
          });
        }
        return api.table.doc.send(command as never);
      },
    } as unknown as typeof api.table.doc;
    const failing = new DynamoOps({ doc, tableName: api.table.tableName });
    const deps = { ...api.opsDeps, writer: failing };
    const key = randomUUID();
    const input = {
      unsubscribeOrderId: stuck.unsubscribeOrderId,
      orderId: stuck.orderId,
      resolution: 'CREDITED_TO_BALANCE' as const,
      ...why(),
    };
    await expect(resolveLine(deps, context(key), input)).rejects.toMatchObject({ status: 409 });
    const view = await ops('GET', `/ops/orders/${stuck.unsubscribeOrderId}`, { operator: 'ann' });
    expect(view.body.order.status).toBe('NEEDS_ATTENTION');
    expect(view.body.lines[0].status).toBe('PENDING');
    expect(view.body.ledger).toEqual([]);
    expect(view.body.audit).toEqual([]);
    expect((await balanceOf(stuck.account)).entries).toEqual([]);
    // The same key runs again (it was released) and now commits both.
    const body = JSON.parse(await resolveLine(deps, context(key), input));
    expect(body.outcome).toBe('APPLIED');
    const after = await ops('GET', `/ops/orders/${stuck.unsubscribeOrderId}`, { operator: 'ann' });
    expect(after.body.order.status).toBe('SUCCEEDED');
    expect(after.body.audit.map((r: { auditId: string }) => r.auditId)).toEqual([body.audit.auditId]);
    expect((await balanceOf(stuck.account)).balance).toBe(after.body.order.refundAmount);
  });

  it('a change that no longer applies leaves no audit record', async () => {
    const stuck = await stuckOrder(api);
    const real = api.opsDeps.reader;
    const before = await real.findOrder(stuck.unsubscribeOrderId);
    await retrySettlement(api.opsDeps, context(), { unsubscribeOrderId: stuck.unsubscribeOrderId, ...why() });
    // A reader that still sees the order as it was before the first retry: the commit's condition refuses it.
    const stale = new Proxy(real, {
      get: (target, name) =>
        name === 'findOrder'
          ? async () => before
          : (Reflect.get(target, name) as (...a: unknown[]) => unknown).bind(target),
    });
    await expect(
      retrySettlement({ ...api.opsDeps, reader: stale }, context(), {
        unsubscribeOrderId: stuck.unsubscribeOrderId,
        ...why(),
      }),
    ).rejects.toMatchObject({ code: 'STATE_CHANGED' });
    expect(await auditOf(`unsubscribeOrderId=${stuck.unsubscribeOrderId}`)).toHaveLength(1);
  });
});

describe('audit trail', () => {
  it('answers by order, account, actor and time range, newest first, with the note kept', async () => {
    const stuck = await stuckOrder(api);
    const actor = `zed-${randomUUID().slice(0, 6)}`;
    const from = new Date(api.now()).toISOString();
    await ops(
      'POST',
      `/ops/orders/${stuck.unsubscribeOrderId}/settlement-retries`,
      { operator: actor },
      why('first note'),
    );
    api.advance(1000);
    await ops(
      'POST',
      `/ops/accounts/${stuck.account}/balance-adjustments`,
      { operator: actor },
      {
        direction: 'CREDIT',
        currency: 'USD',
        amount: 100,
        ...why('second note'),
      },
    );
    const to = new Date(api.now() + 1).toISOString();
    const byActor = await auditOf(`actor=${actor}`);
    expect(byActor.map((r) => r.note)).toEqual(['second note', 'first note']);
    const byOrder = await auditOf(`unsubscribeOrderId=${stuck.unsubscribeOrderId}`);
    expect(byOrder.map((r) => r.action)).toEqual(['SETTLEMENT_RETRIED']);
    const byTime = await auditOf(`from=${from}&to=${to}&limit=100`);
    expect(byTime.filter((r) => r.actor === actor).map((r) => r.note)).toEqual(['second note', 'first note']);
    const paged = await ops('GET', `/ops/audit-records?actor=${actor}&limit=1`, { operator: 'ann' });
    expect(paged.body.items).toHaveLength(1);
    const next = await ops(
      'GET',
      `/ops/audit-records?actor=${actor}&limit=1&nextToken=${paged.body.nextToken}`,
      {
        operator: 'ann',
      },
    );
    expect(next.body.items.map((r: { note: string }) => r.note)).toEqual(['first note']);
    const bad = await ops('GET', '/ops/audit-records?actor=a&accountId=b', { operator: 'ann' });
    expect(bad.status).toBe(400);
  });
});
