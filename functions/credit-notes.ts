/**
 * Issues the credit note of each accepted unsubscribe order (EventBridge rule on
 * `UnsubscribeOrderAccepted`): numbers it, renders its PDF and stores it in the private
 * credit-note bucket. Redelivered events find the note issued (`#use-cases/issue-credit-note.ts`).
 * A failure throws: the rule's target retries the event, then leaves it in its dead-letter queue.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoCreditNoteStore } from '#adapters/dynamo/credit-notes.ts';
import { DynamoInstanceStore } from '#adapters/dynamo/instances.ts';
import { DynamoUnsubscribeOrderStore } from '#adapters/dynamo/unsubscribe-orders.ts';
import { renderCreditNotePdf } from '#adapters/pdf/credit-note-pdf.ts';
import { S3DocumentStore, s3Client } from '#adapters/s3-documents.ts';
import { serviceClock } from '#shared/clock.ts';
import { readConfig } from '#shared/config.ts';
import type { DomainEvent } from '#shared/events/derive.ts';
import { logger } from '#shared/logger.ts';
import { readBucket, readIssuer } from '#shared/paperwork-config.ts';
import { type IssueCreditNoteDeps, issueCreditNote } from '#use-cases/issue-credit-note.ts';

export type DomainEventBridgeEvent = EventBridgeEvent<string, DomainEvent>;

export function createHandler(deps: IssueCreditNoteDeps) {
  return async (event: DomainEventBridgeEvent): Promise<{ number: string }> => {
    const { accountId, data, type } = event.detail;
    if (type !== 'UnsubscribeOrderAccepted') throw new Error(`unexpected event type ${type}`);
    const note = await issueCreditNote(deps, accountId, String(data.unsubscribeOrderId));
    logger.info('credit note issued', {
      unsubscribeOrderId: note.unsubscribeOrderId,
      number: note.number,
      eventId: event.detail.id,
    });
    return { number: note.number };
  };
}

const table = { doc: documentClient(), tableName: readConfig().tableName };
export const handler = createHandler({
  notes: new DynamoCreditNoteStore(table),
  documents: new S3DocumentStore(s3Client(), readBucket('CREDIT_NOTES_BUCKET')),
  render: renderCreditNotePdf,
  unsubscribeOrders: new DynamoUnsubscribeOrderStore(table),
  instances: new DynamoInstanceStore(table),
  issuer: readIssuer(),
  clock: serviceClock.now,
});
