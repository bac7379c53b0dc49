/**
 * The submitted-refund reconciler, run by an EventBridge schedule (the event's `time` is
 * `now`): refunds Stripe accepted as pending that got no final answer within
 * `STRIPE_SUBMITTED_RECONCILE_AFTER`, and refunds settled to the card within
 * `STRIPE_FAILURE_WATCH_DAYS` (they can still fail), are retrieved from Stripe and applied like
 * a webhook (`#use-cases/reconcile-submitted.ts`), so a lost webhook never strands money. With the
 * simulator (no refund is ever `SUBMITTED`) a run does nothing.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { ScheduledEvent } from 'aws-lambda';
import { DynamoProviderRefunds } from '#adapters/dynamo/provider-refunds.ts';
import { DynamoSettlementStore } from '#adapters/dynamo/settlement.ts';
import { serviceClock } from '#shared/clock.ts';
import { readConfig } from '#shared/config.ts';
import { createLogger } from '#shared/logger.ts';
import { stripeRuntime } from '#shared/provider-wiring.ts';
import { scheduleTime } from '#shared/schedule.ts';
import { tableRef } from '#shared/wiring.ts';
import {
  type ReconcileSubmittedDeps,
  type ReconcileSubmittedSummary,
  reconcileSubmitted,
} from '#use-cases/reconcile-submitted.ts';

export interface SubmittedReconcilerDeps extends ReconcileSubmittedDeps {
  afterMs: number;
  watchMs?: number;
  logger?: Pick<Logger, 'info' | 'warn'>;
}

export type SubmittedReconcilerHandler = (
  event: Pick<ScheduledEvent, 'time'>,
) => Promise<ReconcileSubmittedSummary | { skipped: true }>;

export function createSubmittedReconcilerHandler(deps: SubmittedReconcilerDeps): SubmittedReconcilerHandler {
  const logger = deps.logger ?? createLogger();
  return async (event) => {
    const summary = await reconcileSubmitted(deps, {
      now: scheduleTime(event),
      afterMs: deps.afterMs,
      ...(deps.watchMs !== undefined ? { watchMs: deps.watchMs } : {}),
    });
    if (summary.failed > 0) logger.warn('Some submitted refunds could not be checked', { ...summary });
    else logger.info('Submitted-refund reconciler run', { ...summary });
    return summary;
  };
}

const config = readConfig();

async function coldStart(): Promise<SubmittedReconcilerHandler> {
  if (config.paymentProvider !== 'stripe') return async () => ({ skipped: true });
  const { provider } = await stripeRuntime(config);
  const table = tableRef(config);
  const refunds = new DynamoProviderRefunds(table);
  return createSubmittedReconcilerHandler({
    refunds,
    submitted: refunds,
    source: provider,
    orders: new DynamoSettlementStore(table),
    clock: serviceClock,
    afterMs: config.stripe.submittedReconcileAfterMs,
    watchMs: config.stripe.failureWatchMs,
  });
}

export const handler = await coldStart();
