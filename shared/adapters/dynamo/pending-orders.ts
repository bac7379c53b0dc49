/**
 * The reconciler's work list: unsubscribe orders still `PENDING`, found through the sparse
 * `pending` index (`PENDING#<shard>`, sort key `<createdAt ISO>#<id>`). A creation-time cutoff
 * is a sort-key range per shard: the cost is proportional to the stranded orders, never a scan.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { PendingOrders } from '#ports/pending-orders.ts';
import { TABLE } from '#schema/table.ts';
import type { Millis } from '#shared/domain.ts';
import type { RefundMessage } from '#shared/model.ts';
import type { TableRef } from './client.ts';
import { pendingPartition } from './keys.ts';

const { indexName, partitionKey, sortKey } = TABLE.indexes.pending;

export class DynamoPendingOrders implements PendingOrders {
  readonly #table: TableRef;

  constructor(table: TableRef) {
    this.#table = table;
  }

  /** Queries every shard for `pendingSk < <cutoff ISO>` (an order created exactly at the cutoff is not older). */
  async createdBefore(
    createdBefore: Millis,
    limit: number,
  ): Promise<{ orders: RefundMessage[]; more: boolean }> {
    const cutoff = new Date(createdBefore).toISOString();
    const perShard = Math.max(1, Math.ceil(limit / TABLE.shards));
    const shards = Array.from({ length: TABLE.shards }, (_, shard) => this.#shard(shard, cutoff, perShard));
    const results = await Promise.all(shards);
    return {
      orders: results.flatMap((r) => r.orders).slice(0, limit),
      more: results.some((r) => r.more) || results.reduce((n, r) => n + r.orders.length, 0) > limit,
    };
  }

  async #shard(
    shard: number,
    cutoff: string,
    limit: number,
  ): Promise<{ orders: RefundMessage[]; more: boolean }> {
    const { doc, tableName } = this.#table;
    const orders: RefundMessage[] = [];
    let after: Record<string, unknown> | undefined;
    do {
      const result = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: indexName,
          KeyConditionExpression: '#pk = :pk AND #sk < :cutoff',
          ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
          ExpressionAttributeValues: { ':pk': pendingPartition(shard), ':cutoff': cutoff },
          ProjectionExpression: 'accountId, unsubscribeOrderId',
          ExclusiveStartKey: after,
          Limit: limit - orders.length,
        }),
      );
      for (const item of result.Items ?? []) {
        orders.push({
          accountId: String(item.accountId),
          unsubscribeOrderId: String(item.unsubscribeOrderId),
        });
      }
      after = result.LastEvaluatedKey;
    } while (after && orders.length < limit);
    return { orders, more: after !== undefined };
  }
}
