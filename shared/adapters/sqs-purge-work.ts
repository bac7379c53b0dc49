/**
 * The purge work queue on SQS (FIFO), and the one place that knows a work item's wire form
 * (`{"shard": 3, "now": 1776643200000}`). Each shard is its own message group, so SQS hands a
 * shard to one worker at a time, in dispatch order, while different shards run in parallel;
 * the deduplication id (shard and `now`) makes a dispatch that is retried send nothing twice.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import type { PurgeWorkItem, PurgeWorkQueue } from '#ports/purge-work.ts';

/** SQS takes at most 10 messages per batch. */
const BATCH = 10;

const itemSchema = z.lazy(() =>
  z.object({
    shard: z.int().check(z.minimum(0), z.maximum(9_999)),
    now: z.int().check(z.minimum(0)),
  }),
);

/** A queue message that is not a purge work item. */
export class MalformedPurgeWorkError extends Error {
  constructor() {
    super('The queue message is not a purge work item');
    this.name = 'MalformedPurgeWorkError';
  }
}

/** Some work items were not accepted by the queue (the dispatch fails, and is retried). */
export class PurgeWorkNotSentError extends Error {
  constructor(count: number) {
    super(`${count} purge work item(s) were not accepted by the queue`);
    this.name = 'PurgeWorkNotSentError';
  }
}

export const encodePurgeWork = (item: PurgeWorkItem): string =>
  JSON.stringify({ shard: item.shard, now: item.now });

export function decodePurgeWork(body: string): PurgeWorkItem {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new MalformedPurgeWorkError();
  }
  const result = z.safeParse(itemSchema, parsed);
  if (!result.success) throw new MalformedPurgeWorkError();
  return result.data;
}

/** The message group of a shard: one worker at a time per group. */
export const purgeWorkGroup = (shard: number): string => `due-${shard}`;

export class SqsPurgeWorkQueue implements PurgeWorkQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(client: SQSClient, queueUrl: string) {
    this.#client = client;
    this.#queueUrl = queueUrl;
  }

  async send(items: readonly PurgeWorkItem[]): Promise<void> {
    let failed = 0;
    for (let start = 0; start < items.length; start += BATCH) {
      const batch = items.slice(start, start + BATCH);
      const result = await this.#client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.#queueUrl,
          Entries: batch.map((item, i) => ({
            Id: String(i),
            MessageBody: encodePurgeWork(item),
            MessageGroupId: purgeWorkGroup(item.shard),
            MessageDeduplicationId: `${item.shard}-${item.now}`,
          })),
        }),
      );
      failed += result.Failed?.length ?? 0;
    }
    if (failed > 0) throw new PurgeWorkNotSentError(failed);
  }
}
