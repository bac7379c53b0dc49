/**
 * The reconciler (SPEC 3.3), run by an EventBridge schedule: unsubscribe orders still
 * `PENDING` five minutes after their creation (the enqueue after the commit failed) are put on
 * the refund queue again. The event's `time` is `now`.
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoPendingOrders } from '#adapters/dynamo/pending-orders.ts';
import { SqsRefundQueue } from '#adapters/sqs-refund-queue.ts';
import { readConfig, requireQueueUrl } from '#shared/config.ts';
import { scheduleTime } from '#shared/schedule.ts';
import { type ReconcileDeps, type ReconcileSummary, reconcilePending } from '#use-cases/reconcile-pending.ts';

export interface ReconcilerDeps extends ReconcileDeps {
  logger?: Pick<Logger, 'info' | 'warn' | 'addContext'>;
  maxOrders?: number;
}

export type ReconcilerHandler = (
  event: Pick<ScheduledEvent, 'time'>,
  context?: Context,
) => Promise<ReconcileSummary>;

export function createReconcilerHandler(deps: ReconcilerDeps): ReconcilerHandler {
  const logger = deps.logger ?? new Logger({ serviceName: 'reconciler' });
  return async (event, context) => {
    if (context) logger.addContext(context);
    const summary = await reconcilePending(deps, {
      now: scheduleTime(event),
      ...(deps.maxOrders !== undefined ? { maxOrders: deps.maxOrders } : {}),
    });
    if (summary.failed > 0) logger.warn('Some stranded orders could not be enqueued', { ...summary });
    else logger.info('Reconciler run', { ...summary });
    return summary;
  };
}

const config = readConfig();
const table = { doc: documentClient(), tableName: config.tableName };

export const handler = createReconcilerHandler({
  pending: new DynamoPendingOrders(table),
  queue: new SqsRefundQueue(new SQSClient({}), requireQueueUrl(config)),
});
