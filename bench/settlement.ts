/**
 * Settlement throughput: unsubscribe orders settled per second by the real refund processor
 * handler (Powertools batch processing, the settlement use case, the DynamoDB adapter, the
 * in-memory payment simulator) against the DynamoDB operations each settlement must make,
 * issued directly with the same document client against the same DynamoDB Local, in the
 * same run, interleaved chunk by chunk (alternating which goes first).
 *
 * Each order has two lines: one refunded to the card through the provider, one credited to
 * the balance. What one settlement must make (dependent round trips):
 *   1. GetItem the order (consistent: the truth, not the message);
 *   2. UpdateItem PENDING → PROCESSING (conditional, history entry, leaves the pending index);
 *   3. TransactWriteItems line 1 → SETTLED (condition: still PENDING);
 *   4. TransactWriteItems line 2 → SETTLED + ledger entry (condition: still PENDING / new);
 *   5. UpdateItem → SUCCEEDED (condition: every line SETTLED).
 * A chunk is 10 orders handled in parallel (one SQS batch). A third figure drives the real
 * queue (fauxqs): send, receive batches of 10, handler, delete — one poller, like one Lambda.
 *
 * No timing assertions: plain figures. Run alone: `npx node bench/settlement.ts [--quick]`.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { BatchWriteCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { documentClient } from '#adapters/dynamo/client.ts';
import { keys, pendingIndex } from '#adapters/dynamo/keys.ts';
import { DynamoSettlementStore } from '#adapters/dynamo/settlement.ts';
import { PaymentSimulator } from '#adapters/payment-simulator.ts';
import { encodeRefundMessage } from '#adapters/sqs-refund-queue.ts';
import {
  createQueues,
  createTable,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  startDynamoLocal,
  startLocalSqs,
} from '#infra/local/emulators.ts';
import { toSqsEvent } from '#infra/local/lambda-events.ts';
import { dueBy } from '#policy/index.ts';
import type { UnsubscribeOrder } from '#shared/model.ts';

export const SETTLEMENT_MUST_MAKE = [
  'DynamoDB GetItem order (consistent)',
  'DynamoDB UpdateItem PENDING → PROCESSING (conditional)',
  'DynamoDB TransactWriteItems line 1 SETTLED (conditional)',
  'DynamoDB TransactWriteItems line 2 SETTLED + ledger entry (conditional)',
  'DynamoDB UpdateItem SUCCEEDED (conditional on every line)',
] as const;

export interface ThroughputFigure {
  orders: number;
  totalMs: number;
  settledPerSecond: number;
  msPerOrder: number;
}

export interface SettlementBench {
  quick: boolean;
  ordersPerVariant: number;
  linesPerOrder: number;
  chunk: number;
  mustMake: readonly string[];
  processor: ThroughputFigure;
  raw: ThroughputFigure;
  /** processor orders/s ÷ raw orders/s (1 = no overhead over the bare calls). */
  processorVsRaw: number;
  queueEndToEnd: ThroughputFigure;
  providerRefunds: number;
}

const CHUNK = 10;
const CREATED = Date.parse('2026-03-05T10:00:00.000Z');

function order(accountId: string): UnsubscribeOrder {
  const id = `uo-${randomUUID()}`;
  const line = (orderId: string, amount: number, toBalance: boolean) => ({
    orderId,
    cashPaid: amount,
    voucherPaid: 0,
    usedDays: 3,
    termDays: 365,
    refundAmount: amount,
    destination: toBalance ? ('ACCOUNT_BALANCE' as const) : ('ORIGINAL_PAYMENT_METHOD' as const),
    status: 'PENDING' as const,
    settledTo: null,
    settledAt: null,
    paymentMethod: { type: 'CARD' as const, reference: `card-${orderId}` },
  });
  return {
    unsubscribeOrderId: id,
    accountId,
    instanceId: `i-${id}`,
    type: 'UNSUBSCRIBE',
    refundType: 'PARTIAL_REFUND',
    quoteId: `q-${id}`,
    status: 'PENDING',
    currency: 'USD',
    refundAmount: 98_805 + 2_800,
    lines: [line('o-new', 98_805, false), line('o-renew', 2_800, true)],
    reason: { code: 'NO_LONGER_NEEDED' },
    createdAt: CREATED,
    dueBy: dueBy(CREATED),
    settledAt: null,
    slaBreached: false,
    history: [{ status: 'PENDING', at: CREATED }],
  };
}

const figure = (orders: number, totalMs: number): ThroughputFigure => ({
  orders,
  totalMs,
  settledPerSecond: orders / (totalMs / 1000),
  msPerOrder: totalMs / orders,
});

export async function benchSettlement(opts: { quick: boolean }): Promise<SettlementBench> {
  const perVariant = opts.quick ? 30 : 600;
  const [dynamo, sqs] = await Promise.all([startDynamoLocal(), startLocalSqs()]);
  try {
    const tableName = `bench-settle-${randomUUID().slice(0, 8)}`;
    await createTable(dynamo.client, tableName);
    const queues = await createQueues(sqs.client, `${tableName}-`, 30);
    // What the handler module reads at import (its own cold-start wiring is not used here).
    process.env.TABLE_NAME = tableName;
    process.env.AWS_REGION ??= LOCAL_REGION;
    process.env.AWS_ACCESS_KEY_ID ??= LOCAL_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY ??= LOCAL_CREDENTIALS.secretAccessKey;
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const { createRefundProcessorHandler } = await import('#functions/refund-processor.ts');
    const { Logger } = await import('@aws-lambda-powertools/logger');

    const doc = documentClient(dynamo.client);
    const table = { doc, tableName };
    const simulator = new PaymentSimulator();
    const handler = createRefundProcessorHandler({
      orders: new DynamoSettlementStore(table),
      provider: simulator,
      clock: { now: () => CREATED + 60_000 },
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: { addMetric: () => undefined, hasStoredMetrics: () => false, publishStoredMetrics: () => {} },
    }) as (event: SQSEvent) => Promise<SQSBatchResponse>;

    const seed = async (count: number): Promise<UnsubscribeOrder[]> => {
      const orders = Array.from({ length: count }, (_, i) => order(`acct-${i % 50}`));
      for (let i = 0; i < orders.length; i += 25) {
        await doc.send(
          new BatchWriteCommand({
            RequestItems: {
              [tableName]: orders.slice(i, i + 25).map((o) => ({
                PutRequest: {
                  Item: {
                    ...keys.unsubscribeOrder(o.accountId, o.unsubscribeOrderId),
                    entity: 'UNSUBSCRIBE_ORDER',
                    ...o,
                    ...pendingIndex(o.unsubscribeOrderId, new Date(o.createdAt).toISOString()),
                  },
                },
              })),
            },
          }),
        );
      }
      return orders;
    };

    const eventOf = (orders: UnsubscribeOrder[]): SQSEvent =>
      toSqsEvent(
        orders.map((o) => ({
          MessageId: randomUUID(),
          ReceiptHandle: randomUUID(),
          Body: encodeRefundMessage(o),
          Attributes: { ApproximateReceiveCount: '1' },
        })),
        'arn:aws:sqs:us-east-1:000000000000:bench',
        LOCAL_REGION,
      );

    const rawSettle = async (o: UnsubscribeOrder, at: number): Promise<void> => {
      const Key = keys.unsubscribeOrder(o.accountId, o.unsubscribeOrderId);
      await doc.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }));
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key,
          UpdateExpression: 'SET #s = :to, #h = list_append(#h, :e) REMOVE pendingPk, pendingSk',
          ConditionExpression: '#s = :from',
          ExpressionAttributeNames: { '#s': 'status', '#h': 'history' },
          ExpressionAttributeValues: {
            ':to': 'PROCESSING',
            ':from': 'PENDING',
            ':e': [{ status: 'PROCESSING', at }],
          },
        }),
      );
      for (const [i, line] of o.lines.entries()) {
        const toBalance = line.destination === 'ACCOUNT_BALANCE';
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key,
                  UpdateExpression: `SET #l[${i}].#s = :settled, #l[${i}].settledTo = :to, #l[${i}].settledAt = :at`,
                  ConditionExpression: `#l[${i}].#s = :pending`,
                  ExpressionAttributeNames: { '#l': 'lines', '#s': 'status' },
                  ExpressionAttributeValues: {
                    ':settled': 'SETTLED',
                    ':pending': 'PENDING',
                    ':to': line.destination,
                    ':at': at,
                  },
                },
              },
              ...(toBalance
                ? [
                    {
                      Put: {
                        TableName: tableName,
                        Item: {
                          ...keys.ledgerEntry(o.accountId, o.unsubscribeOrderId, line.orderId),
                          entity: 'LEDGER_ENTRY',
                          accountId: o.accountId,
                          entryId: `${o.unsubscribeOrderId}:${line.orderId}`,
                          currency: o.currency,
                          amount: line.refundAmount,
                          unsubscribeOrderId: o.unsubscribeOrderId,
                          orderId: line.orderId,
                          cause: 'REFUND_TO_BALANCE',
                          createdAt: at,
                        },
                        ConditionExpression: 'attribute_not_exists(pk)',
                      },
                    },
                  ]
                : []),
            ],
          }),
        );
      }
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key,
          UpdateExpression: 'SET #s = :done, settledAt = :at, slaBreached = :late, #h = list_append(#h, :e)',
          ConditionExpression: '#s = :processing AND #l[0].#s = :settled AND #l[1].#s = :settled',
          ExpressionAttributeNames: { '#s': 'status', '#h': 'history', '#l': 'lines' },
          ExpressionAttributeValues: {
            ':done': 'SUCCEEDED',
            ':processing': 'PROCESSING',
            ':settled': 'SETTLED',
            ':at': at,
            ':late': false,
            ':e': [{ status: 'SUCCEEDED', at }],
          },
        }),
      );
    };

    // Warm-up (JIT, connections), untimed.
    await handler(eventOf(await seed(CHUNK)));
    await Promise.all((await seed(CHUNK)).map((o) => rawSettle(o, CREATED + 60_000)));

    const processorOrders = await seed(perVariant);
    const rawOrders = await seed(perVariant);
    let processorMs = 0;
    let rawMs = 0;
    for (let i = 0, round = 0; i < perVariant; i += CHUNK, round++) {
      const runProcessor = async () => {
        const start = process.hrtime.bigint();
        const response = await handler(eventOf(processorOrders.slice(i, i + CHUNK)));
        processorMs += Number(process.hrtime.bigint() - start) / 1e6;
        if (response.batchItemFailures.length > 0) throw new Error('a benchmark settlement failed');
      };
      const runRaw = async () => {
        const start = process.hrtime.bigint();
        await Promise.all(rawOrders.slice(i, i + CHUNK).map((o) => rawSettle(o, CREATED + 60_000)));
        rawMs += Number(process.hrtime.bigint() - start) / 1e6;
      };
      if (round % 2 === 0) {
        await runProcessor();
        await runRaw();
      } else {
        await runRaw();
        await runProcessor();
      }
    }

    // End to end through the real queue: one poller handing batches of 10 to the handler.
    const queued = await seed(perVariant);
    for (let i = 0; i < queued.length; i += 10) {
      await sqs.client.send(
        new SendMessageBatchCommand({
          QueueUrl: queues.refundQueueUrl,
          Entries: queued
            .slice(i, i + 10)
            .map((o, j) => ({ Id: String(j), MessageBody: encodeRefundMessage(o) })),
        }),
      );
    }
    const queueStart = process.hrtime.bigint();
    let settled = 0;
    while (settled < queued.length) {
      const received = await sqs.client.send(
        new ReceiveMessageCommand({
          QueueUrl: queues.refundQueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) continue;
      const response = await handler(
        toSqsEvent(messages, 'arn:aws:sqs:us-east-1:000000000000:bench', LOCAL_REGION),
      );
      const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
      const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
      if (done.length > 0) {
        await sqs.client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queues.refundQueueUrl,
            Entries: done.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle ?? '' })),
          }),
        );
      }
      settled += done.length;
    }
    const queueMs = Number(process.hrtime.bigint() - queueStart) / 1e6;

    const processor = figure(perVariant, processorMs);
    const raw = figure(perVariant, rawMs);
    return {
      quick: opts.quick,
      ordersPerVariant: perVariant,
      linesPerOrder: 2,
      chunk: CHUNK,
      mustMake: SETTLEMENT_MUST_MAKE,
      processor,
      raw,
      processorVsRaw: processor.settledPerSecond / raw.settledPerSecond,
      queueEndToEnd: figure(perVariant, queueMs),
      providerRefunds: simulator.refundsMade(),
    };
  } finally {
    await Promise.all([dynamo.stop(), sqs.stop()]);
  }
}

if (import.meta.main) {
  const result = await benchSettlement({ quick: process.argv.includes('--quick') });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
