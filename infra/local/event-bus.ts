/**
 * The local stand-in for the EventBridge bus: a loopback HTTP endpoint that speaks the part of
 * EventBridge's JSON protocol the publisher uses (`AWSEvents.PutEvents`), so the event
 * publisher runs unchanged, with the real SDK and adapter, against
 * `AWS_ENDPOINT_URL_EVENTBRIDGE`. It keeps every delivery and shows them as a consumer that
 * de-duplicates by `detail.id` would: `GET /local/events`, and one log line per new event.
 * `refuseNext(n)` makes the next n entries fail as EventBridge can (tests).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DomainEvent } from '#shared/events/derive.ts';

export const LOCAL_EVENT_BUS_NAME = 'refund-service-local';
export const LOCAL_EVENTS_PATH = '/local/events';

export interface Delivery {
  eventBusName: string;
  source: string;
  detailType: string;
  event: DomainEvent;
}

export interface LocalEventBus {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** Every accepted entry, in arrival order (a redelivered event appears again). */
  deliveries(): Delivery[];
  /** What a consumer that de-duplicates by id holds: each event once, in first-arrival order. */
  events(): DomainEvent[];
  /** The next `count` entries are refused with `InternalFailure` (as EventBridge may). */
  refuseNext(count: number): void;
  /** Refusals still to come. */
  refusals(): number;
  stop(): Promise<void>;
}

interface PutEventsEntry {
  EventBusName?: string;
  Source?: string;
  DetailType?: string;
  Detail?: string;
}

export async function startLocalEventBus(
  log: (line: string) => void = () => {},
  /** Called with every accepted entry, redeliveries included (the rules' targets; infra/local/paperwork.ts). */
  onDelivery: (event: DomainEvent) => void = () => {},
): Promise<LocalEventBus> {
  const deliveries: Delivery[] = [];
  const seen = new Map<string, DomainEvent>();
  let refusals = 0;

  const answer = (entry: PutEventsEntry) => {
    if (refusals > 0) {
      refusals--;
      return { ErrorCode: 'InternalFailure', ErrorMessage: 'Refused by the local bus (test)' };
    }
    let event: DomainEvent;
    try {
      event = JSON.parse(entry.Detail ?? '') as DomainEvent;
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not JSON' };
    }
    deliveries.push({
      eventBusName: entry.EventBusName ?? 'default',
      source: entry.Source ?? '',
      detailType: entry.DetailType ?? '',
      event,
    });
    if (!seen.has(event.id)) {
      seen.set(event.id, event);
      log(`event ${event.type} ${event.id} (account ${event.accountId}, ${event.occurredAt})`);
    }
    onDelivery(event);
    return { EventId: randomUUID() };
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
        reply(400, { __type: 'UnknownOperationException', message: 'Only PutEvents is served locally' });
        return;
      }
      let entries: PutEventsEntry[];
      try {
        entries =
          (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: PutEventsEntry[] }).Entries ??
          [];
      } catch {
        reply(400, { __type: 'SerializationException', message: 'Body is not JSON' });
        return;
      }
      const results = entries.map(answer);
      reply(200, { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    deliveries: () => [...deliveries],
    events: () => [...seen.values()],
    refuseNext(count) {
      refusals = count;
    },
    refusals: () => refusals,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
