/**
 * The refund queue on SQS, and the one place that knows the message's wire form. A message
 * is only a pointer (`{accountId, unsubscribeOrderId}`); the unsubscribe order in the table
 * is the truth, so duplicates and reordering are harmless.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import type { RefundQueue } from '#ports/refund-queue.ts';
import type { RefundMessage } from '#shared/model.ts';

const id = () => z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9_.-]+$/));
/** Built on first decode: only the refund processor decodes (the functions that send only encode). */
const messageSchema = z.lazy(() => z.object({ accountId: id(), unsubscribeOrderId: id() }));

/** A queue message that is not a refund message: it can never succeed (it ends in the DLQ). */
export class MalformedRefundMessageError extends Error {
  constructor() {
    super('The queue message is not a refund message');
    this.name = 'MalformedRefundMessageError';
  }
}

export function encodeRefundMessage(message: RefundMessage): string {
  return JSON.stringify({ accountId: message.accountId, unsubscribeOrderId: message.unsubscribeOrderId });
}

export function decodeRefundMessage(body: string): RefundMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new MalformedRefundMessageError();
  }
  const result = z.safeParse(messageSchema, parsed);
  if (!result.success) throw new MalformedRefundMessageError();
  return result.data;
}

/** `RefundQueue` on SQS. Pass the process-wide `SQSClient` (created once, at cold start). */
export class SqsRefundQueue implements RefundQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(client: SQSClient, queueUrl: string) {
    this.#client = client;
    this.#queueUrl = queueUrl;
  }

  async enqueue(message: RefundMessage): Promise<void> {
    await this.#client.send(
      new SendMessageCommand({ QueueUrl: this.#queueUrl, MessageBody: encodeRefundMessage(message) }),
    );
  }
}
