/**
 * The purger as the stack runs it, in one process: the real dispatcher handler sends its work
 * items to a queue in memory, and `workers` real worker handlers take them off it side by side
 * (one message per shard per dispatch, so no two of them ever hold the same shard of one
 * dispatch — as SQS FIFO message groups guarantee). Each run answers the dispatch summary and
 * the sum of the work items' summaries.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { TableRef } from '#adapters/dynamo/client.ts';
import { DynamoPurgeStore } from '#adapters/dynamo/purges.ts';
import { DynamoRetainedDataStore } from '#adapters/dynamo/retained-data.ts';
import { encodePurgeWork, purgeWorkGroup } from '#adapters/sqs-purge-work.ts';
import { toSqsEvent } from '#infra/local/lambda-events.ts';
import type { PurgeWorkItem, PurgeWorkQueue } from '#ports/purge-work.ts';
import type { RetainedDataStore } from '#ports/retained-data.ts';
import type { DispatchSummary } from '#use-cases/dispatch-purges.ts';
import type { PurgeSummary } from '#use-cases/purge-retention.ts';

/** No vitest imports here: the purge benchmark runs the same pipeline. */
const silentLogger = () => new Logger({ serviceName: 'purge-pipeline', logLevel: 'SILENT' });
const noMetrics = () => ({ addMetric: () => undefined, publishStoredMetrics: () => undefined });

export class MemoryPurgeWorkQueue implements PurgeWorkQueue {
  readonly items: PurgeWorkItem[] = [];

  async send(items: readonly PurgeWorkItem[]): Promise<void> {
    this.items.push(...items);
  }
}

export interface PipelineOptions {
  workers?: number;
  /** Purges in flight per worker. */
  inFlight?: number;
  maxItems?: number;
  pageSize?: number;
  data?: RetainedDataStore;
  /** Every worker invocation gets this context (its time budget). */
  context?: () => Context;
  /** Called once the dispatch is done, before the workers start (to race something against them). */
  onDispatched?: () => void;
}

export interface PipelineSummary extends Omit<PurgeSummary, 'now'> {
  dispatch: DispatchSummary;
  /** Purges (recorded now or earlier) whose data this run deleted, per shard. */
  perShard: Record<number, number>;
  /** Work items handled per worker. */
  perWorker: number[];
}

/** The counts of many work items' summaries, added up. */
export function addSummaries(summaries: readonly PurgeSummary[]): Omit<PurgeSummary, 'now'> {
  const total: Omit<PurgeSummary, 'now'> = {
    purged: 0,
    released: 0,
    completed: 0,
    skipped: 0,
    inProgress: 0,
    discarded: 0,
    contended: 0,
    failed: 0,
    throttled: 0,
    purgedKinds: { configData: 0, logData: 0 },
    remaining: false,
    stoppedBy: 'DONE',
  };
  for (const s of summaries) {
    for (const key of [
      'purged',
      'released',
      'completed',
      'skipped',
      'inProgress',
      'discarded',
      'contended',
      'failed',
      'throttled',
    ] as const) {
      total[key] += s[key];
    }
    total.purgedKinds.configData += s.purgedKinds.configData;
    total.purgedKinds.logData += s.purgedKinds.logData;
    total.remaining ||= s.remaining;
    if (s.stoppedBy === 'TIME_BUDGET' || (s.stoppedBy === 'MAX_ITEMS' && total.stoppedBy === 'DONE')) {
      total.stoppedBy = s.stoppedBy;
    }
  }
  return total;
}

export function purgePipeline(table: TableRef, options: PipelineOptions = {}) {
  // Imported on first run: the handler modules read their configuration at import.
  const modules = Promise.all([import('#functions/purger.ts'), import('#functions/purge-worker.ts')]);
  const purges = new DynamoPurgeStore(table, options.pageSize ? { pageSize: options.pageSize } : {});
  const data = options.data ?? new DynamoRetainedDataStore(table);
  return async (time: string | number): Promise<PipelineSummary> => {
    const [{ createPurgerHandler }, { createPurgeWorkerHandler }] = await modules;
    const queue = new MemoryPurgeWorkQueue();
    const dispatcher = createPurgerHandler({
      purges,
      work: queue,
      logger: silentLogger(),
      metrics: noMetrics(),
    });
    const summaries: PurgeSummary[] = [];
    const perShard: Record<number, number> = {};
    const worker = createPurgeWorkerHandler({
      purges,
      data,
      logger: silentLogger(),
      metrics: noMetrics(),
      ...(options.maxItems !== undefined ? { maxItems: options.maxItems } : {}),
      ...(options.inFlight !== undefined ? { inFlight: options.inFlight } : {}),
      onSummary: (shard, summary) => {
        summaries.push(summary);
        perShard[shard] = (perShard[shard] ?? 0) + summary.purged + summary.completed;
      },
    });
    const dispatch = await dispatcher({
      time: typeof time === 'number' ? new Date(time).toISOString() : time,
    });
    options.onDispatched?.();
    const perWorker = Array.from({ length: options.workers ?? 1 }, () => 0);
    await Promise.all(
      perWorker.map(async (_, w) => {
        for (let item = queue.items.shift(); item; item = queue.items.shift()) {
          const message = {
            MessageId: `${item.shard}-${item.now}`,
            ReceiptHandle: `${item.shard}-${item.now}`,
            Body: encodePurgeWork(item),
            Attributes: { MessageGroupId: purgeWorkGroup(item.shard) },
          };
          await worker(
            toSqsEvent([message], 'arn:aws:sqs:us-east-1:000000000000:purge-work.fifo', 'us-east-1'),
            options.context?.(),
          );
          perWorker[w] = (perWorker[w] ?? 0) + 1;
        }
      }),
    );
    return { dispatch, ...addSummaries(summaries), perShard, perWorker };
  };
}
