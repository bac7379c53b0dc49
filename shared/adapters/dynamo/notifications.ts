/**
 * The account's contact (`ACCT#<account>` / `CONTACT`, put by billing through an internal route)
 * and the notification log (`ACCT#<account>` / `NOTICE#<eventId>`): a conditional put claims an
 * event before its email is sent, so a redelivered event finds it done. Neither item carries
 * events (their sort keys are not event sources).
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Contact, ContactStore, NotificationLog } from '#ports/notifications.ts';
import type { Millis } from '#shared/domain.ts';
import { isConditionFailure, type TableRef } from './client.ts';
import { keys } from './keys.ts';

const contactKey = (accountId: string) => ({ pk: keys.accountPk(accountId), sk: 'CONTACT' });
const noticeKey = (accountId: string, eventId: string) => ({
  pk: keys.accountPk(accountId),
  sk: `NOTICE#${eventId}`,
});

export class DynamoContactStore implements ContactStore {
  readonly #table: TableRef;

  constructor(table: TableRef) {
    this.#table = table;
  }

  async get(accountId: string): Promise<Contact | null> {
    const { doc, tableName } = this.#table;
    const result = await doc.send(
      new GetCommand({ TableName: tableName, Key: contactKey(accountId), ConsistentRead: true }),
    );
    if (!result.Item) return null;
    const { email, name } = result.Item as { email: string; name?: string };
    return name === undefined ? { email } : { email, name };
  }

  async put(accountId: string, contact: Contact, now: Millis): Promise<void> {
    const { doc, tableName } = this.#table;
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...contactKey(accountId), entity: 'CONTACT', accountId, ...contact, updatedAt: now },
      }),
    );
  }
}

export class DynamoNotificationLog implements NotificationLog {
  readonly #table: TableRef;

  constructor(table: TableRef) {
    this.#table = table;
  }

  async claim(accountId: string, eventId: string, owner: string, now: Millis, leaseMs: number) {
    const { doc, tableName } = this.#table;
    try {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...noticeKey(accountId, eventId),
            entity: 'NOTICE',
            status: 'SENDING',
            owner,
            until: now + leaseMs,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR (#status = :sending AND #until < :now)',
          ExpressionAttributeNames: { '#status': 'status', '#until': 'until' },
          ExpressionAttributeValues: { ':sending': 'SENDING', ':now': now },
        }),
      );
      return 'claimed' as const;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await doc.send(
        new GetCommand({ TableName: tableName, Key: noticeKey(accountId, eventId), ConsistentRead: true }),
      );
      return existing.Item?.status === 'SENDING' ? ('busy' as const) : ('done' as const);
    }
  }

  async complete(
    accountId: string,
    eventId: string,
    outcome: { kind: string; status: 'SENT' | 'SKIPPED'; messageId?: string; reason?: string; at: Millis },
  ): Promise<void> {
    const { doc, tableName } = this.#table;
    await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: noticeKey(accountId, eventId),
        UpdateExpression:
          'SET #status = :status, kind = :kind, #at = :at, messageId = :messageId, reason = :reason REMOVE #owner, #until',
        ExpressionAttributeNames: { '#status': 'status', '#at': 'at', '#owner': 'owner', '#until': 'until' },
        ExpressionAttributeValues: {
          ':status': outcome.status,
          ':kind': outcome.kind,
          ':at': outcome.at,
          ':messageId': outcome.messageId ?? null,
          ':reason': outcome.reason ?? null,
        },
      }),
    );
  }

  async release(accountId: string, eventId: string, owner: string): Promise<void> {
    const { doc, tableName } = this.#table;
    try {
      await doc.send(
        new DeleteCommand({
          TableName: tableName,
          Key: noticeKey(accountId, eventId),
          ConditionExpression: '#status = :sending AND #owner = :owner',
          ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
          ExpressionAttributeValues: { ':sending': 'SENDING', ':owner': owner },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
