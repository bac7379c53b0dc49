import type { DomainEvent } from '#shared/events/derive.ts';

/**
 * Where domain events go (EventBridge in the cloud, the local runtime's bus locally).
 * At-least-once: a batch may be put again after a failure, so consumers de-duplicate by `id`.
 */
export interface EventBus {
  /**
   * Puts up to `EVENT_BUS_BATCH` events; resolves with the indexes of the events the bus did
   * not accept (empty when all were). Rejects when the call itself failed (none accepted, or unknown).
   */
  put(events: readonly DomainEvent[]): Promise<{ failed: number[] }>;
}

/** Most events per `put` (EventBridge's PutEvents takes at most 10 entries). */
export const EVENT_BUS_BATCH = 10;
