/**
 * `EventBus` on an EventBridge custom bus: one PutEvents entry per domain event, `source`
 * `refund-service`, `detail-type` the event type, `detail` the whole event (with its
 * deterministic `id`, which consumers de-duplicate by; EventBridge's own id differs per put).
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventBus } from '#ports/event-bus.ts';
import type { DomainEvent } from '#shared/events/derive.ts';
import { EVENT_SOURCE } from '#shared/service.ts';

export class EventBridgeBus implements EventBus {
  readonly #client: EventBridgeClient;
  readonly #busName: string;

  /** Pass the process-wide client (created once, at cold start). */
  constructor(client: EventBridgeClient, busName: string) {
    this.#client = client;
    this.#busName = busName;
  }

  async put(events: readonly DomainEvent[]): Promise<{ failed: number[] }> {
    if (events.length === 0) return { failed: [] };
    const result = await this.#client.send(
      new PutEventsCommand({
        Entries: events.map((event) => ({
          EventBusName: this.#busName,
          Source: EVENT_SOURCE,
          DetailType: event.type,
          Time: new Date(event.occurredAt),
          Detail: JSON.stringify(event),
        })),
      }),
    );
    if (!result.FailedEntryCount) return { failed: [] };
    // Entries answer in request order; a failed one carries an ErrorCode instead of an EventId.
    const entries = result.Entries ?? [];
    const failed = events.flatMap((_, i) => (entries[i]?.EventId && !entries[i]?.ErrorCode ? [] : [i]));
    return { failed };
  }
}
