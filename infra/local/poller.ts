/**
 * Plays Lambda's SQS event source mapping, with `ReportBatchItemFailures` on: receive up to
 * `batchSize` messages (long poll, all attributes, so `ApproximateReceiveCount` is real),
 * invoke the function with a real `SQSEvent`, delete only the messages it did not report as
 * failed. Failed messages come back after the visibility timeout; after `maxReceiveCount`
 * receives the queue's redrive policy moves them to the dead-letter queue (fauxqs does that,
 * as SQS would). If the handler throws, nothing is deleted. `concurrency` receive loops run
 * side by side (the mapping's concurrent invocations); on a FIFO queue fauxqs, like SQS, hands
 * out a message group to one of them at a time.
 *
 * The refund queue: the refund processor, batches of 10, one loop. The purge work queue: the
 * purge worker, one work item per invocation, as many loops as the local runtime asks for.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import {
  type FunctionRegistry,
  HandlerUnavailableError,
  invoke,
  type LocalFunctionName,
} from './functions.ts';
import { toSqsEvent } from './lambda-events.ts';

export interface QueuePollerOptions {
  /** The function the queue triggers. */
  functionName: LocalFunctionName;
  /** Messages per invocation (1–10). */
  batchSize: number;
  /** Receive loops side by side (default 1). */
  concurrency?: number;
  /** Log only batches with failures (default false: a line per batch). */
  quiet?: boolean;
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

export type RefundPollerOptions = Omit<QueuePollerOptions, 'functionName' | 'batchSize'>;

export interface QueuePoller {
  /**
   * Resolves true once the queue holds no message (visible, in flight or delayed) and no
   * invocation is running, false if that has not happened within `timeoutMs`.
   */
  drained(timeoutMs?: number): Promise<boolean>;
  stop(): Promise<void>;
}

export type RefundPoller = QueuePoller;

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

/** The refund queue's mapping: the refund processor, batches of 10. */
export function startRefundPoller(options: RefundPollerOptions): RefundPoller {
  return startQueuePoller({ ...options, functionName: 'refund-processor', batchSize: 10 });
}

export function startQueuePoller(options: QueuePollerOptions): QueuePoller {
  const waitTimeSeconds = options.waitTimeSeconds ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 2000;
  const name = options.functionName;
  const abort = new AbortController();
  let reportedUnavailable = false;
  /** Batches received and not yet deleted (or given up on). */
  let busy = 0;

  const pause = (ms: number): Promise<void> => sleep(ms, undefined, { signal: abort.signal }).catch(() => {});

  async function pollOnce(): Promise<void> {
    // Do not take messages off the queue (and burn their receive count) without the function.
    try {
      await options.registry.load(name);
      reportedUnavailable = false;
    } catch (error) {
      if (!(error instanceof HandlerUnavailableError)) throw error;
      if (!reportedUnavailable) options.log(`${name} poller: ${error.message}; messages stay queued`);
      reportedUnavailable = true;
      await pause(retryDelayMs);
      return;
    }

    const received = await options.client.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: options.batchSize,
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: abort.signal },
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) return;
    busy += 1;
    try {
      await handle(messages);
    } finally {
      busy -= 1;
    }
  }

  async function handle(messages: Message[]): Promise<void> {
    let toDelete: Message[];
    try {
      const response = await invoke(
        options.registry,
        name,
        toSqsEvent(messages, options.queueArn, options.region),
        options.region,
      );
      toDelete = messagesToDelete(messages, response);
    } catch (error) {
      const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      options.log(`${name}: ${messages.length} message(s), handler failed (${what}); none deleted`);
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
        options.log(`${name} poller: ${deleted.Failed?.length} message(s) could not be deleted`);
      }
    }
    const failed = messages.length - toDelete.length;
    if (!options.quiet || failed > 0)
      options.log(`${name}: ${messages.length} message(s), ${failed} to retry`);
  }

  const loops = Array.from({ length: Math.max(1, options.concurrency ?? 1) }, async () => {
    while (!abort.signal.aborted) {
      try {
        await pollOnce();
      } catch (error) {
        if (abort.signal.aborted) break;
        options.log(`${name} poller: ${error instanceof Error ? error.message : String(error)}`);
        await pause(retryDelayMs);
      }
    }
  });

  async function queueEmpty(): Promise<boolean> {
    const { Attributes: a = {} } = await options.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: options.queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    return Object.values(a).every((count) => Number(count) === 0);
  }

  return {
    async drained(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (busy === 0 && (await queueEmpty()) && busy === 0) return true;
        await sleep(20);
      }
      return false;
    },
    async stop() {
      abort.abort();
      await Promise.all(loops);
    },
  };
}
