/**
 * The purger (SPEC 3.5), run every minute by an EventBridge schedule whose event `time` is
 * `now`: the dispatcher of the retention purge. It finds the shards of the due index with
 * purges due and sends one work item per shard to the purge work queue, where the purge
 * workers (`functions/purge-worker.ts`) drain them in parallel, one worker per shard at a time.
 * It reports how late the oldest due purge is (`PurgeLagSeconds`, which the stack alarms on)
 * and returns its summary, which the local runtime's `POST /local/purger-runs` answers with.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { DynamoPurgeStore } from '#adapters/dynamo/purges.ts';
import { SqsPurgeWorkQueue } from '#adapters/sqs-purge-work.ts';
import { readConfig, requirePurgeQueueUrl } from '#shared/config.ts';
import { createLogger } from '#shared/logger.ts';
import { type ServiceMetrics, serviceMetrics } from '#shared/metrics.ts';
import { type ScheduleEvent, scheduleTime } from '#shared/schedule.ts';
import { PURGE_METRICS } from '#shared/service.ts';
import { tableRef } from '#shared/wiring.ts';
import { type DispatchDeps, type DispatchSummary, dispatchPurges } from '#use-cases/dispatch-purges.ts';

export type PurgerLogger = Pick<Logger, 'info' | 'addContext'>;

export interface PurgerDeps extends DispatchDeps {
  logger?: PurgerLogger;
  metrics?: ServiceMetrics;
}

export type PurgerEvent = ScheduleEvent;
export type PurgerHandler = (event: PurgerEvent, context?: Context) => Promise<DispatchSummary>;

export function createPurgerHandler(deps: PurgerDeps): PurgerHandler {
  const logger = deps.logger ?? createLogger();
  const metrics = deps.metrics ?? serviceMetrics(PURGE_METRICS.dispatcherService);
  return async (event, context) => {
    if (context) logger.addContext(context);
    const now = scheduleTime(event);
    const summary = await dispatchPurges(deps, { now });
    // Every minute, 0 when nothing is due: a missing value means the purger did not run.
    metrics.addMetric(PURGE_METRICS.lag, MetricUnit.Seconds, summary.lagSeconds);
    metrics.publishStoredMetrics();
    logger.info('Purge dispatch', { ...summary });
    return summary;
  };
}

const config = readConfig();

export const handler = createPurgerHandler({
  purges: new DynamoPurgeStore(tableRef(config)),
  work: new SqsPurgeWorkQueue(new SQSClient({}), requirePurgeQueueUrl(config)),
});
