import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it, vi } from 'vitest';
import { EventBridgeBus } from '#adapters/eventbridge-bus.ts';
import { createEventPublisherHandler } from '#functions/event-publisher.ts';
import { EVENT_BUS_BATCH, type EventBus } from '#ports/event-bus.ts';
import type { DomainEvent } from '#shared/events/derive.ts';
import { silentLogger } from '#test/support/settlement-env.ts';
import { publishChanges } from '#use-cases/publish-events.ts';

// The handler module reads its setting at import (cold start).
vi.hoisted(() => {
  process.env.EVENT_BUS_NAME ??= 'test-bus';
});

const AT = Date.parse('2026-03-05T10:00:00.000Z');

/** A stream record of instance `n` going ACTIVE → UNSUBSCRIBED (one InstanceUnsubscribed). */
function unsubscribed(n: number): DynamoDBRecord {
  const key = { pk: 'ACCT#a-1', sk: `INST#i-${n}` };
  const image = (status: string, version: number) =>
    marshall({ ...key, instanceId: `i-${n}`, status, version, unsubscribedAt: AT }) as never;
  return {
    eventName: 'MODIFY',
    dynamodb: {
      SequenceNumber: String(1000 + n).padStart(21, '0'),
      Keys: marshall(key) as never,
      OldImage: image('ACTIVE', 1),
      NewImage: image('UNSUBSCRIBED', 2),
      ApproximateCreationDateTime: AT / 1000,
    },
  };
}
const streamEvent = (records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });
const seq = (record: DynamoDBRecord) => record.dynamodb?.SequenceNumber as string;

/** A bus that records what it accepted and refuses what `refuse` says (by position in the put). */
function recordingBus(refuse: (call: number, index: number) => boolean | 'throw' = () => false) {
  const accepted: DomainEvent[] = [];
  const calls: number[] = [];
  const bus: EventBus = {
    async put(events) {
      const call = calls.push(events.length);
      if (events.some((_, i) => refuse(call, i) === 'throw')) throw new Error('connection reset');
      const failed = events.flatMap((_, i) => (refuse(call, i) ? [i] : []));
      accepted.push(...events.filter((_, i) => !failed.includes(i)));
      return { failed };
    },
  };
  return { bus, accepted, calls };
}

describe('publishing a batch of stream records', () => {
  it('puts every event in stream order, at most EVENT_BUS_BATCH per call', async () => {
    const records = Array.from({ length: 23 }, (_, n) => unsubscribed(n));
    const { bus, accepted, calls } = recordingBus();
    const handler = createEventPublisherHandler({ bus, logger: silentLogger() });

    const response = await handler(streamEvent(records));

    expect(response.batchItemFailures).toEqual([]);
    expect(calls).toEqual([EVENT_BUS_BATCH, EVENT_BUS_BATCH, 3]);
    expect(accepted.map((e) => e.data.instanceId)).toEqual(records.map((_, n) => `i-${n}`));
    expect(accepted.every((e) => e.type === 'InstanceUnsubscribed')).toBe(true);
  });

  it('items that carry no events are skipped without a put', async () => {
    const quote: DynamoDBRecord = {
      eventName: 'INSERT',
      dynamodb: {
        SequenceNumber: '1',
        Keys: marshall({ pk: 'ACCT#a-1', sk: 'QUOTE#q-1' }) as never,
        NewImage: marshall({ pk: 'ACCT#a-1', sk: 'QUOTE#q-1', quoteId: 'q-1' }) as never,
      },
    };
    const { bus, calls } = recordingBus();
    const response = await createEventPublisherHandler({ bus, logger: silentLogger() })(streamEvent([quote]));
    expect(response.batchItemFailures).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('an entry refused mid-batch reports its record; redelivery from there reaches a de-duplicating consumer once per fact', async () => {
    const records = Array.from({ length: 15 }, (_, n) => unsubscribed(n));
    // The second put (events 10–14) has its third entry (record 12) refused.
    let failing = true;
    const { bus, accepted } = recordingBus((call, index) => failing && call === 2 && index === 2);
    const handler = createEventPublisherHandler({ bus, logger: silentLogger() });

    const first = await handler(streamEvent(records));
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: seq(records[12] as DynamoDBRecord) }]);

    // Lambda re-delivers from the reported record on (what the bus accepted after it comes again).
    failing = false;
    const retry = await handler(streamEvent(records.slice(12)));
    expect(retry.batchItemFailures).toEqual([]);

    const deliveries = accepted.map((e) => e.id);
    expect(deliveries.length).toBe(15 + 2); // records 13 and 14 were accepted twice
    const consumer = new Map(accepted.map((e) => [e.id, e]));
    // Each fact once (EventBridge does not keep order: 13 and 14 arrived before 12's retry).
    expect([...consumer.values()].map((e) => e.data.instanceId).sort()).toEqual(
      records.map((_, n) => `i-${n}`).sort(),
    );
  });

  it('a put that throws (crash, timeout) reports the first record of that put; nothing earlier is reported', async () => {
    const records = Array.from({ length: 12 }, (_, n) => unsubscribed(n));
    const { bus, accepted } = recordingBus((call) => (call === 2 ? 'throw' : false));
    const outcome = await publishChanges(
      bus,
      records.map((r, n) => ({ sequenceNumber: seq(r), events: [eventOf(n)] })),
    );
    expect(outcome.failedAt).toBe(seq(records[10] as DynamoDBRecord));
    expect(outcome.published.map((e) => e.id)).toEqual(accepted.map((e) => e.id));
    expect(accepted).toHaveLength(10);
  });

  it('a record with several events is reported whole when one of its events is refused', async () => {
    const events = (r: number) => [eventOf(r * 10), eventOf(r * 10 + 1), eventOf(r * 10 + 2)];
    const records = [0, 1, 2, 3, 4].map((r) => ({ sequenceNumber: `s${r}`, events: events(r) }));
    // Events 9–11 belong to record 3; event 10 (second put, index 0) is refused.
    const { bus } = recordingBus((call, index) => call === 2 && index === 0);
    const outcome = await publishChanges(bus, records);
    expect(outcome.failedAt).toBe('s3');
    expect(outcome.published).toHaveLength(9);
  });
});

function eventOf(n: number): DomainEvent {
  return {
    id: n.toString(16).padStart(32, '0'),
    type: 'InstanceReleased',
    version: 1,
    accountId: 'a-1',
    occurredAt: new Date(AT).toISOString(),
    data: { instanceId: `i-${n}` },
  };
}

describe('EventBridge bus adapter', () => {
  it('sends one entry per event (source, detail-type, time, the event as detail) and maps refused entries', async () => {
    const eventBridge = mockClient(EventBridgeClient);
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'e-1' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }],
    });
    const bus = new EventBridgeBus(new EventBridgeClient({ region: 'eu-west-1' }), 'refund-events');

    const result = await bus.put([eventOf(1), eventOf(2)]);

    expect(result).toEqual({ failed: [1] });
    const input = eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input;
    expect(input?.Entries?.[0]).toEqual({
      EventBusName: 'refund-events',
      Source: 'refund-service',
      DetailType: 'InstanceReleased',
      Time: new Date(AT),
      Detail: JSON.stringify(eventOf(1)),
    });
    eventBridge.restore();
  });
});
