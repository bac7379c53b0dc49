/**
 * The two money-moving writes. Each is ONE DynamoDB transaction, so no race can produce two
 * refunds (SPEC 3.3): the instance changes only from the version the quote saw, the quote
 * flips to used only once, the yearly quota is taken only once, and the Idempotency-Key
 * record completes with the response in the same commit.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type {
  CommitConflict,
  ExecutionStore,
  IdempotencyCompletion,
  RenewalCancellationPlan,
  UnsubscriptionPlan,
} from '#ports/stores.ts';
import type { DataKind, InstanceRecord, QuoteRecord, UnsubscribeOrder } from '#shared/model.ts';
import { cancellationReasons, type TableRef } from './client.ts';
import { createdIndex, dueIndex, keys, pendingIndex } from './keys.ts';
import { orderLookup, slaIndex } from './ops-keys.ts';
import { withConflictRetry } from './transactions.ts';

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

/** More conditions on the instance write (ANDed), with their names and values. */
interface ExtraConditions {
  conditions: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
}

export class DynamoExecutionStore implements ExecutionStore {
  readonly #table: TableRef;

  constructor(table: TableRef) {
    this.#table = table;
  }

  async commitUnsubscription(plan: UnsubscriptionPlan): Promise<CommitConflict | null> {
    const { tableName } = this.#table;
    const { instance, order, quote } = plan;
    const retention = instance.retention;
    if (!retention) throw new Error('an unsubscribed instance has a retention schedule');
    const items: [CommitConflict | null, TransactItem][] = [
      ['INSTANCE_CHANGED', this.#instancePut(instance, plan.expectedVersion)],
      [null, this.#orderPut(order)],
      ['QUOTE_USED', this.#quoteUse(quote, order)],
    ];
    if (plan.quotaYear !== null) {
      items.push([
        'QUOTA_USED',
        {
          Put: {
            TableName: tableName,
            Item: {
              ...keys.quota(instance.accountId, instance.product, plan.quotaYear),
              entity: 'QUOTA',
              accountId: instance.accountId,
              product: instance.product,
              year: plan.quotaYear,
              instanceId: instance.instanceId,
              unsubscribeOrderId: order.unsubscribeOrderId,
              usedAt: order.createdAt,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ]);
    }
    const purges: [DataKind, number][] = [
      ['CONFIG', retention.configData.purgeAt],
      ['LOG', retention.logData.purgeAt],
    ];
    for (const [kind, purgeAt] of purges) {
      items.push([
        null,
        {
          Put: {
            TableName: tableName,
            Item: {
              ...keys.purge(instance.accountId, instance.instanceId, kind),
              entity: 'PURGE',
              accountId: instance.accountId,
              instanceId: instance.instanceId,
              kind,
              purgeAt,
              ...dueIndex(instance.accountId, instance.instanceId, kind, new Date(purgeAt).toISOString()),
            },
          },
        },
      ]);
    }
    items.push(['IDEMPOTENCY_LOST', this.#idempotencyComplete(instance.accountId, plan.idempotency)]);
    return this.#commit(items);
  }

  /**
   * Besides the version, the instance write requires each renewal it cancels to be, in the
   * stored item, still PAID and starting after the execution's `now` (the order's `createdAt`):
   * the transaction itself refuses to cancel a renewal that has started (SPEC 2.3), whatever
   * the caller checked before.
   */
  async commitRenewalCancellation(plan: RenewalCancellationPlan): Promise<CommitConflict | null> {
    const quoted = plan.quote.quote;
    if (quoted.kind !== 'CANCEL_RENEWAL') throw new Error('a renewal cancellation has a renewal quote');
    const cancelled = new Set(quoted.cancelledOrderIds);
    const indexes = plan.instance.orders.flatMap((order, i) => (cancelled.has(order.orderId) ? [i] : []));
    if (indexes.length !== cancelled.size)
      throw new Error('the cancelled renewals are orders of the instance');
    const stillPending = {
      conditions: indexes.map((i) => `#orders[${i}].#status = :paid AND #orders[${i}].#periodStart > :now`),
      names: { '#orders': 'orders', '#periodStart': 'periodStart' },
      values: { ':paid': 'PAID', ':now': plan.order.createdAt },
    };
    return this.#commit([
      ['INSTANCE_CHANGED', this.#instancePut(plan.instance, plan.expectedVersion, stillPending)],
      [null, this.#orderPut(plan.order)],
      ['QUOTE_USED', this.#quoteUse(plan.quote, plan.order)],
      ['IDEMPOTENCY_LOST', this.#idempotencyComplete(plan.instance.accountId, plan.idempotency)],
    ]);
  }

  async #commit(items: [CommitConflict | null, TransactItem][]): Promise<CommitConflict | null> {
    try {
      await withConflictRetry(() =>
        this.#table.doc.send(new TransactWriteCommand({ TransactItems: items.map(([, item]) => item) })),
      );
      return null;
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      const failed = items.find(
        ([conflict], index) => conflict && reasons[index] === 'ConditionalCheckFailed',
      );
      if (failed?.[0]) return failed[0];
      throw error;
    }
  }

  #instancePut(
    instance: InstanceRecord,
    expectedVersion: number,
    extra: ExtraConditions = { conditions: [], names: {}, values: {} },
  ): TransactItem {
    return {
      Put: {
        TableName: this.#table.tableName,
        Item: {
          ...keys.instance(instance.accountId, instance.instanceId),
          entity: 'INSTANCE',
          ...instance,
          version: expectedVersion + 1,
        },
        ConditionExpression: ['version = :v AND #status = :active', ...extra.conditions].join(' AND '),
        ExpressionAttributeNames: { '#status': 'status', ...extra.names },
        ExpressionAttributeValues: { ':v': expectedVersion, ':active': 'ACTIVE', ...extra.values },
      },
    };
  }

  #orderPut(order: UnsubscribeOrder): TransactItem {
    return {
      Put: {
        TableName: this.#table.tableName,
        Item: {
          ...keys.unsubscribeOrder(order.accountId, order.unsubscribeOrderId),
          entity: 'UNSUBSCRIBE_ORDER',
          ...order,
          ...pendingIndex(order.unsubscribeOrderId, new Date(order.createdAt).toISOString()),
          // The operators' views: unsettled orders by dueBy, and any order by its id.
          ...slaIndex(order.unsubscribeOrderId, order.dueBy),
          ...orderLookup(order.accountId, order.unsubscribeOrderId),
          // The backtest's export: every order by its creation time (keys only, written once).
          ...createdIndex(order.unsubscribeOrderId, order.createdAt),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  #quoteUse(quote: QuoteRecord, order: UnsubscribeOrder): TransactItem {
    return {
      Update: {
        TableName: this.#table.tableName,
        Key: keys.quote(quote.accountId, quote.quoteId),
        UpdateExpression: 'SET usedAt = :now, unsubscribeOrderId = :orderId',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(usedAt) OR usedAt = :null)',
        ExpressionAttributeValues: {
          ':now': order.createdAt,
          ':orderId': order.unsubscribeOrderId,
          ':null': null,
        },
      },
    };
  }

  #idempotencyComplete(accountId: string, completion: IdempotencyCompletion): TransactItem {
    return {
      Update: {
        TableName: this.#table.tableName,
        Key: keys.idempotency(accountId, completion.key),
        UpdateExpression: 'SET #status = :completed, #response = :response REMOVE lockedUntil',
        ConditionExpression: '#status = :inProgress',
        ExpressionAttributeNames: { '#status': 'status', '#response': 'response' },
        ExpressionAttributeValues: {
          ':completed': 'COMPLETED',
          ':inProgress': 'IN_PROGRESS',
          ':response': completion.response,
        },
      },
    };
  }
}
