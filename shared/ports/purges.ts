/**
 * What the purger needs from storage: due purges by shard (`#use-cases/dispatch-purges.ts`
 * finds the shards with work, `#use-cases/purge-retention.ts` drains one) and the conditional
 * steps of one purge.
 *
 * Any method may throw `ThrottledError` when the store is over its capacity: the call changed
 * nothing and may be made again later (the purger slows down and retries it).
 */
import type { Millis } from '#shared/domain.ts';
import type { DataKind, InstanceRecord } from '#shared/model.ts';

export interface DuePurge {
  accountId: string;
  instanceId: string;
  kind: DataKind;
  purgeAt: Millis;
}

/** The state of one purge item, read consistently. */
export interface PurgeItemState {
  purgeAt: Millis;
  /**
   * Set when the item itself was marked done (items marked in the same transaction as the
   * instance, before a purge was recorded on the instance alone); null otherwise. A purge is
   * recorded when the instance shows its kind `PURGED`.
   */
  purgedAt: Millis | null;
}

/** Due purges in due-time order across shards, fetched page by page as they are consumed. */
export interface DueCursor {
  next(): Promise<DuePurge | null>;
  /** False only when every shard is known to be exhausted. */
  hasMore(): boolean;
}

/** The store refused a call for lack of capacity (DynamoDB throttling); nothing was changed. */
export class ThrottledError extends Error {
  constructor(options?: ErrorOptions) {
    super('The store is throttling requests; slow down and retry', options);
    this.name = 'ThrottledError';
  }
}

export interface PurgeRecord {
  now: Millis;
  instanceVersion: number;
  /** The other kind is already PURGED: the instance becomes RELEASED in the same write. */
  release: boolean;
}

export interface PurgeStore {
  /** Due purges at `now` in due-time order, of the given shards (default: every shard). */
  due(now: Millis, shards?: readonly number[]): DueCursor;
  /** How many shards the due index has (numbered from 0). */
  readonly dueShardCount: number;
  /** The earliest `purgeAt` due at `now` on `shard` (one read of one item), or null when none is. */
  oldestDue(now: Millis, shard: number): Promise<Millis | null>;
  instance(accountId: string, instanceId: string): Promise<InstanceRecord | null>;
  purgeItem(item: DuePurge): Promise<PurgeItemState | null>;
  /** Step 2a, one conditional write of the instance; false when any condition failed. */
  record(item: DuePurge, record: PurgeRecord): Promise<boolean>;
  /** Step 2b, after the data is deleted: removes the purge item (if it still has this `purgeAt`). */
  finish(item: DuePurge): Promise<void>;
  /** Removes a purge item that was not recorded and no longer has work (the instance moved on). */
  discard(item: DuePurge, purgeAt: Millis): Promise<void>;
}
