/**
 * Provider refunds (asynchronous outcomes). One lookup item per refund the provider accepted,
 * `REFUND#<providerRefundId>`, written in the same transaction that puts the line `SUBMITTED`
 * or `SETTLED` (`DynamoSettlementStore.settleLine`); it points at the line (account, order,
 * line index) and is never served by the API. While the refund awaits its final answer the
 * item sits in the sparse `pending` index under `SUBMITTED#<shard>`, sorted by submission time,
 * so the reconciler finds overdue ones with a key range per shard (never a scan).
 *
 * A final answer is one transaction: the line's conditional update (+ history entry), the
 * ledger entry's `attribute_not_exists` put when money goes to the balance, and the lookup
 * item leaving the index. Only ordinary item writes, so the table stream sees each transition.
 */
import { QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { shardOf, TABLE } from '#schema/table.ts';
import type { Millis } from '#shared/domain.ts';
import type {
  LineOutcome,
  ProviderRefundRecord,
  ProviderRefundStore,
} from '#use-cases/apply-refund-update.ts';
import type { SubmittedRefunds } from '#use-cases/reconcile-submitted.ts';
import { cancellationReasons, getItem, type TableRef } from './client.ts';
import { keys, submittedPartition } from './keys.ts';
import { ledgerPut } from './ledger.ts';
import { withConflictRetry } from './transactions.ts';

const { indexName, partitionKey, sortKey } = TABLE.indexes.pending;

/** The lookup item's Put, for the settlement transaction; `awaiting` puts it on the index. */
export function providerRefundPut(tableName: string, record: ProviderRefundRecord & { awaiting: boolean }) {
  const { awaiting, ...fields } = record;
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...keys.providerRefund(record.providerRefundId),
        entity: 'PROVIDER_REFUND',
        ...fields,
        ...(awaiting
          ? {
              [partitionKey]: submittedPartition(shardOf(record.providerRefundId)),
              [sortKey]: `${new Date(record.submittedAt).toISOString()}#${record.providerRefundId}`,
            }
          : {}),
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
                  UpdateExpression: `SET finishedAt = :now REMOVE ${partitionKey}, ${sortKey}`,
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeValues: { ':now': outcome.at },
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

  /** Refunds on the index submitted strictly before `before`, at most `limit` (spread over the shards). */
  async submittedBefore(before: Millis, limit: number): Promise<{ refundIds: string[]; more: boolean }> {
    const cutoff = new Date(before).toISOString();
    const perShard = Math.max(1, Math.ceil(limit / TABLE.shards));
    const results = await Promise.all(
      Array.from({ length: TABLE.shards }, (_, shard) => this.#shard(shard, cutoff, perShard)),
    );
    const refundIds = results.flatMap((r) => r.refundIds);
    return {
      refundIds: refundIds.slice(0, limit),
      more: results.some((r) => r.more) || refundIds.length > limit,
    };
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
        ProjectionExpression: 'providerRefundId',
        Limit: limit,
      }),
    );
    return {
      refundIds: (result.Items ?? []).map((item) => String(item.providerRefundId)),
      more: result.LastEvaluatedKey !== undefined,
    };
  }

  /** Records that the reconciler asked the provider (moves the item later on the index, so others get their turn). */
  async postpone(providerRefundId: string, until: Millis): Promise<void> {
    const { doc, tableName } = this.#table;
    await doc
      .send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.providerRefund(providerRefundId),
          UpdateExpression: 'SET #sk = :sk',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
          ExpressionAttributeValues: { ':sk': `${new Date(until).toISOString()}#${providerRefundId}` },
        }),
      )
      .catch((error: unknown) => {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      });
  }
}
