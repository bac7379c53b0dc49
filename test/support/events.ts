/**
 * Domain events in the integration suites: every table a harness creates is watched, and after
 * each test (test/integration/events-setup.ts) its stream is read through the real event
 * publisher and the events are checked against what the table now holds — each fact exactly
 * once (no more, no fewer), every event valid against its versioned schema. So every
 * transition of every suite, the race and redelivery tests included, is checked for its events.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { inject } from 'vitest';
import * as z from 'zod/mini';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#infra/local/emulators.ts';
import { StreamCursor } from '#infra/local/stream-reader.ts';
import type { DomainEvent } from '#shared/events/derive.ts';
import { eventSchema } from '#shared/events/schemas.ts';

type Item = Record<string, unknown>;

interface Watched {
  tableName: string;
  cursor?: StreamCursor;
  events: DomainEvent[];
  /** Status of each instance in its first stream image (seeded instances may start unsubscribed). */
  bornStatus: Map<string, string>;
  /** The last check found the events matching the table. */
  matched?: boolean;
}

const watched = new Map<string, Watched>();
let clients:
  | { dynamo: DynamoDBClient; streams: DynamoDBStreamsClient; doc: DynamoDBDocumentClient }
  | undefined;

function localClients() {
  if (!clients) {
    const config = {
      endpoint: inject('dynamoEndpoint'),
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    };
    const dynamo = new DynamoDBClient(config);
    clients = {
      dynamo,
      streams: new DynamoDBStreamsClient(config),
      doc: DynamoDBDocumentClient.from(dynamo),
    };
  }
  return clients;
}

/** The real publisher module; it reads EVENT_BUS_NAME at import (its bus is replaced below). */
async function publisherModule() {
  process.env.EVENT_BUS_NAME ??= 'integration-tests';
  return import('#functions/event-publisher.ts');
}

/** Checks this table's events after every test of the file (harnesses call it when they create a table). */
export function watchTable(tableName: string): void {
  if (!watched.has(tableName)) watched.set(tableName, { tableName, events: [], bornStatus: new Map() });
}

/** The events a watched table's stream has yielded so far, through the real publisher (for assertions on them). */
export async function publishedEvents(tableName: string): Promise<DomainEvent[]> {
  const table = watched.get(tableName);
  if (!table) throw new Error(`${tableName} is not watched`);
  await readNew(table);
  return [...table.events];
}

const instanceKey = (pk: string, sk: string) => `${pk.slice('ACCT#'.length)}|${sk.slice('INST#'.length)}`;

/** Reads what the stream has added since the last read, through the real publisher handler. */
async function readNew(table: Watched): Promise<number> {
  const { dynamo, streams } = localClients();
  table.cursor ??= await StreamCursor.open(dynamo, streams, table.tableName);
  const before = table.events.length;
  const publish = (await publisherModule()).createEventPublisherHandler({
    bus: {
      async put(events) {
        table.events.push(...events);
        return { failed: [] };
      },
    },
    logger: { debug() {}, info() {}, warn() {}, error() {}, addContext() {} },
  });
  await table.cursor.drain(async (event) => {
    for (const record of event.Records) noteBirth(table, record);
    return publish(event);
  });
  return table.events.length - before;
}

function noteBirth(table: Watched, record: DynamoDBRecord): void {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || !image) return;
  const item = unmarshall(image as never) as Item;
  const sk = String(item.sk);
  if (!sk.startsWith('INST#')) return;
  const key = instanceKey(String(item.pk), sk);
  if (!table.bornStatus.has(key)) table.bornStatus.set(key, String(item.status));
}

async function scan(tableName: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await localClients().doc.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

const DOWN = new Set(['UNSUBSCRIBED', 'RELEASED']);

interface OrderLine {
  orderId: string;
  status: string;
  settledTo?: string | null;
  submittedAt?: number;
}

/**
 * What is wrong between a table's items and the events its stream yielded (empty when each
 * fact has exactly its events). Pure, so it is itself tested with wrong event lists.
 */
export function eventFactMismatches(
  items: readonly Item[],
  events: readonly DomainEvent[],
  bornStatus: ReadonlyMap<string, string> = new Map(),
): string[] {
  const problems: string[] = [];
  const expected = new Map<string, string[]>();
  const expect = (type: string, key: string) => expected.set(type, [...(expected.get(type) ?? []), key]);
  let attentionEntries = 0;
  const instanceBalance = new Map<string, number>();

  for (const item of items) {
    const pk = String(item.pk);
    const sk = String(item.sk);
    if (!pk.startsWith('ACCT#')) continue;
    const account = pk.slice('ACCT#'.length);
    if (sk.startsWith('AUDIT#')) {
      expect('OperatorActionAudited', `${account}|${item.auditId}`);
    } else if (
      sk.startsWith('LEDGER#') &&
      (item.cause === 'GOODWILL_CREDIT' || item.cause === 'CORRECTING_DEBIT')
    ) {
      expect('AccountBalanceAdjusted', `${account}|${item.entryId}|${item.amount}`);
    } else if (sk.startsWith('LEDGER#')) {
      expect(
        'AccountBalanceCredited',
        `${account}|${item.unsubscribeOrderId}|${item.orderId}|${item.amount}`,
      );
    } else if (sk.startsWith('UORDER#')) {
      const uo = String(item.unsubscribeOrderId);
      const history = (item.history ?? []) as { status: string; note?: string; orderId?: string }[];
      expect('UnsubscribeOrderAccepted', `${account}|${uo}|${item.type}|${item.refundAmount}`);
      if (item.type === 'CANCEL_RENEWAL') expect('RenewalCancelled', `${account}|${uo}`);
      if (item.status === 'SUCCEEDED') expect('UnsubscribeOrderSucceeded', `${account}|${uo}`);
      if (item.slaBreached === true) expect('SlaBreached', `${account}|${uo}`);
      attentionEntries += history.filter((h) => h.status === 'NEEDS_ATTENTION').length;
      if (history.some((h) => h.status === 'NEEDS_ATTENTION') || item.status === 'NEEDS_ATTENTION')
        expect('UnsubscribeOrderNeedsAttention(order)', `${account}|${uo}`);
      for (const line of (item.lines ?? []) as OrderLine[]) {
        const reversed = history.some((h) => h.note === 'REFUND_REVERSED' && h.orderId === line.orderId);
        if (line.submittedAt !== undefined) expect('RefundLineSubmitted', `${account}|${uo}|${line.orderId}`);
        if (line.status === 'SETTLED') {
          const to = reversed ? 'ORIGINAL_PAYMENT_METHOD' : line.settledTo;
          expect('RefundLineSettled', `${account}|${uo}|${line.orderId}|${to}`);
        }
        if (reversed) expect('RefundLineReversed', `${account}|${uo}|${line.orderId}`);
      }
    } else if (sk.startsWith('INST#')) {
      const key = instanceKey(pk, sk);
      const instance = String(item.instanceId);
      const retention = (item.retention ?? {}) as Record<string, { status?: string }>;
      if (retention.configData?.status === 'PURGED')
        expect('RetentionDataPurged', `${account}|${instance}|CONFIG`);
      if (retention.logData?.status === 'PURGED') expect('RetentionDataPurged', `${account}|${instance}|LOG`);
      if (item.status === 'RELEASED') expect('InstanceReleased', `${account}|${instance}`);
      const born = bornStatus.get(key) ?? String(item.status);
      instanceBalance.set(key, Number(DOWN.has(String(item.status))) - Number(DOWN.has(born)));
    }
  }

  const actual = new Map<string, string[]>();
  const seen = new Set<string>();
  const add = (type: string, key: string) => actual.set(type, [...(actual.get(type) ?? []), key]);
  let attentionEvents = 0;
  for (const event of events) {
    if (seen.has(event.id)) problems.push(`duplicate event id ${event.id} (${event.type})`);
    seen.add(event.id);
    const parsed = z.safeParse(eventSchema(event.type), event);
    if (!parsed.success)
      problems.push(`${event.type} ${event.id} does not match its schema: ${parsed.error.message}`);
    const d = event.data;
    const a = event.accountId;
    switch (event.type) {
      case 'AccountBalanceCredited':
        add(event.type, `${a}|${d.unsubscribeOrderId}|${d.orderId}|${d.amount}`);
        break;
      case 'AccountBalanceAdjusted':
        add(event.type, `${a}|${d.entryId}|${d.amount}`);
        break;
      case 'OperatorActionAudited':
        add(event.type, `${a}|${d.auditId}`);
        break;
      case 'UnsubscribeOrderAccepted':
        add(event.type, `${a}|${d.unsubscribeOrderId}|${d.kind}|${d.refundAmount}`);
        break;
      case 'RenewalCancelled':
      case 'UnsubscribeOrderSucceeded':
      case 'SlaBreached':
        add(event.type, `${a}|${d.unsubscribeOrderId}`);
        break;
      case 'UnsubscribeOrderNeedsAttention':
        attentionEvents++;
        if (
          !(actual.get('UnsubscribeOrderNeedsAttention(order)') ?? []).includes(
            `${a}|${d.unsubscribeOrderId}`,
          )
        )
          add('UnsubscribeOrderNeedsAttention(order)', `${a}|${d.unsubscribeOrderId}`);
        break;
      case 'RefundLineSubmitted':
      case 'RefundLineReversed':
        add(event.type, `${a}|${d.unsubscribeOrderId}|${d.orderId}`);
        break;
      case 'RefundLineSettled':
        add(event.type, `${a}|${d.unsubscribeOrderId}|${d.orderId}|${d.destination}`);
        break;
      case 'RetentionDataPurged':
        add(event.type, `${a}|${d.instanceId}|${d.kind}`);
        break;
      case 'InstanceReleased':
        add(event.type, `${a}|${d.instanceId}`);
        break;
      case 'InstanceUnsubscribed':
      case 'InstanceRestored': {
        const key = `${a}|${d.instanceId}`;
        const step = event.type === 'InstanceUnsubscribed' ? 1 : -1;
        instanceBalance.set(key, (instanceBalance.get(key) ?? 0) - step);
        break;
      }
    }
  }

  for (const type of new Set([...expected.keys(), ...actual.keys()])) {
    const want = [...(expected.get(type) ?? [])].sort();
    const got = [...(actual.get(type) ?? [])].sort();
    if (JSON.stringify(want) !== JSON.stringify(got))
      problems.push(`${type}: the table says ${JSON.stringify(want)}, the events say ${JSON.stringify(got)}`);
  }
  if (attentionEvents > attentionEntries)
    problems.push(
      `${attentionEvents} UnsubscribeOrderNeedsAttention events for ${attentionEntries} history entries`,
    );
  for (const [key, balance] of instanceBalance) {
    if (balance !== 0)
      problems.push(
        `instance ${key}: InstanceUnsubscribed/InstanceRestored do not add up to its status (${balance})`,
      );
  }
  return problems;
}

/**
 * After a test: every watched table's events match its facts (throws with the differences).
 * A table with nothing new on its stream since its last good check is skipped. A mismatch is
 * looked at again a few times, a moment apart, before it fails the test: a background writer
 * (the local runtime's poller) may commit between the stream read and the scan, and a real
 * mismatch stays.
 */
export async function checkWatchedTables(): Promise<void> {
  const problems: string[] = [];
  for (const table of watched.values()) {
    const fresh = await readNew(table);
    if (fresh === 0 && (table.events.length === 0 || table.matched)) continue;
    let found: string[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      if (attempt > 0) {
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
        await readNew(table);
      }
      found = eventFactMismatches(await scan(table.tableName), table.events, table.bornStatus);
      if (found.length === 0) break;
    }
    table.matched = found.length === 0;
    for (const problem of found) problems.push(`${table.tableName}: ${problem}`);
  }
  if (problems.length > 0) throw new Error(`Domain events do not match the table:\n${problems.join('\n')}`);
}
