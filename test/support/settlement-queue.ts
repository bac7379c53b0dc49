/**
 * Drives the real refund queue the way Lambda's event source mapping does: receive a batch
 * (all system attributes, so `ApproximateReceiveCount` is real), hand it to the handler as an
 * SQS event, delete only the messages the batch response did not report as failed. Failed
 * messages come back after the visibility timeout; after 5 receives SQS moves them to the DLQ.
 */
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { encodeRefundMessage } from '#adapters/sqs-refund-queue.ts';
import { LOCAL_REGION } from '#infra/local/emulators.ts';
import { toSqsEvent } from '#infra/local/lambda-events.ts';
import type { RefundMessage } from '#shared/model.ts';

type Handler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export async function send(sqs: SQSClient, queueUrl: string, message: RefundMessage | string): Promise<void> {
  const body = typeof message === 'string' ? message : encodeRefundMessage(message);
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
}

export interface Delivery {
  received: number;
  failed: number;
  receiveCounts: number[];
}

/** One receive → handler → delete cycle. */
export async function deliverOnce(
  sqs: SQSClient,
  queueUrl: string,
  handler: Handler,
  options: { waitSeconds?: number } = {},
): Promise<Delivery> {
  const result = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: options.waitSeconds ?? 0,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  const messages = result.Messages ?? [];
  if (messages.length === 0) return { received: 0, failed: 0, receiveCounts: [] };
  const response = await handler(
    toSqsEvent(messages, 'arn:aws:sqs:us-east-1:000000000000:test', LOCAL_REGION),
  );
  const failedIds = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  const done = messages.filter((m) => !failedIds.has(m.MessageId ?? ''));
  if (done.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
      }),
    );
  }
  return {
    received: messages.length,
    failed: failedIds.size,
    receiveCounts: messages.map((m) => Number(m.Attributes?.ApproximateReceiveCount ?? '0')),
  };
}

/**
 * Polls like the event source mapping until `until()` holds or the queue stays empty for
 * `idleSeconds` (failed messages reappear after the visibility timeout).
 */
export async function deliverUntil(
  sqs: SQSClient,
  queueUrl: string,
  handler: Handler,
  until: () => Promise<boolean>,
  options: { idleSeconds?: number; maxCycles?: number } = {},
): Promise<Delivery[]> {
  const deliveries: Delivery[] = [];
  let idleSince = Date.now();
  for (let cycle = 0; cycle < (options.maxCycles ?? 60); cycle++) {
    if (await until()) return deliveries;
    const delivery = await deliverOnce(sqs, queueUrl, handler, { waitSeconds: 1 });
    if (delivery.received > 0) {
      deliveries.push(delivery);
      idleSince = Date.now();
    } else if (Date.now() - idleSince > (options.idleSeconds ?? 4) * 1000) {
      return deliveries;
    }
  }
  return deliveries;
}

/** Every message waiting in a queue (received with a long visibility timeout, not deleted). */
export async function peek(sqs: SQSClient, queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const result = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }),
    );
    const messages = result.Messages ?? [];
    if (messages.length === 0) return bodies;
    bodies.push(...messages.map((m) => m.Body ?? ''));
  }
}

/** A DLQ redrive (what `StartMessageMoveTask` does): every DLQ message back onto the source queue. */
export async function redrive(sqs: SQSClient, deadLetterQueueUrl: string, queueUrl: string): Promise<number> {
  let moved = 0;
  for (;;) {
    const result = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: deadLetterQueueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 30,
      }),
    );
    const messages = result.Messages ?? [];
    if (messages.length === 0) return moved;
    for (const message of messages) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: message.Body ?? '' }));
      moved += 1;
    }
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: deadLetterQueueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
      }),
    );
  }
}
