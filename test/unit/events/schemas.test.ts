import { readdirSync, readFileSync } from 'node:fs';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { eventJsonSchemas } from '#infra/openapi/document.ts';
import { EVENT_VERSIONS } from '#shared/events/derive.ts';
import { eventsFromRecord } from '#shared/events/from-record.ts';
import { EVENT_TYPES, eventSchema } from '#shared/events/schemas.ts';

const AT = Date.parse('2026-03-05T10:00:00.000Z');

function record(oldImage: Record<string, unknown> | null, newImage: Record<string, unknown>): DynamoDBRecord {
  const key = { pk: 'ACCT#a-1', sk: 'INST#i-1' };
  return {
    eventName: oldImage ? 'MODIFY' : 'INSERT',
    dynamodb: {
      Keys: marshall(key) as never,
      ...(oldImage ? { OldImage: marshall({ ...key, ...oldImage }) as never } : {}),
      NewImage: marshall({ ...key, ...newImage }) as never,
      ApproximateCreationDateTime: AT / 1000,
    },
  };
}

describe('event schemas', () => {
  it('every derived event of a stream record matches the schema of its type', () => {
    const events = eventsFromRecord(
      record(
        { instanceId: 'i-1', status: 'ACTIVE', version: 1 },
        { instanceId: 'i-1', status: 'UNSUBSCRIBED', version: 2, unsubscribedAt: AT },
      ),
    );
    expect(events.map((e) => e.type)).toEqual(['InstanceUnsubscribed']);
    for (const event of events) expect(z.safeParse(eventSchema(event.type), event).success).toBe(true);
    expect(z.safeParse(eventSchema('InstanceUnsubscribed'), { ...events[0], extra: 1 }).success).toBe(false);
  });

  it('are checked in as versioned JSON Schemas: every version of every type, the files current', () => {
    const schemas = eventJsonSchemas();
    const files = EVENT_TYPES.flatMap((type) =>
      Array.from({ length: EVENT_VERSIONS[type] }, (_, i) => `${type}.v${i + 1}.schema.json`),
    );
    expect(Object.keys(schemas).sort()).toEqual(files.sort());
    expect(readdirSync('docs/events').sort()).toEqual(files.sort());
    for (const [file, json] of Object.entries(schemas))
      expect(readFileSync(`docs/events/${file}`, 'utf8')).toBe(json);
  });

  it('v2 of the instance events adds instanceVersion; v1 stays as published (no instanceVersion allowed)', () => {
    const restored = {
      id: 'a'.repeat(32),
      type: 'InstanceRestored',
      accountId: 'a-1',
      occurredAt: '2026-04-10T15:30:40.000Z',
    } as const;
    const v2 = { ...restored, version: 2, data: { instanceId: 'i-1', instanceVersion: 4 } };
    const v1 = { ...restored, version: 1, data: { instanceId: 'i-1' } };
    expect(z.safeParse(eventSchema('InstanceRestored'), v2).success).toBe(true);
    expect(z.safeParse(eventSchema('InstanceRestored'), v1).success).toBe(false);
    expect(z.safeParse(eventSchema('InstanceRestored', 1), v1).success).toBe(true);
    expect(z.safeParse(eventSchema('InstanceRestored', 1), { ...v2, version: 1 }).success).toBe(false);
    expect(() => eventSchema('RefundLineSettled', 2)).toThrow(/no version 2/);
  });
});
