/**
 * Provider refunds (asynchronous outcomes). One lookup item per refund the provider accepted,
 * `REFUND#<providerRefundId>`, written in the same transaction that puts the line `SUBMITTED`
 * or `SETTLED` (`DynamoSettlementStore.settleLine`); it points at the line (account, order,
 * line index) and is never served by the API. While the refund awaits its final answer, and
 * while a refund settled to the card could still fail (the watch window), the item sits in the
 * sparse `pending` index under `SUBMITTED#<shard>`, sorted by when it is next due to be asked
 * about, so the reconciler finds due ones with a key range per shard (never a scan). It leaves
 * the index when the line is credited, or when the watch window is over.
 *
 * A final answer is one transaction: the line's conditional update (+ history entry), the
 * ledger entry's `attribute_not_exists` put when money goes to the balance, and the lookup
 * item leaving the index. Only ordinary item writes, so the table stream sees each transition.
 */
import { QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  LineOutcome,
  ProviderRefundRecord,
  ProviderRefundStore,
  SubmittedRefunds,
  WatchedRefund,
} from '#ports/provider-refunds.ts';
import { shardOf, TABLE } from '#schema/table.ts';
import type { Millis } from '#shared/domain.ts';
import { cancellationReasons, getItem, isConditionFailure, type TableRef } from './client.ts';
import { keys, submittedPartition } from './keys.ts';
import { ledgerPut } from './ledger.ts';
import { withConflictRetry } from './transactions.ts';

const { indexName, partitionKey, sortKey } = TABLE.indexes.pending;

const indexSortKey = (at: Millis, providerRefundId: string) =>
  `${new Date(at).toISOString()}#${providerRefundId}`;

/** The lookup item's Put, for the settlement transaction (on the index from the start). */
export function providerRefundPut(tableName: string, record: ProviderRefundRecord) {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...keys.providerRefund(record.providerRefundId),
        entity: 'PROVIDER_REFUND',
        ...record,
        [partitionKey]: submittedPartition(shardOf(record.providerRefundId)),
        [sortKey]: indexSortKey(record.submittedAt, record.providerRefundId),
      },
      // One refund id belongs to one line: a second line claiming it is a bug, never overwritten.
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

export class DynamoProviderRefunds implements ProviderRefundStore, SubmittedRefunds {
  readonly #table: TableRef;

  constructor(table: TableRef) {
    this.#table = table;
  }

  async find(providerRefundId: string): Promise<ProviderRefundRecord | null> {
    const item = await getItem<ProviderRefundRecord>(this.#table, keys.providerRefund(providerRefundId));
    if (!item) return null;
    return {
      providerRefundId: String(item.providerRefundId),
      accountId: String(item.accountId),
      unsubscribeOrderId: String(item.unsubscribeOrderId),
      orderId: String(item.orderId),
      lineIndex: Number(item.lineIndex),
      submittedAt: Number(item.submittedAt),
    };
  }

  async finishLine(outcome: LineOutcome): Promise<boolean> {
    const { doc, tableName } = this.#table;
    const line = `#lines[${outcome.index}]`;
    const set = [`${line}.#status = :settled`, `${line}.settledTo = :to`];
    const values: Record<string, unknown> = {
      ':settled': 'SETTLED',
      ':to': outcome.settledTo,
      ':orderId': outcome.orderId,
      ':refundId': outcome.providerRefundId,
    };
    const conditions = [`${line}.orderId = :orderId`, `${line}.providerRefundId = :refundId`];
    if (outcome.from === 'SUBMITTED') {
      conditions.push(`${line}.#status = :submitted`);
      values[':submitted'] = 'SUBMITTED';
    } else {
      conditions.push(`${line}.#status = :settled`, `${line}.settledTo = :card`);
      values[':card'] = 'ORIGINAL_PAYMENT_METHOD';
    }
    if (outcome.settledAt !== null) {
      set.push(`${line}.settledAt = :at`);
      values[':at'] = outcome.settledAt;
    }
    if (outcome.failureReason !== null) {
      set.push(`${line}.providerFailure = :reason`);
      values[':reason'] = outcome.failureReason;
    }
    const names: Record<string, string> = { '#status': 'status', '#lines': 'lines' };
    if (outcome.history) {
      set.push('#history = list_append(#history, :entry)');
      names['#history'] = 'history';
      values[':entry'] = [outcome.history];
    }
    try {
      await withConflictRetry(() =>
        doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: keys.unsubscribeOrder(outcome.ref.accountId, outcome.ref.unsubscribeOrderId),
                  UpdateExpression: `SET ${set.join(', ')}`,
                  ConditionExpression: conditions.join(' AND '),
                  ExpressionAttributeNames: names,
                  ExpressionAttributeValues: values,
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: keys.providerRefund(outcome.providerRefundId),
                  // Credited: done for good, off the index. Settled to the card: still watched.
                  UpdateExpression: outcome.credit
                    ? 'SET finishedAt = :now REMOVE #pk, #sk'
                    : 'SET settledAt = :now, #sk = :sk',
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeNames: outcome.credit
                    ? { '#pk': partitionKey, '#sk': sortKey }
                    : { '#sk': sortKey },
                  ExpressionAttributeValues: {
                    ':now': outcome.at,
                    ...(outcome.credit ? {} : { ':sk': indexSortKey(outcome.at, outcome.providerRefundId) }),
                  },
                },
              },
              ...(outcome.credit ? [ledgerPut(tableName, outcome.credit)] : []),
            ],
          }),
        ),
      );
      return true;
    } catch (error) {
      const reasons = cancellationReasons(error);
      // The line moved on (another delivery applied this or a later answer), or it was credited already.
      if (reasons?.[0] === 'ConditionalCheckFailed' || reasons?.[2] === 'ConditionalCheckFailed') {
        return false;
      }
      throw error;
    }
  }

  /** Refunds on the index last asked about strictly before `before`, at most `limit` (spread over the shards). */
  async dueBefore(before: Millis, limit: number): Promise<{ refunds: WatchedRefund[]; more: boolean }> {
    const cutoff = new Date(before).toISOString();
    const perShard = Math.max(1, Math.ceil(limit / TABLE.shards));
    const results = await Promise.all(
      Array.from({ length: TABLE.shards }, (_, shard) => this.#shard(shard, cutoff, perShard)),
    );
    const refunds = results.flatMap((r) => r.refunds);
    return { refunds: refunds.slice(0, limit), more: results.some((r) => r.more) || refunds.length > limit };
  }

  async #shard(shard: number, cutoff: string, limit: number) {
    const { doc, tableName } = this.#table;
    const result = await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: indexName,
        KeyConditionExpression: '#pk = :pk AND #sk < :cutoff',
        ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
        ExpressionAttributeValues: { ':pk': submittedPartition(shard), ':cutoff': cutoff },
        ProjectionExpression: 'providerRefundId, submittedAt',
        Limit: limit,
      }),
    );
    return {
      refunds: (result.Items ?? []).map((item) => ({
        providerRefundId: String(item.providerRefundId),
        submittedAt: Number(item.submittedAt),
      })),
      more: result.LastEvaluatedKey !== undefined,
    };
  }

  /** Moves the item on the index so it is due again at `base` + the reconcile interval (if still on it). */
  async postpone(providerRefundId: string, base: Millis): Promise<void> {
    await this.#ifOnIndex(providerRefundId, 'SET #sk = :sk', { ':sk': indexSortKey(base, providerRefundId) });
  }

  /** The watch window is over: the item leaves the index (it stays as the lookup for late webhooks). */
  async unwatch(providerRefundId: string): Promise<void> {
    await this.#ifOnIndex(providerRefundId, 'REMOVE #pk, #sk', {});
  }

  async #ifOnIndex(providerRefundId: string, update: string, values: Record<string, unknown>) {
    const { doc, tableName } = this.#table;
    try {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.providerRefund(providerRefundId),
          UpdateExpression: update,
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
          ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
        }),
      );
    } catch (error) {
      // Off the index already (credited meanwhile): nothing to move.
      if (!isConditionFailure(error)) throw error;
    }
  }
}
