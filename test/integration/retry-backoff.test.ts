import { randomUUID } from 'node:crypto';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { DynamoSettlementStore } from '#adapters/dynamo/settlement.ts';
import { PaymentSimulator } from '#adapters/payment-simulator.ts';
import { backoffSeconds, SqsRetryBackoff } from '#adapters/sqs-retry-backoff.ts';
import { createQueues } from '#infra/local/emulators.ts';
import { localClients } from '#test/support/api.ts';
import { recordingMetrics, settlementEnv, silentLogger } from '#test/support/settlement-env.ts';
import { methods, readOrder, seedOrder } from '#test/support/settlement-fixtures.ts';
import { deliverUntil, send } from '#test/support/settlement-queue.ts';

describe('retry backoff of failed refund messages', () => {
  it.each([
    [1, 30],
    [2, 60],
    [3, 120],
    [4, 240],
    [5, 480],
    [6, 900],
    [40, 900],
  ])('receive %i → next try after %i s (base 30 s, cap 15 min)', (receiveCount, seconds) => {
    expect(backoffSeconds(receiveCount, { baseSeconds: 30, maxSeconds: 900 })).toBe(seconds);
  });

  it('changes the visibility of the failed message on the real queue (fauxqs)', async () => {
    const { sqs } = localClients();
    const { refundQueueUrl } = await createQueues(sqs, `backoff-${randomUUID().slice(0, 8)}-`, 60);
    await sqs.send(new SendMessageCommand({ QueueUrl: refundQueueUrl, MessageBody: '{}' }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: refundQueueUrl, WaitTimeSeconds: 1 }));
    const handle = first.Messages?.[0]?.ReceiptHandle;
    expect(handle).toBeDefined();

    // Invisible for the queue's 60 s now; postponing after the first receive shortens it to 1 s.
    await new SqsRetryBackoff(sqs, refundQueueUrl, { baseSeconds: 1, maxSeconds: 900 }).postpone(
      handle ?? '',
      1,
    );

    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: refundQueueUrl, WaitTimeSeconds: 5 }));
    expect(again.Messages).toHaveLength(1);
  });

  it('a flaky refund comes back 1 s, then 2 s after its failures instead of after the queue timeout of 60 s', async () => {
    const env = await settlementEnv({ prefix: 'backoff' });
    try {
      const { createRefundProcessorHandler } = await import('#functions/refund-processor.ts');
      const queues = await env.newQueues(60);
      const order = await seedOrder(env.table, {
        createdAt: '2026-03-05T10:00:00.000Z',
        lines: [{ orderId: 'o-1', amount: 3100, method: methods.flaky() }],
      });
      const handler = createRefundProcessorHandler({
        orders: new DynamoSettlementStore(env.table),
        provider: new PaymentSimulator(),
        clock: { now: () => Date.parse('2026-03-05T10:01:00.000Z') },
        logger: silentLogger(),
        metrics: recordingMetrics(),
        backoff: new SqsRetryBackoff(env.sqs, queues.refundQueueUrl, { baseSeconds: 1, maxSeconds: 900 }),
      });
      await send(env.sqs, queues.refundQueueUrl, {
        accountId: order.accountId,
        unsubscribeOrderId: order.unsubscribeOrderId,
      });

      // Polling stops when the queue stays empty for 8 s: without the backoff the retries would be 60 s away.
      const deliveries = await deliverUntil(
        env.sqs,
        queues.refundQueueUrl,
        handler as never,
        async () =>
          (await readOrder(env.table, order.accountId, order.unsubscribeOrderId)).status === 'SUCCEEDED',
        { idleSeconds: 8 },
      );
      expect(deliveries.map((d) => d.receiveCounts[0])).toEqual([1, 2, 3]);
      expect((await readOrder(env.table, order.accountId, order.unsubscribeOrderId)).status).toBe(
        'SUCCEEDED',
      );
    } finally {
      env.close();
    }
  });
});
