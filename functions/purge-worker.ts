/**
 * A purge worker (SPEC 3.5): triggered by the purge work queue (FIFO, one message group per
 * shard of the due index, so one worker per shard at a time) with work items "everything due
 * at `now` on shard s". It purges them with `purgeRetention`, several purges in flight, until
 * the shard is drained or a fifth of the invocation's time is left; it slows down while
 * DynamoDB throttles instead of failing.
 *
 * A work item is never reported as failed: whatever it leaves (a failed purge, the rest of a
 * shard when time ran out) is still on the due index, and the next dispatch, a minute later,
 * sends the shard again. A failed item would instead block its shard's message group until
 * the queue's visibility timeout. Only a worker that crashes leaves its message to come back
 * (and, after `PURGE_QUEUES.maxReceiveCount` crashes, to go to the dead-letter queue).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoPurgeStore } from '#adapters/dynamo/purges.ts';
import { DynamoRetainedDataStore } from '#adapters/dynamo/retained-data.ts';
import { decodePurgeWork } from '#adapters/sqs-purge-work.ts';
import { readConfig } from '#shared/config.ts';
import { createLogger } from '#shared/logger.ts';
import { type ServiceMetrics, serviceMetrics } from '#shared/metrics.ts';
import { PURGE_METRICS } from '#shared/service.ts';
import { tableRef } from '#shared/wiring.ts';
import { type PurgeDeps, type PurgeSummary, purgeRetention } from '#use-cases/purge-retention.ts';

/** Purges per work item at most: a shard of a large burst takes several items (one a minute). */
export const WORKER_MAX_ITEMS = 100_000;

export type PurgeWorkerLogger = Pick<Logger, 'info' | 'error' | 'addContext'>;

export interface PurgeWorkerDeps extends Omit<PurgeDeps, 'observe'> {
  logger?: PurgeWorkerLogger;
  metrics?: ServiceMetrics;
  /** Purges per work item (default `WORKER_MAX_ITEMS`). */
  maxItems?: number;
  /** Purges in flight (default 16). */
  inFlight?: number;
  /** Stop when less than this share of the invocation's time remains (default 0.2). */
  reserveShare?: number;
  /** Each work item's summary, after it is done (the local runtime and tests collect them). */
  onSummary?: (shard: number, summary: PurgeSummary) => void;
}

export type PurgeWorkerHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

export function createPurgeWorkerHandler(deps: PurgeWorkerDeps): PurgeWorkerHandler {
  const logger = deps.logger ?? createLogger();
  const metrics = deps.metrics ?? serviceMetrics(PURGE_METRICS.workerService);
  const reserveShare = deps.reserveShare ?? 0.2;
  const purge: PurgeDeps = {
    purges: deps.purges,
    data: deps.data,
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    observe: (e) => {
      if (e.type === 'PURGE_FAILED') {
        logger.error('Purge failed; left for the next run', {
          instanceId: e.instanceId,
          kind: e.kind,
          error: e.error instanceof Error ? e.error.name : 'Unknown',
        });
      }
    },
  };
  return async (event, context) => {
    if (context) logger.addContext(context);
    const budget = context?.getRemainingTimeInMillis();
    const reserve = budget === undefined ? 0 : Math.max(1_000, budget * reserveShare);
    const shouldStop = context ? () => context.getRemainingTimeInMillis() < reserve : () => false;
    for (const record of event.Records) {
      let item: ReturnType<typeof decodePurgeWork>;
      try {
        item = decodePurgeWork(record.body);
      } catch {
        // Nothing to retry: the dispatcher sends every shard with due work again each minute.
        logger.error('Not a purge work item; dropped', { messageId: record.messageId });
        continue;
      }
      let summary: PurgeSummary;
      try {
        summary = await purgeRetention(purge, {
          now: item.now,
          shard: item.shard,
          maxItems: deps.maxItems ?? WORKER_MAX_ITEMS,
          concurrency: deps.inFlight ?? 16,
          shouldStop,
        });
      } catch (error) {
        logger.error('Purge work item failed; the next dispatch sends the shard again', {
          shard: item.shard,
          error: error instanceof Error ? error.name : 'Unknown',
        });
        metrics.addMetric(PURGE_METRICS.failed, 'Count', 1);
        continue;
      }
      logger.info('Purge work item', { shard: item.shard, ...summary });
      metrics.addMetric(PURGE_METRICS.purged, 'Count', summary.purged + summary.completed);
      metrics.addMetric(PURGE_METRICS.throttled, 'Count', summary.throttled);
      metrics.addMetric(PURGE_METRICS.failed, 'Count', summary.failed);
      deps.onSummary?.(item.shard, summary);
    }
    metrics.publishStoredMetrics();
    return { batchItemFailures: [] };
  };
}

const config = readConfig();
const table = tableRef(config);

export const handler = createPurgeWorkerHandler({
  purges: new DynamoPurgeStore(table),
  data: new DynamoRetainedDataStore(table),
  inFlight: config.purgeWorkerInFlight,
});
