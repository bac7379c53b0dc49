/**
 * The domain-event publisher: triggered by the table's DynamoDB stream (NEW_AND_OLD_IMAGES),
 * it derives each committed change's events (`#shared/events/derive.ts`) and puts them on the
 * EventBridge bus, in stream order. The event source mapping has `ReportBatchItemFailures`:
 * the first record not wholly published is reported, so the stream re-delivers from it (and
 * the records after it); what was accepted before is not put again. A record that keeps
 * failing ends, after the mapping's retries, in the on-failure queue.
 *
 * `createEventPublisherHandler(deps)` builds a handler around an injected bus (tests, the local
 * runtime's bus); `handler` is the Lambda entry, wired at cold start with EVENT_BUS_NAME.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { EventBridgeBus } from '#adapters/eventbridge-bus.ts';
import type { EventBus } from '#ports/event-bus.ts';
import { readEventBusConfig } from '#shared/config.ts';
import { eventsFromRecord } from '#shared/events/from-record.ts';
import { createLogger, errorFacts } from '#shared/logger.ts';
import { type ChangeRecord, publishChanges } from '#use-cases/publish-events.ts';

export type PublisherLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error' | 'addContext'>;

export interface EventPublisherDeps {
  bus: EventBus;
  logger?: PublisherLogger;
}

export type EventPublisherHandler = (
  event: DynamoDBStreamEvent,
  context?: Context,
) => Promise<DynamoDBBatchResponse>;

export function createEventPublisherHandler(deps: EventPublisherDeps): EventPublisherHandler {
  const logger = deps.logger ?? createLogger();
  return async (event, context) => {
    if (context) logger.addContext(context);
    const records: ChangeRecord[] = [];
    let underivable: string | undefined;
    for (const record of event.Records) {
      const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
      try {
        records.push({ sequenceNumber, events: eventsFromRecord(record) });
      } catch (error) {
        // A bug, not bad luck: stop here so it is retried, then parked in the on-failure queue.
        logger.error('Could not derive the events of a stream record', {
          sequenceNumber,
          ...errorFacts(error),
        });
        underivable = sequenceNumber;
        break;
      }
    }
    const outcome = await publishChanges(deps.bus, records);
    // One line per batch (counts by type); each event's id and type at DEBUG (what consumers de-duplicate by).
    if (outcome.published.length > 0) {
      const types: Record<string, number> = {};
      for (const e of outcome.published) types[e.type] = (types[e.type] ?? 0) + 1;
      logger.info('Domain events published', { count: outcome.published.length, types });
    }
    for (const e of outcome.published)
      logger.debug('Domain event published', { eventId: e.id, type: e.type });
    const failedAt = outcome.failedAt ?? underivable;
    if (outcome.failedAt) {
      logger.warn('Publishing stopped; the stream re-delivers from this record', {
        sequenceNumber: outcome.failedAt,
        ...errorFacts(outcome.failure),
      });
    }
    return { batchItemFailures: failedAt === undefined ? [] : [{ itemIdentifier: failedAt }] };
  };
}

const config = readEventBusConfig();

export const handler = createEventPublisherHandler({
  bus: new EventBridgeBus(new EventBridgeClient({}), config.eventBusName),
});
