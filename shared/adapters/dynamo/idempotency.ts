/**
 * Idempotency-Key records (SPEC 3.3), kept in the same table so that completing one is part
 * of the business transaction (`executions.ts`): a response is stored if and only if its
 * effects committed.
 *
 * A record is IN_PROGRESS while its request runs (a lock that lapses after LOCK_MS, in case
 * the function died), COMPLETED with the response afterwards, and lives 24 hours.
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { IdempotencyBegin, IdempotencyStore, StoredResponse } from '#ports/stores.ts';
import type { Millis } from '#shared/domain.ts';
import { isConditionFailure, type TableRef } from './client.ts';
import { type Key, keys } from './keys.ts';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;
/** Longer than any function timeout, so a live request is never taken over. */
export const LOCK_MS = 60_000;

interface IdempotencyItem {
  fingerprint: string;
  status: 'IN_PROGRESS' | 'COMPLETED';
  lockedUntil?: Millis;
  expiresAt: Millis;
  response?: StoredResponse;
}

export class DynamoIdempotencyStore implements IdempotencyStore {
  readonly #table: TableRef;
  readonly #keyOf: (owner: string, key: string) => Key;

  /** `keyOf` places the records: per account by default; the back office keys them per operator. */
  constructor(table: TableRef, keyOf: (owner: string, key: string) => Key = keys.idempotency) {
    this.#table = table;
    this.#keyOf = keyOf;
  }

  async begin(accountId: string, key: string, fingerprint: string, now: Millis): Promise<IdempotencyBegin> {
    const { doc, tableName } = this.#table;
    const expiresAt = now + IDEMPOTENCY_TTL_MS;
    try {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...this.#keyOf(accountId, key),
            entity: 'IDEMPOTENCY',
            fingerprint,
            status: 'IN_PROGRESS',
            lockedUntil: now + LOCK_MS,
            expiresAt,
            ttl: Math.ceil(expiresAt / 1000),
          },
          ConditionExpression:
            'attribute_not_exists(pk) OR expiresAt <= :now OR (#status = :inProgress AND lockedUntil <= :now AND fingerprint = :fp)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':now': now, ':inProgress': 'IN_PROGRESS', ':fp': fingerprint },
        }),
      );
      return { state: 'STARTED' };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const existing = await doc.send(
      new GetCommand({ TableName: tableName, Key: this.#keyOf(accountId, key), ConsistentRead: true }),
    );
    const item = existing.Item as IdempotencyItem | undefined;
    // Gone in between (released by a failed first attempt): the caller may simply retry.
    if (!item) return { state: 'IN_PROGRESS' };
    if (item.fingerprint !== fingerprint) return { state: 'MISMATCH' };
    if (item.status === 'COMPLETED' && item.response)
      return { state: 'REPLAY', response: { body: item.response.body } };
    return { state: 'IN_PROGRESS' };
  }

  async release(accountId: string, key: string, fingerprint: string): Promise<void> {
    const { doc, tableName } = this.#table;
    try {
      await doc.send(
        new DeleteCommand({
          TableName: tableName,
          Key: this.#keyOf(accountId, key),
          ConditionExpression: '#status = :inProgress AND fingerprint = :fp',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':inProgress': 'IN_PROGRESS', ':fp': fingerprint },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
