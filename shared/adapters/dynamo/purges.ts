/**
 * Retention purges in the table. A purge item (`PURGE#<instanceId>#<kind>`) sits on the
 * sparse, sharded `due` index (`DUE#<shard>`, sort key `<purgeAt ISO>#<account>#<instance>#<kind>`)
 * from the unsubscription until its data is deleted. "Due at `now`" is the key range
 * `dueSk <= <now ISO>#\uffff` of each shard: ISO instants of one format sort like time, and
 * every id character sorts below `\uffff`, so an item due exactly at `now` is in and one due
 * a millisecond later is out. The shards asked for are merged by due time as pages are
 * consumed; a worker asks for one.
 *
 * DynamoDB's throttling answers (after the SDK's own retries) become `ThrottledError`: the
 * call did nothing, and the purger slows down and makes it again.
 */
import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type DueCursor,
  type DuePurge,
  type PurgeItemState,
  type PurgeRecord,
  type PurgeStore,
  ThrottledError,
} from '#ports/purges.ts';
import { TABLE } from '#schema/table.ts';
import type { Millis } from '#shared/domain.ts';
import type { DataKind, InstanceRecord } from '#shared/model.ts';
import { getItem, isConditionFailure, isThrottling, type TableRef } from './client.ts';
import { duePartition, keys } from './keys.ts';

const { indexName, partitionKey, sortKey } = TABLE.indexes.due;
const DEFAULT_PAGE = 100;

const retentionField = (kind: DataKind) => (kind === 'CONFIG' ? 'configData' : 'logData');

/** Every shard of the due index, in order. */
const ALL_SHARDS: readonly number[] = Array.from({ length: TABLE.dueShards }, (_, shard) => shard);

/** The end of the due range at `now`: everything due at or before `now` sorts at or below it. */
const dueUpper = (now: Millis) => `${new Date(now).toISOString()}#\uffff`;

const isTransactionConflict = (error: unknown): boolean =>
  error instanceof Error && error.name === 'TransactionConflictException';

/** Runs a DynamoDB call; throttling becomes `ThrottledError` (anything else is rethrown as is). */
async function call<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (isThrottling(error)) throw new ThrottledError({ cause: error });
    throw error;
  }
}

interface ShardState {
  pk: string;
  buffer: { dueSk: string; item: DuePurge }[];
  after: Record<string, unknown> | undefined;
  exhausted: boolean;
}

export class DynamoPurgeStore implements PurgeStore {
  readonly #table: TableRef;
  readonly #pageSize: number;

  constructor(table: TableRef, options: { pageSize?: number } = {}) {
    this.#table = table;
    this.#pageSize = options.pageSize ?? DEFAULT_PAGE;
  }

  due(now: Millis, only: readonly number[] = ALL_SHARDS): DueCursor {
    const upper = dueUpper(now);
    const shards: ShardState[] = only.map((shard) => ({
      pk: duePartition(shard),
      buffer: [],
      after: undefined,
      exhausted: false,
    }));
    const fill = async (shard: ShardState) => {
      const { doc, tableName } = this.#table;
      while (shard.buffer.length === 0 && !shard.exhausted) {
        const result = await call(() =>
          doc.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: indexName,
              KeyConditionExpression: '#pk = :pk AND #sk <= :upper',
              ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
              ExpressionAttributeValues: { ':pk': shard.pk, ':upper': upper },
              ExclusiveStartKey: shard.after,
              Limit: this.#pageSize,
            }),
          ),
        );
        for (const raw of result.Items ?? []) {
          shard.buffer.push({
            dueSk: String(raw[sortKey]),
            item: {
              accountId: String(raw.accountId),
              instanceId: String(raw.instanceId),
              kind: raw.kind as DataKind,
              purgeAt: Number(raw.purgeAt),
            },
          });
        }
        shard.after = result.LastEvaluatedKey;
        shard.exhausted = shard.after === undefined;
      }
    };
    return {
      async next() {
        await Promise.all(shards.filter((s) => s.buffer.length === 0 && !s.exhausted).map(fill));
        let best: ShardState | undefined;
        for (const shard of shards) {
          const head = shard.buffer[0];
          if (head && (!best || head.dueSk < (best.buffer[0]?.dueSk ?? ''))) best = shard;
        }
        return best?.buffer.shift()?.item ?? null;
      },
      hasMore() {
        return shards.some((s) => s.buffer.length > 0 || !s.exhausted);
      },
    };
  }

  readonly dueShardCount = TABLE.dueShards;

  async oldestDue(now: Millis, shard: number): Promise<Millis | null> {
    const { doc, tableName } = this.#table;
    const result = await call(() =>
      doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: indexName,
          KeyConditionExpression: '#pk = :pk AND #sk <= :upper',
          ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
          ExpressionAttributeValues: { ':pk': duePartition(shard), ':upper': dueUpper(now) },
          ProjectionExpression: 'purgeAt',
          Limit: 1,
        }),
      ),
    );
    const head = result.Items?.[0];
    return head ? Number(head.purgeAt) : null;
  }

  async instance(accountId: string, instanceId: string): Promise<InstanceRecord | null> {
    return call(() => getItem<InstanceRecord>(this.#table, keys.instance(accountId, instanceId)));
  }

  async purgeItem(item: DuePurge): Promise<PurgeItemState | null> {
    const { doc, tableName } = this.#table;
    const result = await call(() =>
      doc.send(
        new GetCommand({
          TableName: tableName,
          Key: keys.purge(item.accountId, item.instanceId, item.kind),
          ConsistentRead: true,
          ProjectionExpression: 'purgeAt, purgedAt',
        }),
      ),
    );
    if (!result.Item) return null;
    const purgedAt = result.Item.purgedAt;
    return { purgeAt: Number(result.Item.purgeAt), purgedAt: typeof purgedAt === 'number' ? purgedAt : null };
  }

  async record(item: DuePurge, record: PurgeRecord): Promise<boolean> {
    const { doc, tableName } = this.#table;
    const field = retentionField(item.kind);
    const other = retentionField(item.kind === 'CONFIG' ? 'LOG' : 'CONFIG');
    const conditions = [
      '#status = :unsubscribed',
      '#version = :version',
      `#retention.${field}.#status = :retained`,
      `#retention.${field}.purgeAt <= :now`,
      ...(record.release ? [`#retention.${other}.#status = :purged`] : []),
    ];
    try {
      // One item, one conditional write: the instance itself records the purge (no transaction).
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.instance(item.accountId, item.instanceId),
          UpdateExpression:
            `SET #retention.${field}.#status = :purged, #retention.${field}.purgedAt = :now, #version = :next` +
            (record.release ? ', #status = :released' : ''),
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: { '#status': 'status', '#retention': 'retention', '#version': 'version' },
          ExpressionAttributeValues: {
            ':unsubscribed': 'UNSUBSCRIBED',
            ':retained': 'RETAINED',
            ':purged': 'PURGED',
            ':now': record.now,
            ':version': record.instanceVersion,
            ':next': record.instanceVersion + 1,
            ...(record.release ? { ':released': 'RELEASED' } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      // A failed condition, or a restore's transaction on the instance at this moment: it changed.
      if (isConditionFailure(error) || isTransactionConflict(error)) return false;
      if (isThrottling(error)) throw new ThrottledError({ cause: error });
      throw error;
    }
  }

  async finish(item: DuePurge): Promise<void> {
    // Only the item of this deadline: a purge rescheduled since keeps its own.
    await this.#deleteIf(item, 'purgeAt = :purgeAt', { ':purgeAt': item.purgeAt });
  }

  async discard(item: DuePurge, purgeAt: Millis): Promise<void> {
    await this.#deleteIf(item, 'attribute_not_exists(purgedAt) AND purgeAt = :purgeAt', {
      ':purgeAt': purgeAt,
    });
  }

  /** A conditional delete of the purge item; a failed condition means someone else already did it. */
  async #deleteIf(item: DuePurge, condition: string, values: Record<string, unknown>): Promise<void> {
    const { doc, tableName } = this.#table;
    try {
      await doc.send(
        new DeleteCommand({
          TableName: tableName,
          Key: keys.purge(item.accountId, item.instanceId, item.kind),
          ConditionExpression: condition,
          ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
        }),
      );
    } catch (error) {
      if (isThrottling(error)) throw new ThrottledError({ cause: error });
      if (!isConditionFailure(error)) throw error;
    }
  }
}
