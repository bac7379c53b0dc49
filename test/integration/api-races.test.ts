import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { type ApiHarness, apiHarness, confirmedUnsubscribe, orderBody } from '#test/support/api.ts';

const A = 'acct-race';

async function buy(api: ApiHarness, instanceId: string) {
  const answer = await api.call('POST', '/internal/orders', {
    account: 'billing',
    internal: true,
    body: orderBody(A, instanceId, {
      orderId: `${instanceId}-new`,
      paidAt: '2026-03-02T02:00:00.000Z',
      periodEnd: '2027-03-02T02:00:00.000Z',
      cashPaid: 99900,
    }),
  });
  expect(answer.status).toBe(201);
}

async function quoteId(api: ApiHarness, instanceId: string): Promise<string> {
  const answer = await api.call('POST', `/instances/${instanceId}/refund-quotes`, {
    account: A,
    body: { kind: 'UNSUBSCRIBE' },
  });
  expect(answer.status).toBe(201);
  return answer.body.quoteId;
}

const unsubscribe = (api: ApiHarness, instanceId: string, key: string, quote: string) =>
  api.call('POST', `/instances/${instanceId}/unsubscriptions`, {
    account: A,
    body: confirmedUnsubscribe(quote, 'FULL_REFUND'),
    headers: { 'idempotency-key': key },
  });

async function drain(api: ApiHarness) {
  const bodies: unknown[] = [];
  for (;;) {
    const received = await api.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: api.queues.refundQueueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
      }),
    );
    if (!received.Messages?.length) return bodies;
    bodies.push(...received.Messages.map((m) => JSON.parse(m.Body ?? '')));
  }
}

function countBy(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

describe('races', () => {
  it('100 concurrent unsubscriptions of one instance, over 10 quotes and 100 keys, give one 202 and one order', async () => {
    const api = await apiHarness();
    await buy(api, 'i-1');
    const quotes = await Promise.all(Array.from({ length: 10 }, () => quoteId(api, 'i-1')));

    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, n) => unsubscribe(api, 'i-1', `key-${n}`, quotes[n % 10] ?? '')),
    );

    const statuses = answers.map((a) => a.status);
    expect(countBy(statuses)[202]).toBe(1);
    expect(statuses.every((s) => s === 202 || s === 409)).toBe(true);
    for (const refused of answers.filter((a) => a.status === 409)) {
      expect(['QUOTE_ALREADY_USED', 'INSTANCE_NOT_ACTIVE', 'QUOTE_STALE']).toContain(refused.body.error.code);
    }
    const items = await api.allItems();
    expect(items.filter((i) => String(i.sk).startsWith('UORDER#'))).toHaveLength(1);
    expect(items.filter((i) => String(i.sk).startsWith('QUOTA#'))).toHaveLength(1);
    expect(items.filter((i) => String(i.sk).startsWith('QUOTE#') && i.usedAt !== null)).toHaveLength(1);
    expect(await drain(api)).toHaveLength(1);
  });

  it('concurrent requests with one key and one body execute once; every 202 is the same answer', async () => {
    const api = await apiHarness();
    await buy(api, 'i-1');
    const quote = await quoteId(api, 'i-1');

    const answers = await Promise.all(
      Array.from({ length: 20 }, () => unsubscribe(api, 'i-1', 'same-key', quote)),
    );

    const accepted = answers.filter((a) => a.status === 202);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(new Set(accepted.map((a) => a.raw)).size).toBe(1);
    for (const other of answers.filter((a) => a.status !== 202)) {
      expect(other.status).toBe(409);
      expect(other.body.error.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    }
    const orders = (await api.allItems()).filter((i) => String(i.sk).startsWith('UORDER#'));
    expect(orders).toHaveLength(1);
    expect(await drain(api)).toHaveLength(1);
  });

  it("two instances racing for the year's unconditional refund: it is used once", async () => {
    for (let round = 0; round < 5; round++) {
      const api = await apiHarness();
      await Promise.all([buy(api, 'i-1'), buy(api, 'i-2')]);
      const [q1, q2] = await Promise.all([quoteId(api, 'i-1'), quoteId(api, 'i-2')]);

      const answers = await Promise.all([
        unsubscribe(api, 'i-1', 'k1', q1),
        unsubscribe(api, 'i-2', 'k2', q2),
      ]);

      expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
      expect(answers.find((a) => a.status === 409)?.body.error.code).toBe('QUOTE_STALE');
      const items = await api.allItems();
      expect(items.filter((i) => String(i.sk).startsWith('QUOTA#'))).toHaveLength(1);
      expect(items.filter((i) => String(i.sk).startsWith('UORDER#'))).toHaveLength(1);
      expect(items.filter((i) => i.entity === 'INSTANCE' && i.status === 'ACTIVE')).toHaveLength(1);
    }
  });
});
