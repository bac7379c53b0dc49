/**
 * Customer emails (EventBridge rule on UnsubscribeOrderAccepted, UnsubscribeOrderSucceeded and
 * AccountBalanceCredited): once per event id, through SES v2 in the cloud and the local SMTP
 * server locally (`#use-cases/notify-customer.ts`). Logs the outcome, never the address.
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoCreditNoteStore } from '#adapters/dynamo/credit-notes.ts';
import { DynamoInstanceStore } from '#adapters/dynamo/instances.ts';
import { DynamoContactStore, DynamoNotificationLog } from '#adapters/dynamo/notifications.ts';
import { DynamoUnsubscribeOrderStore } from '#adapters/dynamo/unsubscribe-orders.ts';
import { S3DocumentStore, s3Client } from '#adapters/s3-documents.ts';
import { SesMailer } from '#adapters/ses-mailer.ts';
import { SmtpMailer } from '#adapters/smtp-mailer.ts';
import { serviceClock } from '#shared/clock.ts';
import { readConfig } from '#shared/config.ts';
import { logger } from '#shared/logger.ts';
import { readBucket, readMailConfig } from '#shared/paperwork-config.ts';
import { type NotifyDeps, notifyCustomer } from '#use-cases/notify-customer.ts';
import type { DomainEventBridgeEvent } from './credit-notes.ts';

export function createHandler(deps: NotifyDeps) {
  return async (event: DomainEventBridgeEvent): Promise<{ outcome: string }> => {
    const outcome = await notifyCustomer(deps, event.detail);
    logger.info('customer notice', { eventId: event.detail.id, type: event.detail.type, outcome });
    return { outcome };
  };
}

const mail = readMailConfig();
const table = { doc: documentClient(), tableName: readConfig().tableName };
export const handler = createHandler({
  log: new DynamoNotificationLog(table),
  contacts: new DynamoContactStore(table),
  mailer:
    mail.transport === 'smtp'
      ? new SmtpMailer(String(mail.smtpUrl))
      : new SesMailer(new SESv2Client({}), mail.sesConfigurationSet),
  from: mail.from,
  unsubscribeOrders: new DynamoUnsubscribeOrderStore(table),
  instances: new DynamoInstanceStore(table),
  notes: new DynamoCreditNoteStore(table),
  documents: new S3DocumentStore(s3Client(), readBucket('CREDIT_NOTES_BUCKET')),
  clock: serviceClock.now,
});
