/**
 * Instances (with their orders embedded: one item, one read, one conditional write),
 * order-id claims and quota lookups.
 */
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { QuotaUse } from '#policy/derivation.ts';
import { pendingRenewals } from '#policy/renewal.ts';
import {
  type InstanceQuery,
  type InstanceStore,
  isEmptyRange,
  type OrderClaim,
  type Page,
  type QuotaStore,
} from '#ports/stores.ts';
import type { DataKind, InstanceRecord } from '#shared/model.ts';
import { cancellationReasons, getItem, type TableRef } from './client.ts';
import { keys, stripKeys } from './keys.ts';
import { withConflictRetry } from './transactions.ts';

const DATA_KINDS: readonly DataKind[] = ['CONFIG', 'LOG'];
const QUERY_PAGE = 100;

export class DynamoInstanceStore implements InstanceStore, QuotaStore {
  readonly #table: TableRef;

  constructor(table: TableRef) {
    this.#table = table;
  }

  async get(accountId: string, instanceId: string): Promise<InstanceRecord | null> {
    return getItem<InstanceRecord>(this.#table, keys.instance(accountId, instanceId));
  }

  /**
   * One account's instances in instance-id order. Status, order-time and pending-renewal
   * filters are applied here (both need the embedded orders), reading on until `limit` match:
   * a filtered page costs reads of the account's instances up to its last match.
   */
  async list(accountId: string, query: InstanceQuery): Promise<Page<InstanceRecord>> {
    if (isEmptyRange(query.orderTimeFrom, query.orderTimeTo)) return { items: [], cursor: null };
    if (query.instanceId !== undefined) {
      const instance = await this.get(accountId, query.instanceId);
      return { items: instance && matches(instance, query) ? [instance] : [], cursor: null };
    }
    const { doc, tableName } = this.#table;
    const items: InstanceRecord[] = [];
    let after = query.cursor;
    for (;;) {
      const result = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':prefix': keys.instancePrefix },
          ExclusiveStartKey: after ? { pk: keys.accountPk(accountId), sk: after } : undefined,
          Limit: QUERY_PAGE,
        }),
      );
      for (const raw of result.Items ?? []) {
        const instance = stripKeys<InstanceRecord>(raw);
        if (!matches(instance, query)) continue;
        items.push(instance);
        if (items.length === query.limit) {
          return { items, cursor: keys.instance(accountId, instance.instanceId).sk };
        }
      }
      const last = result.LastEvaluatedKey?.sk;
      if (typeof last !== 'string') return { items, cursor: null };
      after = last;
    }
  }

  async getOrderClaim(accountId: string, orderId: string): Promise<OrderClaim | null> {
    const { doc, tableName } = this.#table;
    const result = await doc.send(
      new GetCommand({
        TableName: tableName,
        Key: keys.orderClaim(accountId, orderId),
        ConsistentRead: true,
      }),
    );
    if (!result.Item) return null;
    return { instanceId: String(result.Item.instanceId), fingerprint: String(result.Item.fingerprint) };
  }

  async create(instance: InstanceRecord, claim: OrderClaim): Promise<boolean> {
    const { doc, tableName } = this.#table;
    const { accountId, instanceId } = instance;
    const newOrder = instance.orders[0];
    if (!newOrder) throw new Error('an instance is created with its NEW order');
    const write = doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName,
              Item: { ...keys.instance(accountId, instanceId), entity: 'INSTANCE', ...instance },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: tableName,
              Item: { ...keys.orderClaim(accountId, newOrder.orderId), entity: 'ORDER_CLAIM', ...claim },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          // The instance's retained data in this service's store (what the purger deletes).
          ...DATA_KINDS.map((kind) => ({
            Put: {
              TableName: tableName,
              Item: {
                ...keys.retainedData(accountId, instanceId, kind),
                entity: 'RETAINED_DATA',
                accountId,
                instanceId,
                kind,
                data: { createdAt: instance.createdAt },
              },
            },
          })),
        ],
      }),
    );
    try {
      await write;
      return true;
    } catch (error) {
      // The instance or the order claim appeared meanwhile (or the items were contended): re-read.
      if (cancellationReasons(error) !== undefined) return false;
      throw error;
    }
  }

  async replace(
    instance: InstanceRecord,
    expectedVersion: number,
    extra: { claim?: { orderId: string } & OrderClaim; cancelPurges?: readonly DataKind[] } = {},
  ): Promise<boolean> {
    const { doc, tableName } = this.#table;
    const { accountId, instanceId } = instance;
    const { claim, cancelPurges = [] } = extra;
    try {
      await withConflictRetry(() =>
        doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...keys.instance(accountId, instanceId),
                    entity: 'INSTANCE',
                    ...instance,
                    version: expectedVersion + 1,
                  },
                  ConditionExpression: 'version = :v',
                  ExpressionAttributeValues: { ':v': expectedVersion },
                },
              },
              ...(claim
                ? [
                    {
                      Put: {
                        TableName: tableName,
                        Item: {
                          ...keys.orderClaim(accountId, claim.orderId),
                          entity: 'ORDER_CLAIM',
                          instanceId: claim.instanceId,
                          fingerprint: claim.fingerprint,
                        },
                        ConditionExpression: 'attribute_not_exists(pk)',
                      },
                    },
                  ]
                : []),
              ...cancelPurges.map((kind) => ({
                Delete: { TableName: tableName, Key: keys.purge(accountId, instanceId, kind) },
              })),
            ],
          }),
        ),
      );
      return true;
    } catch (error) {
      if (cancellationReasons(error)?.includes('ConditionalCheckFailed')) return false;
      throw error;
    }
  }

  async usage(accountId: string, product: string, year: number): Promise<QuotaUse | null> {
    const { doc, tableName } = this.#table;
    const result = await doc.send(
      new GetCommand({
        TableName: tableName,
        Key: keys.quota(accountId, product, year),
        ConsistentRead: true,
        ProjectionExpression: 'unsubscribeOrderId, instanceId, usedAt',
      }),
    );
    const item = result.Item;
    if (!item) return null;
    return {
      unsubscribeOrderId: String(item.unsubscribeOrderId),
      instanceId: String(item.instanceId),
      usedAt: Number(item.usedAt),
    };
  }

  /** Test and seeding helper: writes an instance as-is (no conditions). */
  async put(instance: InstanceRecord): Promise<void> {
    const { doc, tableName } = this.#table;
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...keys.instance(instance.accountId, instance.instanceId), entity: 'INSTANCE', ...instance },
      }),
    );
  }
}

function matches(instance: InstanceRecord, query: InstanceQuery): boolean {
  if (query.status !== undefined && instance.status !== query.status) return false;
  if (query.pendingRenewal !== undefined) {
    const { present, now } = query.pendingRenewal;
    const pending = instance.status === 'ACTIVE' && pendingRenewals(instance.orders, now).length > 0;
    if (pending !== present) return false;
  }
  const from = query.orderTimeFrom ?? Number.NEGATIVE_INFINITY;
  const to = query.orderTimeTo ?? Number.POSITIVE_INFINITY;
  if (query.orderTimeFrom === undefined && query.orderTimeTo === undefined) return true;
  return instance.orders.some((order) => order.paidAt >= from && order.paidAt < to);
}
