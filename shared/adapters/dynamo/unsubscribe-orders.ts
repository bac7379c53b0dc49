/**
 * Reads of unsubscribe orders. Their ids start with the creation time in a sortable form
 * (`newUnsubscribeOrderId`), so a creation-time range is a key range: no filter scan.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  isEmptyRange,
  type Page,
  type UnsubscribeOrderQuery,
  type UnsubscribeOrderStore,
} from '#ports/stores.ts';
import { unsubscribeOrderIdTime as timePart } from '#shared/ids.ts';
import type { UnsubscribeOrder } from '#shared/model.ts';
import { getItem, type TableRef } from './client.ts';
import { keys, stripKeys } from './keys.ts';

export class DynamoUnsubscribeOrderStore implements UnsubscribeOrderStore {
  readonly #table: TableRef;

  constructor(table: TableRef) {
    this.#table = table;
  }

  async get(accountId: string, unsubscribeOrderId: string): Promise<UnsubscribeOrder | null> {
    return getItem<UnsubscribeOrder>(this.#table, keys.unsubscribeOrder(accountId, unsubscribeOrderId));
  }

  /** Newest first; `createdFrom` inclusive, `createdTo` exclusive; filtered by instance and status. */
  async list(accountId: string, query: UnsubscribeOrderQuery): Promise<Page<UnsubscribeOrder>> {
    if (isEmptyRange(query.createdFrom, query.createdTo)) return { items: [], cursor: null };
    const { doc, tableName } = this.#table;
    const prefix = `${keys.unsubscribeOrderPrefix}uo-`;
    const low = query.createdFrom === undefined ? prefix : `${prefix}${timePart(query.createdFrom)}`;
    const high = query.createdTo === undefined ? `${prefix}~` : `${prefix}${timePart(query.createdTo)}`;
    const filters: string[] = [];
    const values: Record<string, unknown> = { ':pk': keys.accountPk(accountId), ':low': low, ':high': high };
    if (query.instanceId !== undefined) {
      filters.push('instanceId = :instanceId');
      values[':instanceId'] = query.instanceId;
    }
    if (query.status !== undefined) {
      filters.push('#status = :status');
      values[':status'] = query.status;
    }
    const items: UnsubscribeOrder[] = [];
    let after = query.cursor;
    for (;;) {
      const result = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
          FilterExpression: filters.length > 0 ? filters.join(' AND ') : undefined,
          ExpressionAttributeNames: query.status === undefined ? undefined : { '#status': 'status' },
          ExpressionAttributeValues: values,
          ExclusiveStartKey: after ? { pk: keys.accountPk(accountId), sk: after } : undefined,
          ScanIndexForward: false,
          Limit: Math.max(query.limit, 25),
        }),
      );
      for (const raw of result.Items ?? []) {
        const order = stripKeys<UnsubscribeOrder>(raw);
        // `high` for createdTo is the first id of that millisecond: exclusive by construction,
        // except for the bare prefix compare; keep the exact check here.
        if (query.createdTo !== undefined && order.createdAt >= query.createdTo) continue;
        items.push(order);
        if (items.length === query.limit) {
          return { items, cursor: keys.unsubscribeOrder(accountId, order.unsubscribeOrderId).sk };
        }
      }
      const last = result.LastEvaluatedKey?.sk;
      if (typeof last !== 'string') return { items, cursor: null };
      after = last;
    }
  }
}
