/**
 * The back office's index partitions (`#schema/table.ts`): sparse work queues on the existing
 * `pending` and `due` indexes, and the keys-only `lookup` index. Each helper returns the index
 * attributes to spread into an item; an item leaves a queue when they are removed.
 */
import { shardOf, TABLE } from '#schema/table.ts';
import type { Millis } from '#shared/domain.ts';

const iso = (at: Millis) => new Date(at).toISOString();
const { pending, due, lookup } = TABLE.indexes;

export const attentionPartition = (shard: number): string => `ATTENTION#${shard}`;
export const approvalPartition = (shard: number): string => `APPROVAL#${shard}`;
export const slaPartition = (shard: number): string => `SLA#${shard}`;
/** Audit records by time: one partition per UTC month. */
export const auditMonthPartition = (at: Millis): string => `AUDIT#${iso(at).slice(0, 7)}`;
export const actorPartition = (sub: string): string => `ACTOR#${sub}`;
export const orderLookupPartition = (unsubscribeOrderId: string): string => `UORDER#${unsubscribeOrderId}`;

/** An order in `NEEDS_ATTENTION` (pending index, by when it entered the state). */
export function attentionIndex(unsubscribeOrderId: string, since: Millis) {
  return {
    [pending.partitionKey]: attentionPartition(shardOf(unsubscribeOrderId)),
    [pending.sortKey]: `${iso(since)}#${unsubscribeOrderId}`,
  };
}

/** An order not yet settled (due index, by its dueBy). */
export function slaIndex(unsubscribeOrderId: string, dueBy: Millis) {
  return {
    [due.partitionKey]: slaPartition(shardOf(unsubscribeOrderId)),
    [due.sortKey]: `${iso(dueBy)}#${unsubscribeOrderId}`,
  };
}

/** Every unsubscribe order, by its id alone (lookup index, keys only). */
export function orderLookup(accountId: string, unsubscribeOrderId: string) {
  return {
    [lookup.partitionKey]: orderLookupPartition(unsubscribeOrderId),
    [lookup.sortKey]: `ACCT#${accountId}`,
  };
}

/** A pending approval request (pending index, by when it was requested). */
export function approvalQueueIndex(approvalId: string, requestedAt: Millis) {
  return {
    [pending.partitionKey]: approvalPartition(shardOf(approvalId)),
    [pending.sortKey]: `${iso(requestedAt)}#${approvalId}`,
  };
}

/** An audit record: by its actor (lookup index) and by time (due index). */
export function auditIndexes(actor: string, auditId: string, at: Millis) {
  const sort = `${iso(at)}#${auditId}`;
  return {
    [lookup.partitionKey]: actorPartition(actor),
    [lookup.sortKey]: sort,
    [due.partitionKey]: auditMonthPartition(at),
    [due.sortKey]: sort,
  };
}

/** For `REMOVE` in update expressions. */
export const PENDING_INDEX_ATTRIBUTES = `${pending.partitionKey}, ${pending.sortKey}`;
export const DUE_INDEX_ATTRIBUTES = `${due.partitionKey}, ${due.sortKey}`;
