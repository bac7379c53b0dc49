/**
 * Plays Lambda's SQS event source mapping for the refund queue, with
 * `ReportBatchItemFailures` on: receive up to 10 messages (long poll, all attributes, so
 * `ApproximateReceiveCount` is real), invoke the refund processor with a real `SQSEvent`,
 * delete only the messages it did not report as failed. Failed messages come back after
 * the visibility timeout; after `maxReceiveCount` receives the queue's redrive policy moves
 * them to the dead-letter queue (fauxqs does that, as SQS would). If the handler throws,
 * nothing is deleted.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { type FunctionRegistry, HandlerUnavailableError, invoke } from './functions.ts';
import { toSqsEvent } from './lambda-events.ts';

export interface RefundPollerOptions {
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  registry: FunctionRegistry;
  log: (line: string) => void;
  /** Long-poll wait per receive; stop() aborts a wait in progress. */
  waitTimeSeconds?: number;
  /** Pause after an error or while the processor is not available. */
  retryDelayMs?: number;
}

export interface RefundPoller {
  stop(): Promise<void>;
}

/**
 * The messages to delete after an invocation, as Lambda decides with partial batch
 * responses: an empty or missing `batchItemFailures` means all succeeded; a failure entry
 * whose `itemIdentifier` is empty or not in the batch fails the whole batch.
 */
export function messagesToDelete(messages: readonly Message[], response: unknown): Message[] {
  if (response === undefined || response === null) return [...messages];
  if (typeof response !== 'object') return [];
  const failures = (response as Partial<SQSBatchResponse>).batchItemFailures;
  if (failures === undefined || failures === null) return [...messages];
  if (!Array.isArray(failures)) return [];
  const ids = new Set(messages.map((m) => m.MessageId));
  const failed = new Set<string>();
  for (const failure of failures as unknown[]) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id)) return [];
    failed.add(id);
  }
  return messages.filter((m) => m.MessageId !== undefined && !failed.has(m.MessageId));
}

export function startRefundPoller(options: RefundPollerOptions): RefundPoller {
  const waitTimeSeconds = options.waitTimeSeconds ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 2000;
  const abort = new AbortController();
  let reportedUnavailable = false;

  const pause = (ms: number): Promise<void> => sleep(ms, undefined, { signal: abort.signal }).catch(() => {});

  async function pollOnce(): Promise<void> {
    // Do not take messages off the queue (and burn their receive count) without a processor.
    try {
      await options.registry.load('refund-processor');
      reportedUnavailable = false;
    } catch (error) {
      if (!(error instanceof HandlerUnavailableError)) throw error;
      if (!reportedUnavailable) options.log(`refund poller: ${error.message}; refunds stay queued`);
      reportedUnavailable = true;
      await pause(retryDelayMs);
      return;
    }

    const received = await options.client.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: abort.signal },
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) return;

    let toDelete: Message[];
    try {
      const response = await invoke(
        options.registry,
        'refund-processor',
        toSqsEvent(messages, options.queueArn, options.region),
        options.region,
      );
      toDelete = messagesToDelete(messages, response);
    } catch (error) {
      const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      options.log(`refund-processor: ${messages.length} message(s), handler failed (${what}); none deleted`);
      return;
    }
    if (toDelete.length > 0) {
      const deleted = await options.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: toDelete.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
      if ((deleted.Failed ?? []).length > 0) {
        options.log(`refund poller: ${deleted.Failed?.length} message(s) could not be deleted`);
      }
    }
    const failed = messages.length - toDelete.length;
    options.log(`refund-processor: ${messages.length} message(s), ${failed} to retry`);
  }

  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        await pollOnce();
      } catch (error) {
        if (abort.signal.aborted) break;
        options.log(`refund poller: ${error instanceof Error ? error.message : String(error)}`);
        await pause(retryDelayMs);
      }
    }
  })();

  return {
    async stop() {
      abort.abort();
      await loop;
    },
  };
}
