/**
 * Credit notes in the table, numbered without gaps or reuse.
 *
 * | item                    | pk                          | sk                                      |
 * |-------------------------|-----------------------------|-----------------------------------------|
 * | credit note             | ACCT#<account>              | CNOTE#<unsubscribeOrderId>              |
 * | draft waiting for a no. | CNWAIT#<issuer>             | <acceptedAt ISO>#<account>#<uoId>       |
 * | series counter          | CNSEQ#<issuer>#<year>       | CNSEQ                                   |
 * | number claim            | CNSEQ#<issuer>#<year>       | NO#<sequence, 12 digits>                |
 *
 * A note is first put as a draft (no number), keyed by its unsubscribe order, together with its
 * place in the issuer's waiting list; `attribute_not_exists` makes a redelivered or concurrent
 * issuance find the note instead of making another. Numbers are then given in one transaction
 * that (1) moves the series counter from n to n+k only if it is still n, (2) writes n+1…n+k
 * onto k waiting drafts only if they have no number, (3) removes them from the waiting list
 * and (4) claims each number only if unclaimed. Either all of it commits or none: a crash
 * before or after leaves no number used without a note and no note with two numbers; a
 * concurrent numbering makes the condition on the counter fail and this one writes nothing.
 * Whoever numbers next numbers every waiting draft, so a draft whose own issuance crashed
 * is numbered by the next one.
 *
 * Concurrent issuances take turns through a lease item (`CNSEQ#<issuer>` / `LEASE`, expiring):
 * its holder numbers everything waiting while the others only read their note. The lease is
 * for throughput, not correctness: a holder that dies leaves it to expire, and two holders
 * (a clock jump) still cannot break the counter's condition.
 */
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { toIso } from '#policy/time.ts';
import type { CreditNoteStore } from '#ports/credit-notes.ts';
import type { Millis } from '#shared/domain.ts';
import {
  type CreditNoteContent,
  type CreditNoteDocument,
  type CreditNoteRecord,
  creditNoteNumber,
  seriesYear,
} from '#shared/paperwork/credit-note.ts';
import { cancellationReasons, isConditionFailure, type TableRef } from './client.ts';
import { keys, stripKeys } from './keys.ts';

/** Drafts numbered per transaction: 1 counter + 3 items each stays under DynamoDB's 100. */
export const NUMBERING_BATCH = 25;

export const creditNoteKeys = {
  note: (accountId: string, unsubscribeOrderId: string) => ({
    pk: keys.accountPk(accountId),
    sk: `CNOTE#${unsubscribeOrderId}`,
  }),
  waiting: (issuerId: string, acceptedAt: Millis, accountId: string, unsubscribeOrderId: string) => ({
    pk: `CNWAIT#${issuerId}`,
    sk: `${toIso(acceptedAt)}#${accountId}#${unsubscribeOrderId}`,
  }),
  waitingPk: (issuerId: string) => `CNWAIT#${issuerId}`,
  counter: (issuerId: string, year: number) => ({ pk: `CNSEQ#${issuerId}#${year}`, sk: 'CNSEQ' }),
  lease: (issuerId: string) => ({ pk: `CNSEQ#${issuerId}`, sk: 'LEASE' }),
  claim: (issuerId: string, year: number, sequence: number) => ({
    pk: `CNSEQ#${issuerId}#${year}`,
    sk: `NO#${String(sequence).padStart(12, '0')}`,
  }),
};

interface WaitingItem {
  pk: string;
  sk: string;
  accountId: string;
  unsubscribeOrderId: string;
}

interface CounterItem {
  last: number;
  lastIssuedAt: Millis;
}

export class DynamoCreditNoteStore implements CreditNoteStore {
  readonly #table: TableRef;

  constructor(table: TableRef) {
    this.#table = table;
  }

  async get(accountId: string, unsubscribeOrderId: string): Promise<CreditNoteRecord | null> {
    const { doc, tableName } = this.#table;
    const result = await doc.send(
      new GetCommand({
        TableName: tableName,
        Key: creditNoteKeys.note(accountId, unsubscribeOrderId),
        ConsistentRead: true,
      }),
    );
    return result.Item ? stripKeys<CreditNoteRecord>(result.Item) : null;
  }

  async draft(content: CreditNoteContent): Promise<boolean> {
    const { doc, tableName } = this.#table;
    const note: CreditNoteRecord = {
      ...content,
      number: null,
      sequence: null,
      year: null,
      issuedAt: null,
      document: null,
    };
    try {
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...creditNoteKeys.note(content.accountId, content.unsubscribeOrderId),
                  entity: 'CREDIT_NOTE',
                  ...note,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...creditNoteKeys.waiting(
                    content.issuer.id,
                    content.acceptedAt,
                    content.accountId,
                    content.unsubscribeOrderId,
                  ),
                  entity: 'CREDIT_NOTE_WAITING',
                  accountId: content.accountId,
                  unsubscribeOrderId: content.unsubscribeOrderId,
                },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons?.[0] === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }

  async numberWaiting(issuerId: string, now: Millis): Promise<number | 'conflict'> {
    const { doc, tableName } = this.#table;
    const waiting = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': creditNoteKeys.waitingPk(issuerId) },
        ConsistentRead: true,
        Limit: NUMBERING_BATCH,
      }),
    );
    const drafts = (waiting.Items ?? []) as WaitingItem[];
    if (drafts.length === 0) return 0;

    const year = seriesYear(now);
    const counterKey = creditNoteKeys.counter(issuerId, year);
    const counter = (
      await doc.send(new GetCommand({ TableName: tableName, Key: counterKey, ConsistentRead: true }))
    ).Item as CounterItem | undefined;
    const last = counter?.last ?? 0;
    // Issue dates never go backwards within a series (a Lambda's clock may be a little behind another's).
    const issuedAt = Math.max(now, counter?.lastIssuedAt ?? now);
    const next = last + drafts.length;

    const numbering = drafts.flatMap((draft, index) => {
      const sequence = last + 1 + index;
      return [
        {
          Update: {
            TableName: tableName,
            Key: creditNoteKeys.note(draft.accountId, draft.unsubscribeOrderId),
            UpdateExpression: 'SET #number = :number, #sequence = :sequence, #year = :year, issuedAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND attribute_type(#number, :null)',
            ExpressionAttributeNames: { '#number': 'number', '#sequence': 'sequence', '#year': 'year' },
            ExpressionAttributeValues: {
              ':number': creditNoteNumber(year, sequence),
              ':sequence': sequence,
              ':year': year,
              ':at': issuedAt,
              ':null': 'NULL',
            },
          },
        },
        {
          Delete: {
            TableName: tableName,
            Key: { pk: draft.pk, sk: draft.sk },
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: {
              ...creditNoteKeys.claim(issuerId, year, sequence),
              entity: 'CREDIT_NOTE_NUMBER',
              accountId: draft.accountId,
              unsubscribeOrderId: draft.unsubscribeOrderId,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ];
    });
    try {
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName,
                Key: counterKey,
                UpdateExpression: 'SET #last = :next, lastIssuedAt = :at',
                ConditionExpression: last === 0 ? 'attribute_not_exists(#last)' : '#last = :last',
                ExpressionAttributeNames: { '#last': 'last' },
                ExpressionAttributeValues: {
                  ':next': next,
                  ':at': issuedAt,
                  ...(last === 0 ? {} : { ':last': last }),
                },
              },
            },
            ...numbering,
          ],
        }),
      );
      return drafts.length;
    } catch (error) {
      if (cancellationReasons(error)) return 'conflict';
      throw error;
    }
  }

  async lease(issuerId: string, owner: string, now: Millis, ms: number): Promise<boolean> {
    const { doc, tableName } = this.#table;
    try {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...creditNoteKeys.lease(issuerId), owner, expiresAt: now + ms },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR #owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':now': now, ':owner': owner },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async release(issuerId: string, owner: string): Promise<void> {
    const { doc, tableName } = this.#table;
    try {
      await doc.send(
        new DeleteCommand({
          TableName: tableName,
          Key: creditNoteKeys.lease(issuerId),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async setDocument(
    accountId: string,
    unsubscribeOrderId: string,
    document: CreditNoteDocument,
  ): Promise<void> {
    const { doc, tableName } = this.#table;
    try {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: creditNoteKeys.note(accountId, unsubscribeOrderId),
          UpdateExpression: 'SET #document = :document',
          ConditionExpression:
            'attribute_exists(pk) AND attribute_type(#document, :null) AND NOT attribute_type(#number, :null)',
          ExpressionAttributeNames: { '#document': 'document', '#number': 'number' },
          ExpressionAttributeValues: { ':document': document, ':null': 'NULL' },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
