/**
 * The reconciler on DynamoDB Local and fauxqs: orders still PENDING more than 5 minutes after
 * their creation are enqueued again (found through the `pending` index, never a scan), the
 * processor settles them, and the next run finds nothing.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TableRef } from '#adapters/dynamo/client.ts';
import { DynamoPendingOrders } from '#adapters/dynamo/pending-orders.ts';
import { DynamoSettlementStore } from '#adapters/dynamo/settlement.ts';
import { PaymentSimulator } from '#adapters/payment-simulator.ts';
import { SqsRefundQueue } from '#adapters/sqs-refund-queue.ts';
import type { RefundQueue } from '#ports/refund-queue.ts';
import {
  recordingMetrics,
  type SettlementEnv,
  settlementEnv,
  silentLogger,
} from '#test/support/settlement-env.ts';
import { readOrder, seedOrder } from '#test/support/settlement-fixtures.ts';
import { deliverUntil, peek } from '#test/support/settlement-queue.ts';

let env: SettlementEnv;
let table: TableRef;
let createReconcilerHandler: typeof import('#functions/reconciler.ts').createReconcilerHandler;
let createRefundProcessorHandler: typeof import('#functions/refund-processor.ts').createRefundProcessorHandler;

beforeAll(async () => {
  env = await settlementEnv({ prefix: 'reconciler' });
  ({ createReconcilerHandler } = await import('#functions/reconciler.ts'));
  ({ createRefundProcessorHandler } = await import('#functions/refund-processor.ts'));
});
afterAll(() => env.close());
beforeEach(async () => {
  table = await env.newTable();
  env.resetCommands();
});

const NOW = Date.parse('2026-03-05T12:00:00.000Z');
const iso = (t: number) => new Date(t).toISOString();

function reconciler(queue: RefundQueue, maxOrders?: number) {
  return createReconcilerHandler({
    pending: new DynamoPendingOrders(table),
    queue,
    logger: silentLogger(),
    ...(maxOrders !== undefined ? { maxOrders } : {}),
  });
}

describe('reconciler', () => {
  it('re-enqueues only PENDING orders older than 5 minutes; the processor settles them; the next run finds none', async () => {
    const queues = await env.newQueues();
    const stranded = await seedOrder(table, {
      createdAt: iso(NOW - 5 * 60_000 - 1),
      lines: [{ amount: 100 }],
    });
    const old = await seedOrder(table, { createdAt: iso(NOW - 86_400_000), lines: [{ amount: 200 }] });
    await seedOrder(table, { createdAt: iso(NOW - 5 * 60_000), lines: [{ amount: 300 }] }); // exactly 5 min: not older
    await seedOrder(table, { createdAt: iso(NOW - 60_000), lines: [{ amount: 400 }] }); // just enqueued normally
    await seedOrder(table, {
      createdAt: iso(NOW - 86_400_000),
      status: 'PROCESSING',
      lines: [{ amount: 500 }],
    });
    await seedOrder(table, {
      createdAt: iso(NOW - 86_400_000),
      status: 'NEEDS_ATTENTION',
      lines: [{ amount: 600 }],
    });

    const summary = await reconciler(new SqsRefundQueue(env.sqs, queues.refundQueueUrl))({ time: iso(NOW) });

    expect(summary).toEqual({
      now: iso(NOW),
      createdBefore: iso(NOW - 5 * 60_000),
      enqueued: 2,
      failed: 0,
      remaining: false,
    });
    expect(env.commands.filter((c) => c.name === 'ScanCommand')).toEqual([]);
    const queries = env.commands.filter((c) => c.name === 'QueryCommand');
    expect(queries.every((q) => q.input.IndexName === 'pending')).toBe(true);

    const simulator = new PaymentSimulator();
    const processor = createRefundProcessorHandler({
      orders: new DynamoSettlementStore(table),
      provider: simulator,
      clock: { now: () => NOW },
      logger: silentLogger(),
      metrics: recordingMetrics(),
    }) as (event: SQSEvent) => Promise<SQSBatchResponse>;
    await deliverUntil(env.sqs, queues.refundQueueUrl, processor, async () => {
      const orders = await Promise.all(
        [stranded, old].map((o) => readOrder(table, o.accountId, o.unsubscribeOrderId)),
      );
      return orders.every((o) => o.status === 'SUCCEEDED');
    });
    expect(
      simulator
        .refunds()
        .map((r) => r.amount)
        .sort(),
    ).toEqual([100, 200]);

    const again = await reconciler(new SqsRefundQueue(env.sqs, queues.refundQueueUrl))({ time: iso(NOW) });
    expect(again).toMatchObject({ enqueued: 0, remaining: false });
    expect(await peek(env.sqs, queues.refundQueueUrl)).toEqual([]);
  });

  it('is bounded per run and reports that more are waiting', async () => {
    const queues = await env.newQueues();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        seedOrder(table, { createdAt: iso(NOW - 3_600_000 - i), lines: [{ amount: 100 }] }),
      ),
    );

    const summary = await reconciler(
      new SqsRefundQueue(env.sqs, queues.refundQueueUrl),
      16,
    )({ time: iso(NOW) });

    expect(summary.enqueued).toBeGreaterThan(0);
    expect(summary.enqueued).toBeLessThanOrEqual(16);
    expect(summary.remaining).toBe(true);
    expect((await peek(env.sqs, queues.refundQueueUrl)).length).toBe(summary.enqueued);
  });

  it('counts failed enqueues and keeps going (the orders stay PENDING for the next run)', async () => {
    const queues = await env.newQueues();
    await Promise.all(
      [1, 2, 3].map((i) =>
        seedOrder(table, { createdAt: iso(NOW - 3_600_000 - i), lines: [{ amount: 100 }] }),
      ),
    );
    let calls = 0;
    const real = new SqsRefundQueue(env.sqs, queues.refundQueueUrl);
    const flaky: RefundQueue = {
      enqueue: async (message) => {
        calls += 1;
        if (calls === 2) throw new Error('SQS unavailable');
        await real.enqueue(message);
      },
    };

    const summary = await reconciler(flaky)({ time: iso(NOW) });

    expect(summary).toMatchObject({ enqueued: 2, failed: 1, remaining: true });
    // The message body is only the pointer.
    const bodies = await peek(env.sqs, queues.refundQueueUrl);
    expect(bodies.map((b) => Object.keys(JSON.parse(b)).sort())).toEqual([
      ['accountId', 'unsubscribeOrderId'],
      ['accountId', 'unsubscribeOrderId'],
    ]);
  });
});
