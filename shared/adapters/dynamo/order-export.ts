/**
 * The export of past unsubscribe orders (`#ports/stores.ts` `OrderExport`) from the keys-only
 * `created` index (`#schema/table.ts`): for each UTC day of the range, its shards are queried in
 * parallel for the keys in the range, merged by creation time, and the orders read by key
 * (BatchGetItem). Cost: the index entries read (a Query rounds up once per 4 KB of ~150-byte
 * entries) plus each exported order read once, eventually consistent; never a scan, and no item
 * but the orders in the range is read.
 */
import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { OrderExport, OrderExportQuery, Page } from '#ports/stores.ts';
import { TABLE } from '#schema/table.ts';
import type { Millis } from '#shared/domain.ts';
import { unsubscribeOrderIdTime } from '#shared/ids.ts';
import type { UnsubscribeOrder } from '#shared/model.ts';
import type { TableRef } from './client.ts';
import { createdPartition, stripKeys } from './keys.ts';

const DAY_MS = 24 * 60 * 60_000;
/** Days of the index one page reads at most (one Query per shard and day): a page's reading is bounded. */
export const EXPORT_DAYS_PER_PAGE = 31;
/** BatchGetItem takes at most 100 keys. */
const BATCH = 100;
const SHARDS = Array.from({ length: TABLE.shards }, (_, shard) => shard);

const iso = (at: Millis) => new Date(at).toISOString();
const dayStart = (at: Millis) => at - (((at % DAY_MS) + DAY_MS) % DAY_MS);
/**
 * A position in the index: an order id (`uo-<base36 ms>-<random>`, which sorts by creation
 * time: everything up to it handed out), or the bare time part `uo-<base36 ms>` (everything
 * created before that instant handed out).
 */
const POSITION = /^uo-[0-9a-z]{9}(-[A-Za-z0-9._-]{1,128})?$/;
const at = (time: Millis) => `uo-${unsubscribeOrderIdTime(time)}`;
const timeOf = (position: string): Millis => Number.parseInt(position.slice(3, 12), 36);

interface Entry {
  pk: string;
  sk: string;
  position: string;
}

export class DynamoOrderExport implements OrderExport {
  readonly #table: TableRef;

  constructor(table: TableRef) {
    this.#table = table;
  }

  cursorAfter(order: UnsubscribeOrder): string {
    return order.unsubscribeOrderId;
  }

  isCursor(cursor: string): boolean {
    return POSITION.test(cursor);
  }

  /** Oldest first; at most `EXPORT_DAYS_PER_PAGE` days of the index per page. */
  async created(query: OrderExportQuery): Promise<Page<UnsubscribeOrder>> {
    const { createdFrom, createdTo, limit } = query;
    if (createdFrom >= createdTo) return { items: [], cursor: null };
    // Ids in [low, high]: an id created at createdTo sorts above the bare `uo-<time>`, so it is out.
    const low = query.cursor ?? at(createdFrom);
    const high = at(createdTo);
    const lastDay = dayStart(createdTo - 1);
    const entries: Entry[] = [];
    let day = dayStart(timeOf(low));
    for (let read = 0; day <= lastDay; read += 1, day += DAY_MS) {
      if (read === EXPORT_DAYS_PER_PAGE) {
        // The range goes on: the next page starts at this day.
        return { items: await this.#orders(entries), cursor: at(day) };
      }
      entries.push(...(await this.#day(day, low, high, limit - entries.length)));
      if (entries.length === limit) {
        const last = entries.at(-1) as Entry;
        return { items: await this.#orders(entries), cursor: last.position };
      }
    }
    return { items: await this.#orders(entries), cursor: null };
  }

  /** The first `want` index entries of one day after `low` and below `high`, all shards merged. */
  async #day(day: Millis, low: string, high: string, want: number): Promise<Entry[]> {
    const { indexName, partitionKey, sortKey } = TABLE.indexes.created;
    const date = iso(day).slice(0, 10);
    const perShard = await Promise.all(
      SHARDS.map(async (shard) => {
        const found: Entry[] = [];
        let start: Record<string, unknown> | undefined;
        do {
          const result = await this.#table.doc.send(
            new QueryCommand({
              TableName: this.#table.tableName,
              IndexName: indexName,
              KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :low AND :high',
              ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
              ExpressionAttributeValues: { ':pk': createdPartition(date, shard), ':low': low, ':high': high },
              // One more than wanted: the entry at `low` itself (a page's last) is skipped.
              Limit: want + 1 - found.length,
              ExclusiveStartKey: start,
            }),
          );
          for (const item of result.Items ?? []) {
            const position = String(item[sortKey]);
            if (position !== low) found.push({ pk: String(item.pk), sk: String(item.sk), position });
          }
          start = result.LastEvaluatedKey;
        } while (start && found.length < want);
        return found;
      }),
    );
    return perShard
      .flat()
      .sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0))
      .slice(0, want);
  }

  /** The orders of `entries`, in their order (BatchGetItem, 100 keys a call, in parallel). */
  async #orders(entries: Entry[]): Promise<UnsubscribeOrder[]> {
    const chunks: Entry[][] = [];
    for (let i = 0; i < entries.length; i += BATCH) chunks.push(entries.slice(i, i + BATCH));
    const byKey = new Map<string, Record<string, unknown>>();
    await Promise.all(
      chunks.map(async (chunk) => {
        let keys: Record<string, unknown>[] = chunk.map(({ pk, sk }) => ({ pk, sk }));
        while (keys.length > 0) {
          const result = await this.#table.doc.send(
            new BatchGetCommand({ RequestItems: { [this.#table.tableName]: { Keys: keys } } }),
          );
          for (const item of result.Responses?.[this.#table.tableName] ?? [])
            byKey.set(`${item.pk}\n${item.sk}`, item);
          keys = result.UnprocessedKeys?.[this.#table.tableName]?.Keys ?? [];
        }
      }),
    );
    const orders: UnsubscribeOrder[] = [];
    for (const { pk, sk } of entries) {
      const item = byKey.get(`${pk}\n${sk}`);
      if (item) orders.push(stripKeys<UnsubscribeOrder>(item));
    }
    return orders;
  }
}
