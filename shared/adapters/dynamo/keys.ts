/**
 * Key formats of the single table (documented in `#schema/table.ts`). Every account item
 * lives under `ACCT#<accountId>`: no query can reach another account's data.
 */

import { shardOf, TABLE } from '#schema/table.ts';
import type { Millis } from '#shared/domain.ts';
import type { DataKind } from '#shared/model.ts';

export interface Key {
  pk: string;
  sk: string;
}

const account = (accountId: string) => `ACCT#${accountId}`;

export const keys = {
  instance: (accountId: string, instanceId: string): Key => ({
    pk: account(accountId),
    sk: `INST#${instanceId}`,
  }),
  instancePrefix: 'INST#',
  orderClaim: (accountId: string, orderId: string): Key => ({
    pk: account(accountId),
    sk: `ORDER#${orderId}`,
  }),
  quote: (accountId: string, quoteId: string): Key => ({ pk: account(accountId), sk: `QUOTE#${quoteId}` }),
  unsubscribeOrder: (accountId: string, unsubscribeOrderId: string): Key => ({
    pk: account(accountId),
    sk: `UORDER#${unsubscribeOrderId}`,
  }),
  unsubscribeOrderPrefix: 'UORDER#',
  quota: (accountId: string, product: string, year: number): Key => ({
    pk: account(accountId),
    sk: `QUOTA#${product}#${year}`,
  }),
  purge: (accountId: string, instanceId: string, kind: DataKind): Key => ({
    pk: account(accountId),
    sk: `PURGE#${instanceId}#${kind}`,
  }),
  retainedData: (accountId: string, instanceId: string, kind: DataKind): Key => ({
    pk: account(accountId),
    sk: `DATA#${instanceId}#${kind}`,
  }),
  ledgerEntry: (accountId: string, unsubscribeOrderId: string, orderId: string): Key => ({
    pk: account(accountId),
    sk: `LEDGER#${unsubscribeOrderId}#${orderId}`,
  }),
  ledgerPrefix: 'LEDGER#',
  idempotency: (accountId: string, key: string): Key => ({ pk: account(accountId), sk: `IDEM#${key}` }),
  /** Not account data: the lookup from a provider's refund id to its line (webhooks know only the id). */
  providerRefund: (providerRefundId: string): Key => ({
    pk: `REFUND#${providerRefundId}`,
    sk: `REFUND#${providerRefundId}`,
  }),
  accountPk: account,
  /** An audit record about an unsubscribe order, or about the account itself (a balance adjustment). */
  orderAudit: (accountId: string, unsubscribeOrderId: string, auditId: string): Key => ({
    pk: account(accountId),
    sk: `AUDIT#ORDER#${unsubscribeOrderId}#${auditId}`,
  }),
  orderAuditPrefix: (unsubscribeOrderId: string) => `AUDIT#ORDER#${unsubscribeOrderId}#`,
  accountAudit: (accountId: string, auditId: string): Key => ({
    pk: account(accountId),
    sk: `AUDIT#ACCOUNT#${auditId}`,
  }),
  accountAuditPrefix: 'AUDIT#ACCOUNT#',
  /** Serialises the debits of one account and currency (a debit never takes the balance below zero). */
  balanceGuard: (accountId: string, currency: string): Key => ({
    pk: account(accountId),
    sk: `BALANCEGUARD#${currency}`,
  }),
  /** An operator's balance adjustment in the ledger (line credits are `LEDGER#<order>#<line>`). */
  adjustmentEntry: (accountId: string, adjustmentId: string): Key => ({
    pk: account(accountId),
    sk: `LEDGER#${adjustmentId}`,
  }),
  /** Not account data: a four-eyes approval request, found by its id alone. */
  approval: (approvalId: string): Key => ({ pk: `APPROVAL#${approvalId}`, sk: `APPROVAL#${approvalId}` }),
  /** An operator's Idempotency-Key: scoped to the person, outside every account. */
  operatorIdempotency: (sub: string, key: string): Key => ({ pk: `OPERATOR#${sub}`, sk: `IDEM#${key}` }),
};

/** The partitions of the sharded indexes: `pending` holds unsettled orders, `due` scheduled purges. */
export const pendingPartition = (shard: number): string => `PENDING#${shard}`;
export const duePartition = (shard: number): string => `DUE#${shard}`;
/** Provider refunds still awaiting a final answer share the `pending` index under their own partitions. */
export const submittedPartition = (shard: number): string => `SUBMITTED#${shard}`;

/** Index attributes that put an unsubscribe order into the `pending` index (removed once it leaves PENDING). */
export function pendingIndex(unsubscribeOrderId: string, createdAtIso: string) {
  const { partitionKey, sortKey } = TABLE.indexes.pending;
  return {
    [partitionKey]: pendingPartition(shardOf(unsubscribeOrderId)),
    [sortKey]: `${createdAtIso}#${unsubscribeOrderId}`,
  };
}

/** A `created` index partition: one UTC day (`YYYY-MM-DD`) and one shard of it. */
export const createdPartition = (day: string, shard: number): string => `UO#${day}#${shard}`;

/**
 * Index attributes that put an unsubscribe order into the `created` index, for good (they never
 * change). The sort key is the order id, which sorts by creation time; both values are kept
 * short, since the order's `pending` and `due` entries (projecting every attribute) carry them too.
 */
export function createdIndex(unsubscribeOrderId: string, createdAt: Millis) {
  const { partitionKey, sortKey } = TABLE.indexes.created;
  return {
    [partitionKey]: createdPartition(
      new Date(createdAt).toISOString().slice(0, 10),
      shardOf(unsubscribeOrderId),
    ),
    [sortKey]: unsubscribeOrderId,
  };
}

/** The `due` shard of an instance's purges (both kinds on the same shard). */
export const dueShardOf = (accountId: string, instanceId: string): number =>
  shardOf(`${accountId}#${instanceId}`, TABLE.dueShards);

/** Index attributes that put a retention purge into the `due` index, ordered by due time. */
export function dueIndex(accountId: string, instanceId: string, kind: DataKind, purgeAtIso: string) {
  const { partitionKey, sortKey } = TABLE.indexes.due;
  return {
    [partitionKey]: duePartition(dueShardOf(accountId, instanceId)),
    [sortKey]: `${purgeAtIso}#${accountId}#${instanceId}#${kind}`,
  };
}

export const INDEX_ATTRIBUTES = Object.values(TABLE.indexes).flatMap((i) => [i.partitionKey, i.sortKey]);

/** Drops the storage-only attributes (keys, index keys, TTL) from an item read from the table. */
export function stripKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, ttl: _ttl, entity: _entity, ...rest } = item;
  for (const attribute of INDEX_ATTRIBUTES) delete rest[attribute];
  return rest as T;
}
