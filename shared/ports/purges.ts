/** What the purger (`#use-cases/purge-retention.ts`) needs from storage: due purges and their conditional steps. */
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
  /** Set once the purge was recorded on the instance; the item then only waits for the data deletion. */
  purgedAt: Millis | null;
}

/** Due purges in due-time order across shards, fetched page by page as they are consumed. */
export interface DueCursor {
  next(): Promise<DuePurge | null>;
  /** False only when every shard is known to be exhausted. */
  hasMore(): boolean;
}

export interface PurgeRecord {
  now: Millis;
  instanceVersion: number;
  /** The other kind is already PURGED: the instance becomes RELEASED in the same write. */
  release: boolean;
}

export interface PurgeStore {
  due(now: Millis): DueCursor;
  instance(accountId: string, instanceId: string): Promise<InstanceRecord | null>;
  purgeItem(item: DuePurge): Promise<PurgeItemState | null>;
  /** Step 2a; false when any condition failed. */
  record(item: DuePurge, record: PurgeRecord): Promise<boolean>;
  /** Step 2b, after the data is deleted: removes a recorded purge item. */
  finish(item: DuePurge): Promise<void>;
  /** Removes a purge item that was not recorded and no longer has work (the instance moved on). */
  discard(item: DuePurge, purgeAt: Millis): Promise<void>;
}
