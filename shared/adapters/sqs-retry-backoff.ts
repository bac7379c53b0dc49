import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { RetryBackoff } from '#ports/refund-queue.ts';

export interface BackoffSchedule {
  /** Delay after the first failed receive. */
  baseSeconds: number;
  /** Upper bound of any delay (SQS allows up to 12 hours). */
  maxSeconds: number;
}

/** `base × 2^(receiveCount − 1)`, capped: 30 s, 60 s, 120 s, 240 s… with the cloud defaults. */
export function backoffSeconds(receiveCount: number, schedule: BackoffSchedule): number {
  const exponent = Math.max(0, Math.min(receiveCount - 1, 20));
  return Math.min(schedule.maxSeconds, schedule.baseSeconds * 2 ** exponent);
}

/** `RetryBackoff` on SQS: changes the failed message's visibility timeout. */
export class SqsRetryBackoff implements RetryBackoff {
  readonly #client: SQSClient;
  readonly #queueUrl: string;
  readonly #schedule: BackoffSchedule;

  constructor(client: SQSClient, queueUrl: string, schedule: BackoffSchedule) {
    this.#client = client;
    this.#queueUrl = queueUrl;
    this.#schedule = schedule;
  }

  async postpone(receiptHandle: string, receiveCount: number): Promise<void> {
    await this.#client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.#queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: backoffSeconds(receiveCount, this.#schedule),
      }),
    );
  }
}
