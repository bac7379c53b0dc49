/**
 * The retention purger (SPEC 3.5), run by an EventBridge schedule; the event's `time` is `now`.
 * Each run is bounded: at most `maxItems` purges, and it stops while a fifth of the invocation's
 * time is still left, leaving the rest for the next run. Returns the run's summary (counts
 * only), which the local runtime's `POST /local/purger-runs` answers with.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { DynamoPurgeStore } from '#adapters/dynamo/purges.ts';
import { DynamoRetainedDataStore } from '#adapters/dynamo/retained-data.ts';
import { readConfig } from '#shared/config.ts';
import { createLogger } from '#shared/logger.ts';
import { type ScheduleEvent, scheduleTime } from '#shared/schedule.ts';
import { tableRef } from '#shared/wiring.ts';
import { type PurgeDeps, type PurgeSummary, purgeRetention } from '#use-cases/purge-retention.ts';

export type PurgerLogger = Pick<Logger, 'info' | 'warn' | 'error' | 'addContext'>;

export interface PurgerDeps extends Omit<PurgeDeps, 'observe'> {
  logger?: PurgerLogger;
  /** Purges per run (default 1000). */
  maxItems?: number;
  /** Stop when less than this share of the invocation's time remains (default 0.2). */
  reserveShare?: number;
}

export type PurgerEvent = ScheduleEvent;
export type PurgerHandler = (event: PurgerEvent, context?: Context) => Promise<PurgeSummary>;

export function createPurgerHandler(deps: PurgerDeps): PurgerHandler {
  const logger = deps.logger ?? createLogger();
  const reserveShare = deps.reserveShare ?? 0.2;
  return async (event, context) => {
    if (context) logger.addContext(context);
    const now = scheduleTime(event);
    const budget = context?.getRemainingTimeInMillis();
    const reserve = budget === undefined ? 0 : Math.max(1_000, budget * reserveShare);
    const summary = await purgeRetention(
      {
        purges: deps.purges,
        data: deps.data,
        observe: (e) => {
          if (e.type === 'PURGE_FAILED') {
            logger.error('Purge failed; left for the next run', {
              instanceId: e.instanceId,
              kind: e.kind,
              error: e.error instanceof Error ? e.error.name : 'Unknown',
            });
          }
        },
      },
      {
        now,
        ...(deps.maxItems !== undefined ? { maxItems: deps.maxItems } : {}),
        ...(context ? { shouldStop: () => context.getRemainingTimeInMillis() < reserve } : {}),
      },
    );
    logger.info('Purger run', { ...summary });
    return summary;
  };
}

const table = tableRef(readConfig());

export const handler = createPurgerHandler({
  purges: new DynamoPurgeStore(table),
  data: new DynamoRetainedDataStore(table),
});
