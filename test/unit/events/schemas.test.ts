import { readFileSync } from 'node:fs';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { eventJsonSchemas } from '#infra/openapi/document.ts';
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

  it('are checked in as versioned JSON Schemas, one per type', () => {
    const schemas = eventJsonSchemas();
    expect(Object.keys(schemas).sort()).toEqual(EVENT_TYPES.map((t) => `${t}.v1.schema.json`).sort());
    for (const [file, json] of Object.entries(schemas))
      expect(readFileSync(`docs/events/${file}`, 'utf8')).toBe(json);
  });
});
