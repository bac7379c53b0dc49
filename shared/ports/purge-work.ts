/**
 * Hands purge work from the dispatcher to the workers: one item per shard of the due index
 * that has purges due. At-least-once and order-free as far as correctness goes (every purge
 * step is conditional, so a duplicate or a stale item only costs a few reads).
 */
import type { Millis } from '#shared/domain.ts';

/** Purge everything due at `now` (the dispatch's schedule time) on one shard. */
export interface PurgeWorkItem {
  shard: number;
  now: Millis;
}

export interface PurgeWorkQueue {
  send(items: readonly PurgeWorkItem[]): Promise<void>;
}
