/**
 * Posts the journal entry of each money fact (EventBridge rule on UnsubscribeOrderAccepted,
 * RefundLineSettled, AccountBalanceCredited and AccountBalanceAdjusted), once per event id
 * (`#use-cases/journal.ts`). Logs the outcome and ids only. A failure throws: the rule's target
 * retries the event, then leaves it in its dead-letter queue.
 */
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoJournal } from '#adapters/dynamo/journal.ts';
import { serviceClock } from '#shared/clock.ts';
import { readConfig } from '#shared/config.ts';
import { logger } from '#shared/logger.ts';
import { readChart } from '#shared/paperwork-config.ts';
import { type JournalDeps, postFact } from '#use-cases/journal.ts';
import type { DomainEventBridgeEvent } from './credit-notes.ts';

export function createHandler(deps: JournalDeps) {
  return async (event: DomainEventBridgeEvent): Promise<{ outcome: string }> => {
    const outcome = await postFact(deps, event.detail);
    logger.info('journal posting', { eventId: event.detail.id, type: event.detail.type, outcome });
    return { outcome };
  };
}

export const handler = createHandler({
  journal: new DynamoJournal({ doc: documentClient(), tableName: readConfig().tableName }),
  chart: readChart(),
  clock: serviceClock.now,
});
