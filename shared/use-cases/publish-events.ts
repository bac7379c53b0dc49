/**
 * Publishes the domain events of a batch of stream records, in stream order (the transactional
 * outbox: each record is a committed change; `eventsFromRecord` says which facts it carries).
 *
 * Puts go out `EVENT_BUS_BATCH` events at a time. At the first put that fails, in part or
 * whole, it stops and names the first record that is not wholly published: the caller reports
 * it as the batch item failure, so the stream re-delivers from that record on. Events of that
 * record (or later ones) that the bus did accept are then put again — at-least-once, with the
 * same deterministic ids, so consumers that de-duplicate by id see each fact once.
 */
import { EVENT_BUS_BATCH, type EventBus } from '#ports/event-bus.ts';
import type { DomainEvent } from '#shared/events/derive.ts';

export interface ChangeRecord {
  /** The record's position in its shard (the stream's `SequenceNumber`). */
  sequenceNumber: string;
  events: readonly DomainEvent[];
}

export interface PublishOutcome {
  /** Every event of these records was accepted. */
  published: DomainEvent[];
  /** The first record not wholly published; it and every later record must be delivered again. */
  failedAt?: string;
  /** Why the put failed: the error, or how many entries the bus refused. */
  failure?: unknown;
}

export async function publishChanges(
  bus: EventBus,
  records: readonly ChangeRecord[],
): Promise<PublishOutcome> {
  const queue = records.flatMap((record, r) => record.events.map((event) => ({ event, record: r })));
  for (let start = 0; start < queue.length; start += EVENT_BUS_BATCH) {
    const chunk = queue.slice(start, start + EVENT_BUS_BATCH);
    let failed: number[];
    let failure: unknown;
    try {
      ({ failed } = await bus.put(chunk.map((c) => c.event)));
      failure =
        failed.length > 0 ? new Error(`${failed.length} of ${chunk.length} events refused`) : undefined;
    } catch (error) {
      failed = chunk.map((_, i) => i);
      failure = error;
    }
    if (failed.length > 0) {
      const first = (chunk[Math.min(...failed)] as (typeof chunk)[number]).record;
      // Records before the failed one were put whole (the queue is in record order).
      const published = queue.filter((c) => c.record < first).map((c) => c.event);
      return { published, failedAt: (records[first] as ChangeRecord).sequenceNumber, failure };
    }
  }
  return { published: queue.map((c) => c.event) };
}
