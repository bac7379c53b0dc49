/**
 * The reconciler (SPEC 3.3), run by an EventBridge schedule: unsubscribe orders still
 * `PENDING` five minutes after their creation (the enqueue after the commit failed) are put on
 * the refund queue again. The event's `time` is `now`.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { DynamoPendingOrders } from '#adapters/dynamo/pending-orders.ts';
import { readConfig } from '#shared/config.ts';
import { createLogger } from '#shared/logger.ts';
import { type ScheduleEvent, scheduleTime } from '#shared/schedule.ts';
import { refundQueue, tableRef } from '#shared/wiring.ts';
import { type ReconcileDeps, type ReconcileSummary, reconcilePending } from '#use-cases/reconcile-pending.ts';

export interface ReconcilerDeps extends ReconcileDeps {
  logger?: Pick<Logger, 'info' | 'warn' | 'addContext'>;
  maxOrders?: number;
}

export type ReconcilerHandler = (event: ScheduleEvent, context?: Context) => Promise<ReconcileSummary>;

export function createReconcilerHandler(deps: ReconcilerDeps): ReconcilerHandler {
  const logger = deps.logger ?? createLogger();
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

export const handler = createReconcilerHandler({
  pending: new DynamoPendingOrders(tableRef(config)),
  queue: refundQueue(config),
});
