/**
 * The back office on DynamoDB (`#ports/ops.ts`). Work queues are sparse partitions of the
 * existing indexes, read shard by shard and merged (cost proportional to the queue, never a
 * scan); any order by id and an actor's audit records come from the keys-only `lookup` index;
 * audit records by time from the `due` index's month partitions. Every action is one
 * TransactWriteItems call: the change, its audit record (put once, `attribute_not_exists`)
 * and the operator's Idempotency-Key completion.
 */
import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  AccountOrderQuery,
  AuditQuery,
  OpsCommit,
  OpsReader,
  OpsWrite,
  OpsWriter,
  PageQuery,
  SubmittedLine,
} from '#ports/ops.ts';
import type { Page } from '#ports/stores.ts';
import { TABLE } from '#schema/table.ts';
import type { Millis } from '#shared/domain.ts';
import type { LedgerEntry, UnsubscribeOrder } from '#shared/model.ts';
import type { ApprovalRequest, AuditRecord } from '#shared/ops-model.ts';
import { cancellationReasons, getItem, type TableRef } from './client.ts';
import { keys, pendingIndex, stripKeys, submittedPartition } from './keys.ts';
import { ledgerPut } from './ledger.ts';
import {
  actorPartition,
  approvalPartition,
  approvalQueueIndex,
  attentionPartition,
  auditIndexes,
  auditMonthPartition,
  DUE_INDEX_ATTRIBUTES,
  orderLookupPartition,
  PENDING_INDEX_ATTRIBUTES,
  slaPartition,
} from './ops-keys.ts';
import { withConflictRetry } from './transactions.ts';
import { DynamoUnsubscribeOrderStore } from './unsubscribe-orders.ts';

type Item = Record<string, unknown>;
type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];
type IndexDef = { indexName: string; partitionKey: string; sortKey: string };

const SHARDS = Array.from({ length: TABLE.shards }, (_, shard) => shard);
const iso = (at: Millis) => new Date(at).toISOString();
/** The first instant of the UTC month of `at`. */
const monthStart = (at: Millis): Millis => {
  const d = new Date(at);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
};

/** Per partition: the last index sort key handed out, or `null` once the partition is exhausted. */
type ShardCursor = Record<string, string | null>;

function decodeCursor(cursor: string | undefined): ShardCursor {
  if (!cursor) return {};
  try {
    const value: unknown = JSON.parse(cursor);
    if (typeof value === 'object' && value !== null) return value as ShardCursor;
  } catch {
    // an unreadable position restarts nothing: treated as the first page by the caller's check
  }
  return {};
}

/** The item of an audit record (its key tells the target; indexes: actor and month). */
export function auditPut(tableName: string, record: AuditRecord): TransactItem {
  const key =
    record.target.type === 'ORDER'
      ? keys.orderAudit(record.target.accountId, record.target.unsubscribeOrderId, record.auditId)
      : keys.accountAudit(record.target.accountId, record.auditId);
  return {
    Put: {
      TableName: tableName,
      Item: { ...key, entity: 'AUDIT', ...record, ...auditIndexes(record.actor, record.auditId, record.at) },
      // Immutable: put once, never overwritten (and no code path updates or deletes it).
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

export class DynamoOps implements OpsReader, OpsWriter {
  readonly #table: TableRef;
  readonly #orders: DynamoUnsubscribeOrderStore;

  constructor(table: TableRef) {
    this.#table = table;
    this.#orders = new DynamoUnsubscribeOrderStore(table);
  }

  // ---- reads ---------------------------------------------------------------------------

  async findOrder(unsubscribeOrderId: string): Promise<UnsubscribeOrder | null> {
    const { doc, tableName } = this.#table;
    const { indexName, partitionKey } = TABLE.indexes.lookup;
    const found = await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': partitionKey },
        ExpressionAttributeValues: { ':pk': orderLookupPartition(unsubscribeOrderId) },
        Limit: 1,
      }),
    );
    const key = found.Items?.[0];
    if (!key) return null;
    return getItem<UnsubscribeOrder>(this.#table, { pk: String(key.pk), sk: String(key.sk) });
  }

  getOrder(accountId: string, unsubscribeOrderId: string): Promise<UnsubscribeOrder | null> {
    return getItem<UnsubscribeOrder>(this.#table, keys.unsubscribeOrder(accountId, unsubscribeOrderId));
  }

  /** Newest first: the customers' list of the account's orders (a key range), with a status filter. */
  accountOrders(accountId: string, query: AccountOrderQuery): Promise<Page<UnsubscribeOrder>> {
    return this.#orders.list(accountId, query);
  }

  async needsAttention(query: PageQuery): Promise<Page<UnsubscribeOrder>> {
    const page = await this.#merged(TABLE.indexes.pending, SHARDS.map(attentionPartition), undefined, query);
    return { items: page.items.map((item) => stripKeys<UnsubscribeOrder>(item)), cursor: page.cursor };
  }

  async dueBefore(before: Millis, query: PageQuery): Promise<Page<UnsubscribeOrder>> {
    const page = await this.#merged(TABLE.indexes.due, SHARDS.map(slaPartition), iso(before), query);
    return { items: page.items.map((item) => stripKeys<UnsubscribeOrder>(item)), cursor: page.cursor };
  }

  async submittedBefore(before: Millis, query: PageQuery): Promise<Page<SubmittedLine>> {
    const page = await this.#merged(
      TABLE.indexes.pending,
      SHARDS.map(submittedPartition),
      iso(before),
      query,
    );
    const { sortKey } = TABLE.indexes.pending;
    return {
      items: page.items.map((item) => ({
        accountId: String(item.accountId),
        unsubscribeOrderId: String(item.unsubscribeOrderId),
        orderId: String(item.orderId),
        providerRefundId: String(item.providerRefundId),
        since: Date.parse(String(item[sortKey]).split('#')[0] ?? ''),
      })),
      cursor: page.cursor,
    };
  }

  async pendingApprovals(query: PageQuery): Promise<Page<ApprovalRequest>> {
    const page = await this.#merged(TABLE.indexes.pending, SHARDS.map(approvalPartition), undefined, query);
    return { items: page.items.map((item) => stripKeys<ApprovalRequest>(item)), cursor: page.cursor };
  }

  async countQueue(
    queue: 'ATTENTION' | 'APPROVAL' | { due: Millis } | { submitted: Millis },
  ): Promise<number> {
    const [index, partitionOf, below] =
      queue === 'ATTENTION'
        ? [TABLE.indexes.pending, attentionPartition, undefined]
        : queue === 'APPROVAL'
          ? [TABLE.indexes.pending, approvalPartition, undefined]
          : 'due' in queue
            ? [TABLE.indexes.due, slaPartition, iso(queue.due)]
            : [TABLE.indexes.pending, submittedPartition, iso(queue.submitted)];
    const counts = await Promise.all(
      SHARDS.map(async (shard) => {
        let count = 0;
        let start: Item | undefined;
        do {
          const result = await this.#table.doc.send(
            new QueryCommand({
              ...this.#partitionQuery(index, partitionOf(shard), below === undefined ? {} : { below }),
              Select: 'COUNT',
              ExclusiveStartKey: start,
            }),
          );
          count += result.Count ?? 0;
          start = result.LastEvaluatedKey;
        } while (start);
        return count;
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  getApproval(approvalId: string): Promise<ApprovalRequest | null> {
    return getItem<ApprovalRequest>(this.#table, keys.approval(approvalId));
  }

  async orderLedger(accountId: string, unsubscribeOrderId: string): Promise<LedgerEntry[]> {
    const result = await this.#table.doc.send(
      new QueryCommand({
        TableName: this.#table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': keys.accountPk(accountId),
          ':prefix': `${keys.ledgerPrefix}${unsubscribeOrderId}#`,
        },
        ConsistentRead: true,
      }),
    );
    return (result.Items ?? []).map((item) => stripKeys<LedgerEntry>(item));
  }

  async balanceGuard(accountId: string, currency: string): Promise<number> {
    const result = await this.#table.doc.send(
      new GetCommand({
        TableName: this.#table.tableName,
        Key: keys.balanceGuard(accountId, currency),
        ConsistentRead: true,
      }),
    );
    return typeof result.Item?.seq === 'number' ? result.Item.seq : 0;
  }

  /** Newest first, whichever way it is asked. */
  async audit(query: AuditQuery): Promise<Page<AuditRecord>> {
    const by = query.by;
    if (by.kind === 'ORDER' || by.kind === 'ACCOUNT') {
      const prefix =
        by.kind === 'ORDER' ? keys.orderAuditPrefix(by.unsubscribeOrderId) : keys.accountAuditPrefix;
      const result = await this.#table.doc.send(
        new QueryCommand({
          TableName: this.#table.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.accountPk(by.accountId), ':prefix': prefix },
          ExclusiveStartKey: query.cursor
            ? { pk: keys.accountPk(by.accountId), sk: query.cursor }
            : undefined,
          ScanIndexForward: false,
          Limit: query.limit,
          ConsistentRead: true,
        }),
      );
      const items = (result.Items ?? []).map((item) => stripKeys<AuditRecord>(item));
      const last = result.LastEvaluatedKey?.sk;
      return { items, cursor: typeof last === 'string' ? last : null };
    }
    if (by.kind === 'ACTOR') return this.#auditByActor(by.actor, query);
    return this.#auditByTime(by.from, by.to, query);
  }

  async #auditByActor(actor: string, query: PageQuery): Promise<Page<AuditRecord>> {
    const { indexName, partitionKey, sortKey } = TABLE.indexes.lookup;
    const result = await this.#table.doc.send(
      new QueryCommand({
        TableName: this.#table.tableName,
        IndexName: indexName,
        KeyConditionExpression: query.cursor ? '#pk = :pk AND #sk < :after' : '#pk = :pk',
        ExpressionAttributeNames: { '#pk': partitionKey, ...(query.cursor ? { '#sk': sortKey } : {}) },
        ExpressionAttributeValues: {
          ':pk': actorPartition(actor),
          ...(query.cursor ? { ':after': query.cursor } : {}),
        },
        ScanIndexForward: false,
        Limit: query.limit,
      }),
    );
    const found = result.Items ?? [];
    const records = await this.#batchGet(found.map((item) => ({ pk: String(item.pk), sk: String(item.sk) })));
    const items = records
      .map((item) => stripKeys<AuditRecord>(item))
      .sort((a, b) => b.at - a.at || (a.auditId < b.auditId ? 1 : -1));
    const last = found.at(-1)?.[sortKey];
    return { items, cursor: result.LastEvaluatedKey && typeof last === 'string' ? last : null };
  }

  /** `[from, to)`, month partitions from `to`'s back to `from`'s; the cursor is the last sort key handed out. */
  async #auditByTime(from: Millis, to: Millis, query: PageQuery): Promise<Page<AuditRecord>> {
    const { indexName, partitionKey, sortKey } = TABLE.indexes.due;
    const items: AuditRecord[] = [];
    // Exclusive upper bound: the end of the range, or the last record already handed out.
    let upper = query.cursor ?? iso(to);
    let month = monthStart(Date.parse(upper.slice(0, 24)));
    const first = monthStart(from);
    while (month >= first) {
      let start: Item | undefined;
      do {
        const result = await this.#table.doc.send(
          new QueryCommand({
            TableName: this.#table.tableName,
            IndexName: indexName,
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :low AND :high',
            ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
            ExpressionAttributeValues: {
              ':pk': auditMonthPartition(month),
              ':low': iso(from),
              ':high': upper,
            },
            ScanIndexForward: false,
            ExclusiveStartKey: start,
            Limit: query.limit - items.length + 1,
          }),
        );
        for (const item of result.Items ?? []) {
          if (String(item[sortKey]) >= upper) continue;
          const last = items.at(-1);
          if (items.length === query.limit && last)
            return { items, cursor: `${iso(last.at)}#${last.auditId}` };
          items.push(stripKeys<AuditRecord>(item));
        }
        start = result.LastEvaluatedKey;
      } while (start);
      // Everything in the month before lies before this month's first instant.
      upper = iso(month);
      month = monthStart(month - 1);
    }
    return { items, cursor: null };
  }

  async #batchGet(keyList: { pk: string; sk: string }[]): Promise<Item[]> {
    const out: Item[] = [];
    let pending: { pk: string; sk: string }[] = keyList;
    while (pending.length > 0) {
      const chunk = pending.slice(0, 100);
      pending = pending.slice(100);
      let request: Record<string, { Keys: Item[]; ConsistentRead?: boolean }> | undefined = {
        [this.#table.tableName]: { Keys: chunk, ConsistentRead: true },
      };
      while (request && Object.keys(request).length > 0) {
        const result = await this.#table.doc.send(new BatchGetCommand({ RequestItems: request }));
        out.push(...(result.Responses?.[this.#table.tableName] ?? []));
        request = result.UnprocessedKeys as typeof request;
      }
    }
    return out;
  }

  #partitionQuery(
    index: IndexDef,
    partition: string,
    range: { after?: string; below?: string },
  ): QueryCommandInput {
    const conditions = ['#pk = :pk'];
    const values: Item = { ':pk': partition };
    if (range.after !== undefined) {
      conditions.push('#sk > :after');
      values[':after'] = range.after;
    } else if (range.below !== undefined) {
      conditions.push('#sk < :below');
      values[':below'] = range.below;
    }
    return {
      TableName: this.#table.tableName,
      IndexName: index.indexName,
      KeyConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: {
        '#pk': index.partitionKey,
        ...(conditions.length > 1 ? { '#sk': index.sortKey } : {}),
      },
      ExpressionAttributeValues: values,
    };
  }

  /**
   * One page of a sharded queue, oldest first: each partition is read from where the cursor
   * left it, the answers are merged by sort key and the first `limit` handed out. The cursor
   * holds each partition's last handed-out sort key (`null` once it is exhausted), so a page
   * reads at most `limit` items per partition.
   */
  async #merged(
    index: IndexDef,
    partitions: string[],
    below: string | undefined,
    query: PageQuery,
  ): Promise<{ items: Item[]; cursor: string | null }> {
    const state = decodeCursor(query.cursor);
    const read = await Promise.all(
      partitions.map(async (partition) => {
        const after = state[partition];
        if (after === null) return { partition, items: [] as Item[], exhausted: true };
        const range = after === undefined ? (below === undefined ? {} : { below }) : { after };
        const result = await this.#table.doc.send(
          new QueryCommand({ ...this.#partitionQuery(index, partition, range), Limit: query.limit }),
        );
        const items = (result.Items ?? []).filter(
          (item) => below === undefined || String(item[index.sortKey]) < below,
        );
        // Exhausted: nothing more in the partition, or it reached `below`.
        const exhausted = !result.LastEvaluatedKey || items.length < (result.Items ?? []).length;
        return { partition, items, exhausted };
      }),
    );
    const candidates = read
      .flatMap((r) =>
        r.items.map((item) => ({ partition: r.partition, key: String(item[index.sortKey]), item })),
      )
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const taken = candidates.slice(0, query.limit);
    const next: ShardCursor = {};
    for (const r of read) {
      const mine = taken.filter((t) => t.partition === r.partition);
      const all = mine.length === r.items.length;
      if (r.exhausted && all) next[r.partition] = null;
      else next[r.partition] = mine.at(-1)?.key ?? state[r.partition] ?? '';
    }
    const done = Object.values(next).every((value) => value === null);
    // '' = "not started" for a partition with nothing handed out yet: read it from the start.
    for (const [partition, value] of Object.entries(next)) if (value === '') delete next[partition];
    return { items: taken.map((t) => t.item), cursor: done ? null : JSON.stringify(next) };
  }

  // ---- writes --------------------------------------------------------------------------

  async commit(writes: readonly OpsWrite[]): Promise<OpsCommit> {
    const items = writes.map((write) => this.#item(write));
    try {
      await withConflictRetry(() => this.#table.doc.send(new TransactWriteCommand({ TransactItems: items })));
      return { ok: true };
    } catch (error) {
      const reasons = cancellationReasons(error);
      const index = reasons?.indexOf('ConditionalCheckFailed') ?? -1;
      const failed = index >= 0 ? writes[index] : undefined;
      if (failed) return { ok: false, failed: failed.type };
      throw error;
    }
  }

  #item(write: OpsWrite): TransactItem {
    const tableName = this.#table.tableName;
    switch (write.type) {
      case 'ORDER_REQUEUE': {
        const { order, at } = write;
        const index = pendingIndex(order.unsubscribeOrderId, iso(at));
        const [indexPk, indexSk] = Object.keys(index);
        return {
          Update: {
            TableName: tableName,
            Key: keys.unsubscribeOrder(order.accountId, order.unsubscribeOrderId),
            UpdateExpression: `SET #status = :pending, #history = list_append(#history, :entry), #ipk = :ipk, #isk = :isk`,
            ConditionExpression: '#status = :attention',
            ExpressionAttributeNames: {
              '#status': 'status',
              '#history': 'history',
              '#ipk': String(indexPk),
              '#isk': String(indexSk),
            },
            ExpressionAttributeValues: {
              ':pending': 'PENDING',
              ':attention': 'NEEDS_ATTENTION',
              ':entry': [{ status: 'PENDING', at, note: 'OPERATOR_RETRY' }],
              ':ipk': Object.values(index)[0],
              ':isk': Object.values(index)[1],
            },
          },
        };
      }
      case 'LINE_RESOLVE': {
        const { order, index, at, complete } = write;
        const line = order.lines[index];
        if (!line) throw new Error('no such line');
        const ref = `#lines[${index}]`;
        const set = [
          `${ref}.#status = :settled`,
          `${ref}.settledTo = :to`,
          `${ref}.settledAt = :at`,
          `${ref}.resolvedBy = :auditId`,
          '#history = list_append(#history, :entries)',
        ];
        const values: Item = {
          ':settled': 'SETTLED',
          ':to': write.settledTo,
          ':at': at,
          ':auditId': write.auditId,
          ':pending': 'PENDING',
          ':orderId': line.orderId,
          ':attention': 'NEEDS_ATTENTION',
        };
        if (write.externalReference !== null) {
          set.push(`${ref}.externalReference = :ref`);
          values[':ref'] = write.externalReference;
        }
        const entries: Item[] = [
          { status: 'NEEDS_ATTENTION', at, note: 'LINE_RESOLVED', orderId: line.orderId },
        ];
        const conditions = ['#status = :attention', `${ref}.#status = :pending`, `${ref}.orderId = :orderId`];
        let remove = '';
        if (complete) {
          set.push('#status = :succeeded', 'settledAt = :settledAt', 'slaBreached = :late');
          values[':succeeded'] = 'SUCCEEDED';
          values[':settledAt'] = complete.settledAt;
          values[':late'] = complete.slaBreached;
          entries.push({ status: 'SUCCEEDED', at });
          order.lines.forEach((_other, i) => {
            if (i !== index) conditions.push(`#lines[${i}].#status = :settled`);
          });
          remove = ` REMOVE ${PENDING_INDEX_ATTRIBUTES}, ${DUE_INDEX_ATTRIBUTES}`;
        }
        values[':entries'] = entries;
        return {
          Update: {
            TableName: tableName,
            Key: keys.unsubscribeOrder(order.accountId, order.unsubscribeOrderId),
            UpdateExpression: `SET ${set.join(', ')}${remove}`,
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeNames: { '#status': 'status', '#lines': 'lines', '#history': 'history' },
            ExpressionAttributeValues: values,
          },
        };
      }
      case 'LEDGER_PUT':
        return ledgerPut(tableName, write.entry);
      case 'BALANCE_GUARD':
        return {
          Update: {
            TableName: tableName,
            Key: keys.balanceGuard(write.accountId, write.currency),
            UpdateExpression: 'SET seq = :next, entity = :entity',
            ConditionExpression: write.expected === 0 ? 'attribute_not_exists(pk)' : 'seq = :expected',
            ExpressionAttributeValues: {
              ':next': write.expected + 1,
              ':entity': 'BALANCE_GUARD',
              ...(write.expected === 0 ? {} : { ':expected': write.expected }),
            },
          },
        };
      case 'APPROVAL_PUT':
        return {
          Put: {
            TableName: tableName,
            Item: {
              ...keys.approval(write.approval.approvalId),
              entity: 'APPROVAL',
              ...write.approval,
              ...approvalQueueIndex(write.approval.approvalId, write.approval.requestedAt),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        };
      case 'APPROVAL_DECIDE': {
        const { approval, to } = write;
        const conditions = ['#status = :pending'];
        const at = approval.decidedAt ?? 0;
        // Approve only before it expires; expire only once it is due (the sweeper and a late approver may race).
        if (to === 'EXPIRED') conditions.push('expiresAt <= :at');
        else conditions.push('expiresAt > :at');
        return {
          Update: {
            TableName: tableName,
            Key: keys.approval(approval.approvalId),
            UpdateExpression:
              'SET #status = :to, decidedBy = :by, decidedAt = :at, decisionReasonCode = :code, decisionNote = :note ' +
              `REMOVE ${PENDING_INDEX_ATTRIBUTES}`,
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':to': to,
              ':pending': 'PENDING',
              ':by': approval.decidedBy,
              ':at': at,
              ':code': approval.decisionReasonCode,
              ':note': approval.decisionNote,
            },
          },
        };
      }
      case 'AUDIT_PUT':
        return auditPut(tableName, write.record);
      case 'IDEMPOTENCY_COMPLETE':
        return {
          Update: {
            TableName: tableName,
            Key: keys.operatorIdempotency(write.actor, write.key),
            UpdateExpression: 'SET #status = :completed, #response = :response REMOVE lockedUntil',
            ConditionExpression: '#status = :inProgress',
            ExpressionAttributeNames: { '#status': 'status', '#response': 'response' },
            ExpressionAttributeValues: {
              ':completed': 'COMPLETED',
              ':inProgress': 'IN_PROGRESS',
              ':response': { body: write.body },
            },
          },
        };
    }
  }
}
