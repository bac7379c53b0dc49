/**
 * The one table definition. The CDK stack, the local runtime and the tests all build the
 * table from this object, so key names and indexes cannot drift apart.
 *
 * Single-table design; every partition key of account data starts with the account
 * (`ACCT#<accountId>`), so tenancy is structural: a query can only ever see one account.
 *
 * | item                 | pk                | sk                                   |
 * |----------------------|-------------------|--------------------------------------|
 * | instance (+ orders)  | ACCT#a            | INST#<instanceId>                    |
 * | order-id claim       | ACCT#a            | ORDER#<orderId>                      |
 * | quote                | ACCT#a            | QUOTE#<quoteId>                      |
 * | unsubscribe order    | ACCT#a            | UORDER#<unsubscribeOrderId>          |
 * | yearly quota use     | ACCT#a            | QUOTA#<product>#<year>               |
 * | retention purge      | ACCT#a            | PURGE#<instanceId>#<CONFIG|LOG>      |
 * | retained data        | ACCT#a            | DATA#<instanceId>#<CONFIG|LOG>       |
 * | balance ledger entry | ACCT#a            | LEDGER#<unsubscribeOrderId>#<orderId>|
 * | idempotency record   | ACCT#a            | IDEM#<key>                           |
 * | provider refund      | REFUND#<refundId> | REFUND#<refundId>                    |
 * | audit record         | ACCT#a            | AUDIT#ORDER#<unsubscribeOrderId>#<auditId> or AUDIT#ACCOUNT#<auditId> |
 * | balance debit guard  | ACCT#a            | BALANCEGUARD#<currency>              |
 * | approval request     | APPROVAL#<id>     | APPROVAL#<id>                        |
 * | operator idempotency | OPERATOR#<sub>    | IDEM#<key>                           |
 *
 * Two sparse, sharded global secondary indexes hold only the items that have work due:
 * `pending` (unsubscribe orders not yet settled, by creation time, for the reconciler; and, in
 * the partitions `SUBMITTED#<shard>`, provider refunds awaiting their final answer, by
 * submission time, for the submitted-refund reconciler) and
 * `due` (retention purges not yet done, by due time, for the purger). An item leaves the
 * index when its work is done by removing its index attributes.
 *
 * The operators' back office reads the same two indexes under partitions of its own, and one
 * keys-only index (`docs/operations.md`, "Back office: which index serves which query"):
 * - `pending`, `ATTENTION#<shard>`: orders in `NEEDS_ATTENTION`, by when they entered it;
 *   `APPROVAL#<shard>`: approval requests still pending, by when they were requested;
 * - `due`, `SLA#<shard>`: orders not yet settled, by `dueBy`; `AUDIT#<yyyy-mm>`: audit records,
 *   by time;
 * - `lookup` (keys only, so settlement's updates never write it): `UORDER#<id>` finds an
 *   unsubscribe order by its id alone; `ACTOR#<sub>` an operator's audit records by time.
 *
 * One more keys-only index serves the policy backtest's export
 * (`GET /internal/unsubscribe-orders/export`, `docs/policies.md`): `created` holds every
 * unsubscribe order under `UO#<UTC day>#<shard>`, sorted by its id (which sorts by creation
 * time). The day bounds a range to the partitions it covers; the shard (of the order id)
 * spreads one day's writes over `shards` partitions. Written once with the order and never again: its key
 * attributes never change, and a keys-only entry is not rewritten when other attributes do.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB TTL deletes expired quotes and idempotency records (a backstop only). */
  ttlAttribute: 'ttl',
  indexes: {
    pending: { indexName: 'pending', partitionKey: 'pendingPk', sortKey: 'pendingSk' },
    due: { indexName: 'due', partitionKey: 'duePk', sortKey: 'dueSk' },
    lookup: { indexName: 'lookup', partitionKey: 'lookupPk', sortKey: 'lookupSk', projection: 'KEYS_ONLY' },
    created: {
      indexName: 'created',
      partitionKey: 'createdPk',
      sortKey: 'createdSk',
      projection: 'KEYS_ONLY',
    },
  },
  /** Writes to the `pending` index partitions (and a day's `created` partitions) are spread over this many shards. */
  shards: 8,
  /**
   * Shards of the `due` index: the purger's unit of parallel work (one worker per shard at a
   * time), so a burst of purges due at one instant drains up to this many ways at once. It may
   * only grow: purges already written stay on their shard, and every shard below the count is read.
   */
  dueShards: 32,
} as const;

export type IndexName = keyof typeof TABLE.indexes;

/** The CreateTable request for DynamoDB Local and tests (the CDK stack maps the same fields). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const indexes = Object.values(TABLE.indexes);
  const attributes = [
    TABLE.partitionKey,
    TABLE.sortKey,
    ...indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    // The transactional outbox the event publisher reads (the stack's table has the same stream).
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    AttributeDefinitions: attributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: indexes.map((i) => ({
      IndexName: i.indexName,
      KeySchema: [
        { AttributeName: i.partitionKey, KeyType: 'HASH' },
        { AttributeName: i.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: projectionOf(i) },
    })),
  };
}

/** An index's projection: `ALL` unless it says otherwise. */
export function projectionOf(index: (typeof TABLE.indexes)[IndexName]): 'ALL' | 'KEYS_ONLY' {
  return 'projection' in index ? index.projection : 'ALL';
}

/** A stable shard in [0, shards) for a string (FNV-1a); `TABLE.shards` unless told. */
export function shardOf(value: string, shards: number = TABLE.shards): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/** The queues between unsubscribing and settlement. */
export const QUEUES = {
  refunds: 'refunds',
  deadLetter: 'refunds-dlq',
  /** After this many receives a message moves to the dead-letter queue (SPEC 3.4). */
  maxReceiveCount: 5,
} as const;

/**
 * The purge work queue: FIFO, one message group per `due` shard, so at most one worker
 * drains a shard at a time and a shard's work items run in the order they were dispatched.
 */
export const PURGE_QUEUES = {
  work: 'purge-work.fifo',
  deadLetter: 'purge-work-dlq.fifo',
  /** A work item whose worker crashed this many times moves to the dead-letter queue. */
  maxReceiveCount: 5,
} as const;
