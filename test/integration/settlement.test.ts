/**
 * The refund processor on DynamoDB Local and fauxqs: real handler, real queue (receive with a
 * visibility timeout, delete per batch response, DLQ after 5 receives), the payment simulator.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoLedger } from '#adapters/dynamo/ledger.ts';
import { DynamoSettlementStore } from '#adapters/dynamo/settlement.ts';
import { PaymentSimulator } from '#adapters/payment-simulator.ts';
import type { PaymentProvider } from '#ports/payment-provider.ts';
import type { UnsubscribeOrder } from '#shared/model.ts';
import {
  recordingMetrics,
  type SettlementEnv,
  settlementEnv,
  silentLogger,
} from '#test/support/settlement-env.ts';
import { ledgerOf, methods, readOrder, seedOrder } from '#test/support/settlement-fixtures.ts';
import { OutageProvider } from '#test/support/settlement-providers.ts';
import { deliverOnce, deliverUntil, peek, redrive, send } from '#test/support/settlement-queue.ts';
import { getBalance } from '#use-cases/get-balance.ts';

let env: SettlementEnv;
let createRefundProcessorHandler: typeof import('#functions/refund-processor.ts').createRefundProcessorHandler;

beforeAll(async () => {
  env = await settlementEnv({ prefix: 'settlement' });
  ({ createRefundProcessorHandler } = await import('#functions/refund-processor.ts'));
});
afterAll(() => env.close());

const CREATED = '2026-03-05T10:00:00.000Z';
const clockAt = (iso: string) => ({ now: () => Date.parse(iso) });

function processor(provider: PaymentProvider, options: { now?: string } = {}) {
  const metrics = recordingMetrics();
  const handler = createRefundProcessorHandler({
    orders: new DynamoSettlementStore(env.table),
    provider,
    clock: clockAt(options.now ?? '2026-03-05T10:01:00.000Z'),
    logger: silentLogger(),
    metrics,
  });
  return { handler: handler as (event: SQSEvent) => Promise<SQSBatchResponse>, metrics };
}

const ref = (order: UnsubscribeOrder) => ({
  accountId: order.accountId,
  unsubscribeOrderId: order.unsubscribeOrderId,
});
const reread = (order: UnsubscribeOrder) => readOrder(env.table, order.accountId, order.unsubscribeOrderId);
const statuses = (order: UnsubscribeOrder) =>
  order.history.map((h) => (h.note ? `${h.status}:${h.note}` : h.status));

describe('refund processor: outcomes', () => {
  it('settles a card line with the provider, a balance line and a BALANCE payment to the ledger, a zero line with nothing', async () => {
    const simulator = new PaymentSimulator();
    const { handler, metrics } = processor(simulator);
    const queues = await env.newQueues();
    const order = await seedOrder(env.table, {
      createdAt: CREATED,
      lines: [
        { orderId: 'o-card', amount: 400 },
        { orderId: 'o-old-card', amount: 2800, destination: 'ACCOUNT_BALANCE' },
        { orderId: 'o-balance', amount: 150, method: methods.balance() },
        { orderId: 'o-ended', amount: 0, cashPaid: 1000 },
      ],
    });

    await send(env.sqs, queues.refundQueueUrl, ref(order));
    const delivery = await deliverOnce(env.sqs, queues.refundQueueUrl, handler, { waitSeconds: 1 });

    expect(delivery).toMatchObject({ received: 1, failed: 0 });
    const settled = await reread(order);
    expect(settled.status).toBe('SUCCEEDED');
    expect(settled.lines.map((l) => [l.orderId, l.status, l.settledTo])).toEqual([
      ['o-card', 'SETTLED', 'ORIGINAL_PAYMENT_METHOD'],
      ['o-old-card', 'SETTLED', 'ACCOUNT_BALANCE'],
      ['o-balance', 'SETTLED', 'ACCOUNT_BALANCE'],
      ['o-ended', 'SETTLED', 'ORIGINAL_PAYMENT_METHOD'],
    ]);
    expect(settled.settledAt).toBe(Date.parse('2026-03-05T10:01:00.000Z'));
    expect(settled.slaBreached).toBe(false);
    expect(statuses(settled)).toEqual(['PENDING', 'PROCESSING', 'SUCCEEDED']);
    expect(simulator.refunds().map((r) => [r.orderId, r.amount])).toEqual([['o-card', 400]]);
    const ledger = await ledgerOf(env.table, order.accountId);
    expect(ledger.map((e) => [e.orderId, e.amount, e.cause]).sort()).toEqual([
      ['o-balance', 150, 'REFUND_TO_BALANCE'],
      ['o-old-card', 2800, 'REFUND_TO_BALANCE'],
    ]);
    const balance = await getBalance({ ledger: new DynamoLedger(env.table) }, order.accountId);
    expect(balance.balances).toEqual([{ currency: 'USD', amount: 2950 }]);
    expect(metrics.count('RefundsSettled')).toBe(1);
    expect(metrics.count('SlaBreached')).toBe(0);
    // It left the reconciler's pending index.
    const raw = await env.table.doc.send(
      new (await import('@aws-sdk/lib-dynamodb')).GetCommand({
        TableName: env.table.tableName,
        Key: { pk: `ACCT#${order.accountId}`, sk: `UORDER#${order.unsubscribeOrderId}` },
      }),
    );
    expect(raw.Item?.pendingPk).toBeUndefined();
  });

  it('credits the balance when the provider definitively refuses (closed card)', async () => {
    const simulator = new PaymentSimulator();
    const { handler, metrics } = processor(simulator);
    const queues = await env.newQueues();
    const order = await seedOrder(env.table, {
      createdAt: CREATED,
      lines: [{ orderId: 'o-1', amount: 99_900, method: methods.closed() }],
    });

    await send(env.sqs, queues.refundQueueUrl, ref(order));
    await deliverOnce(env.sqs, queues.refundQueueUrl, handler, { waitSeconds: 1 });

    const settled = await reread(order);
    expect(settled.status).toBe('SUCCEEDED');
    expect(settled.lines[0]).toMatchObject({ status: 'SETTLED', settledTo: 'ACCOUNT_BALANCE' });
    expect(simulator.refundsMade()).toBe(0);
    const ledger = await ledgerOf(env.table, order.accountId);
    expect(ledger).toEqual([
      expect.objectContaining({ orderId: 'o-1', amount: 99_900, currency: 'USD', cause: 'PROVIDER_REFUSED' }),
    ]);
    expect(metrics.count('ProviderRefusals')).toBe(1);
  });

  it('retries a flaky provider through the queue and never falls back to the balance', async () => {
    const simulator = new PaymentSimulator();
    const { handler, metrics } = processor(simulator);
    const queues = await env.newQueues();
    const order = await seedOrder(env.table, {
      createdAt: CREATED,
      lines: [{ orderId: 'o-1', amount: 3100, method: methods.flaky() }],
    });

    await send(env.sqs, queues.refundQueueUrl, ref(order));
    const deliveries = await deliverUntil(
      env.sqs,
      queues.refundQueueUrl,
      handler,
      async () => (await reread(order)).status === 'SUCCEEDED',
    );

    expect(deliveries.map((d) => [d.receiveCounts[0], d.failed])).toEqual([
      [1, 1],
      [2, 1],
      [3, 0],
    ]);
    const settled = await reread(order);
    expect(settled.lines[0]).toMatchObject({ status: 'SETTLED', settledTo: 'ORIGINAL_PAYMENT_METHOD' });
    expect(statuses(settled)).toEqual(['PENDING', 'PROCESSING', 'SUCCEEDED']);
    expect(simulator.refundsMade()).toBe(1);
    expect(await ledgerOf(env.table, order.accountId)).toEqual([]);
    expect(metrics.count('ProviderFailures')).toBe(2);
    expect(await peek(env.sqs, queues.refundQueueUrl)).toEqual([]);
  });

  it('poison: 5 receives → DLQ with the order NEEDS_ATTENTION → redrive → SUCCEEDED, settling nothing twice', async () => {
    const simulator = new PaymentSimulator();
    const provider = new OutageProvider(simulator);
    const { handler, metrics } = processor(provider);
    const queues = await env.newQueues();
    const order = await seedOrder(env.table, {
      createdAt: CREATED,
      lines: [
        { orderId: 'o-balance', amount: 500, destination: 'ACCOUNT_BALANCE' },
        { orderId: 'o-card', amount: 700 },
      ],
    });
    provider.down = true;

    await send(env.sqs, queues.refundQueueUrl, ref(order));
    const deliveries = await deliverUntil(env.sqs, queues.refundQueueUrl, handler, async () => false, {
      idleSeconds: 3,
    });

    expect(deliveries.map((d) => d.receiveCounts[0])).toEqual([1, 2, 3, 4, 5]);
    expect(deliveries.every((d) => d.failed === 1)).toBe(true);
    const stuck = await reread(order);
    expect(stuck.status).toBe('NEEDS_ATTENTION');
    expect(statuses(stuck)).toEqual(['PENDING', 'PROCESSING', 'NEEDS_ATTENTION:DEAD_LETTERED']);
    // The balance line settled on the first attempt; the card line waits for the provider.
    expect(stuck.lines.map((l) => l.status)).toEqual(['SETTLED', 'PENDING']);
    expect(metrics.count('RefundsNeedingAttention')).toBe(1);

    provider.down = false;
    expect(await redrive(env.sqs, queues.deadLetterQueueUrl, queues.refundQueueUrl)).toBe(1);
    await deliverUntil(
      env.sqs,
      queues.refundQueueUrl,
      handler,
      async () => (await reread(order)).status === 'SUCCEEDED',
    );

    const settled = await reread(order);
    expect(settled.status).toBe('SUCCEEDED');
    expect(statuses(settled)).toEqual([
      'PENDING',
      'PROCESSING',
      'NEEDS_ATTENTION:DEAD_LETTERED',
      'PROCESSING:REDRIVEN',
      'SUCCEEDED',
    ]);
    expect(settled.lines.map((l) => l.settledTo)).toEqual(['ACCOUNT_BALANCE', 'ORIGINAL_PAYMENT_METHOD']);
    expect(simulator.refundsMade()).toBe(1);
    expect((await ledgerOf(env.table, order.accountId)).map((e) => e.orderId)).toEqual(['o-balance']);
  });

  it('marks an order settled after its dueBy as slaBreached and emits SlaBreached', async () => {
    const { handler, metrics } = processor(new PaymentSimulator(), { now: '2026-03-20T00:00:00.000Z' });
    const queues = await env.newQueues();
    const order = await seedOrder(env.table, { createdAt: CREATED, lines: [{ amount: 100 }] });

    await send(env.sqs, queues.refundQueueUrl, ref(order));
    await deliverOnce(env.sqs, queues.refundQueueUrl, handler, { waitSeconds: 1 });

    const settled = await reread(order);
    expect(settled).toMatchObject({ status: 'SUCCEEDED', slaBreached: true });
    expect(settled.settledAt).toBeGreaterThan(settled.dueBy);
    expect(metrics.count('SlaBreached')).toBe(1);
  });

  it('is on time when settled exactly at dueBy', async () => {
    const order = await seedOrder(env.table, { createdAt: CREATED, lines: [{ amount: 100 }] });
    const { handler } = processor(new PaymentSimulator(), { now: new Date(order.dueBy).toISOString() });
    const queues = await env.newQueues();

    await send(env.sqs, queues.refundQueueUrl, ref(order));
    await deliverOnce(env.sqs, queues.refundQueueUrl, handler, { waitSeconds: 1 });

    expect(await reread(order)).toMatchObject({
      status: 'SUCCEEDED',
      slaBreached: false,
      settledAt: order.dueBy,
    });
  });

  it('one bad message never blocks or re-runs the others in its batch', async () => {
    const simulator = new PaymentSimulator();
    const { handler } = processor(simulator);
    const queues = await env.newQueues();
    const good = await Promise.all(
      [1, 2, 3].map(() => seedOrder(env.table, { createdAt: CREATED, lines: [{ amount: 100 }] })),
    );
    const missing = { accountId: 'acct-nobody', unsubscribeOrderId: 'uo-missing' };

    await send(env.sqs, queues.refundQueueUrl, ref(good[0] as UnsubscribeOrder));
    await send(env.sqs, queues.refundQueueUrl, '{"not":"a refund message"}');
    await send(env.sqs, queues.refundQueueUrl, ref(good[1] as UnsubscribeOrder));
    await send(env.sqs, queues.refundQueueUrl, missing);
    await send(env.sqs, queues.refundQueueUrl, ref(good[2] as UnsubscribeOrder));
    const first = await deliverOnce(env.sqs, queues.refundQueueUrl, handler, { waitSeconds: 1 });
    const second = await deliverOnce(env.sqs, queues.refundQueueUrl, handler, { waitSeconds: 2 });

    expect(first).toMatchObject({ received: 5, failed: 1 });
    // Only the malformed message comes back; the settled ones and the unknown order were deleted.
    expect(second).toMatchObject({ received: 1, failed: 1, receiveCounts: [2] });
    for (const order of good) expect((await reread(order)).status).toBe('SUCCEEDED');
    expect(simulator.refundsMade()).toBe(3);
  });
});

describe('refund processor: exactly once', () => {
  it('the same message delivered 3 times: one settlement, one provider refund, one ledger entry', async () => {
    const simulator = new PaymentSimulator();
    const { handler } = processor(simulator);
    const queues = await env.newQueues();
    const order = await seedOrder(env.table, {
      createdAt: CREATED,
      lines: [
        { orderId: 'o-card', amount: 400 },
        { orderId: 'o-closed', amount: 900, method: methods.closed() },
      ],
    });

    for (let i = 0; i < 3; i++) await send(env.sqs, queues.refundQueueUrl, ref(order));
    await deliverUntil(env.sqs, queues.refundQueueUrl, handler, async () => false, { idleSeconds: 2 });

    const settled = await reread(order);
    expect(statuses(settled)).toEqual(['PENDING', 'PROCESSING', 'SUCCEEDED']);
    expect(simulator.refundsMade()).toBe(1);
    expect(await ledgerOf(env.table, order.accountId)).toHaveLength(1);
    expect(settled.lines.map((l) => l.settledTo)).toEqual(['ORIGINAL_PAYMENT_METHOD', 'ACCOUNT_BALANCE']);
  });

  it('two processors racing on the same orders: each line settles once, one refund, one credit', async () => {
    const simulator = new PaymentSimulator();
    const a = processor(simulator).handler;
    const b = processor(simulator).handler;
    const orders = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        seedOrder(env.table, {
          createdAt: CREATED,
          lines: [
            { orderId: 'o-card', amount: 100 + i },
            { orderId: 'o-closed', amount: 200 + i, method: methods.closed() },
            { orderId: 'o-balance', amount: 300 + i, destination: 'ACCOUNT_BALANCE' },
          ],
        }),
      ),
    );
    const { toSqsEvent } = await import('#infra/local/lambda-events.ts');
    const event = (order: UnsubscribeOrder, copy: string) =>
      toSqsEvent(
        [
          {
            MessageId: `${order.unsubscribeOrderId}-${copy}`,
            ReceiptHandle: copy,
            Body: JSON.stringify(ref(order)),
            Attributes: { ApproximateReceiveCount: '1' },
          },
        ],
        'arn:aws:sqs:us-east-1:000000000000:race',
        'us-east-1',
      );

    const responses = await Promise.all(
      orders.flatMap((order) => [a(event(order, 'a')), b(event(order, 'b')), a(event(order, 'c'))]),
    );

    // A delivery that lost a race may fail (it is retried); after one more round all succeed.
    const failedOrders = orders.filter((_, i) =>
      responses.slice(i * 3, i * 3 + 3).some((r) => r.batchItemFailures.length > 0),
    );
    await Promise.all(failedOrders.map((order) => a(event(order, 'retry'))));
    for (const order of orders) {
      const settled = await reread(order);
      expect(settled.status).toBe('SUCCEEDED');
      expect(statuses(settled)).toEqual(['PENDING', 'PROCESSING', 'SUCCEEDED']);
      expect(simulator.refundsMade({ unsubscribeOrderId: order.unsubscribeOrderId })).toBe(1);
      const ledger = await ledgerOf(env.table, order.accountId);
      expect(ledger.map((e) => e.orderId).sort()).toEqual(['o-balance', 'o-closed']);
    }
  });
});

describe('refund processor: crashes', () => {
  it('crash after the provider refunded, before the line was written: the retry does not refund again', async () => {
    const simulator = new PaymentSimulator();
    const { handler } = processor(simulator);
    const queues = await env.newQueues();
    const order = await seedOrder(env.table, {
      createdAt: CREATED,
      lines: [{ orderId: 'o-1', amount: 400 }],
    });
    env.failOnce({
      match: (c) =>
        c.name === 'TransactWriteItemsCommand' && JSON.stringify(c.input).includes(order.unsubscribeOrderId),
      error: new Error('Simulated crash before the settlement write'),
    });

    await send(env.sqs, queues.refundQueueUrl, ref(order));
    const first = await deliverOnce(env.sqs, queues.refundQueueUrl, handler, { waitSeconds: 1 });
    expect(first.failed).toBe(1);
    expect(env.pendingFailures()).toBe(0);
    expect(simulator.refundsMade()).toBe(1);
    expect((await reread(order)).lines[0]?.status).toBe('PENDING');

    await deliverUntil(
      env.sqs,
      queues.refundQueueUrl,
      handler,
      async () => (await reread(order)).status === 'SUCCEEDED',
    );

    expect((await reread(order)).lines[0]).toMatchObject({
      status: 'SETTLED',
      settledTo: 'ORIGINAL_PAYMENT_METHOD',
    });
    expect(simulator.refundsMade()).toBe(1);
    expect(simulator.calls).toBe(2);
  });

  it('crash while crediting the balance: the credit and the line are written together or not at all', async () => {
    const { handler } = processor(new PaymentSimulator());
    const queues = await env.newQueues();
    const order = await seedOrder(env.table, {
      createdAt: CREATED,
      lines: [{ orderId: 'o-1', amount: 900, method: methods.closed() }],
    });
    env.failOnce({
      match: (c) =>
        c.name === 'TransactWriteItemsCommand' && JSON.stringify(c.input).includes(order.unsubscribeOrderId),
      error: new Error('Simulated crash'),
    });

    await send(env.sqs, queues.refundQueueUrl, ref(order));
    await deliverOnce(env.sqs, queues.refundQueueUrl, handler, { waitSeconds: 1 });
    expect(await ledgerOf(env.table, order.accountId)).toEqual([]);
    await deliverUntil(
      env.sqs,
      queues.refundQueueUrl,
      handler,
      async () => (await reread(order)).status === 'SUCCEEDED',
    );

    expect(await ledgerOf(env.table, order.accountId)).toHaveLength(1);
  });

  it('crash after the last line settled, before SUCCEEDED was written: settledAt is the line settlement time', async () => {
    const simulator = new PaymentSimulator();
    let now = Date.parse('2026-03-05T10:01:00.000Z');
    const handler = createRefundProcessorHandler({
      orders: new DynamoSettlementStore(env.table),
      provider: simulator,
      clock: { now: () => now },
      logger: silentLogger(),
      metrics: recordingMetrics(),
    }) as (event: SQSEvent) => Promise<SQSBatchResponse>;
    const queues = await env.newQueues();
    const order = await seedOrder(env.table, { createdAt: CREATED, lines: [{ amount: 400 }] });
    env.failOnce({
      match: (c) =>
        c.name === 'UpdateItemCommand' &&
        JSON.stringify(c.input).includes(':succeeded') &&
        JSON.stringify(c.input).includes(order.unsubscribeOrderId),
      error: new Error('Simulated crash before completion'),
    });

    await send(env.sqs, queues.refundQueueUrl, ref(order));
    await deliverOnce(env.sqs, queues.refundQueueUrl, handler, { waitSeconds: 1 });
    expect((await reread(order)).status).toBe('PROCESSING');
    now += 60_000;
    await deliverUntil(
      env.sqs,
      queues.refundQueueUrl,
      handler,
      async () => (await reread(order)).status === 'SUCCEEDED',
    );

    const settled = await reread(order);
    expect(settled.settledAt).toBe(Date.parse('2026-03-05T10:01:00.000Z'));
    expect(settled.history.at(-1)).toEqual({
      status: 'SUCCEEDED',
      at: Date.parse('2026-03-05T10:02:00.000Z'),
    });
    expect(simulator.refundsMade()).toBe(1);
  });
});
