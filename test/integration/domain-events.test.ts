/**
 * Domain events end to end on the local runtime: committed changes → DynamoDB Local's stream →
 * the real event-publisher handler → the EventBridge SDK → the local bus. Each flow yields
 * exactly its events; a publisher that crashes or is refused mid-batch re-publishes, and a
 * consumer that de-duplicates by id still sees each fact once.
 */
import { randomUUID } from 'node:crypto';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EventBridgeBus } from '#adapters/eventbridge-bus.ts';
import type { LocalHandler } from '#infra/local/functions.ts';
import { type LocalRuntime, startLocalRuntime } from '#infra/local/runtime.ts';
import { DEMO_ACCOUNT } from '#infra/local/seed.ts';
import { type DomainEvent, EVENT_VERSIONS } from '#shared/events/derive.ts';
import { eventFactMismatches, watchTable } from '#test/support/events.ts';

let runtime: LocalRuntime;
/** Set by a test: the publisher's next invocation puts its events, then crashes before answering. */
let crashAfterPut = false;
let crashes = 0;

/** The real publisher handler over the real EventBridge adapter, with a crash the test can arm. */
function crashingPublisher(): LocalHandler {
  let real: ((event: DynamoDBStreamEvent) => Promise<unknown>) | undefined;
  return async (event: never) => {
    if (!real) {
      const { createEventPublisherHandler } = await import('#functions/event-publisher.ts');
      const bus = new EventBridgeBus(new EventBridgeClient({}), String(process.env.EVENT_BUS_NAME));
      real = createEventPublisherHandler({
        bus,
        logger: { debug() {}, info() {}, warn() {}, error() {}, addContext() {} },
      });
    }
    const answer = await real(event);
    if (crashAfterPut) {
      crashAfterPut = false;
      crashes++;
      throw new Error('crashed after PutEvents, before answering');
    }
    return answer;
  };
}

beforeAll(async () => {
  const suffix = randomUUID().slice(0, 8);
  runtime = await startLocalRuntime({
    seed: true,
    schedule: false,
    visibilityTimeoutSeconds: 1,
    tableName: `events-${suffix}`,
    queuePrefix: `events-${suffix}-`,
    emulators: { dynamoEndpoint: inject('dynamoEndpoint'), sqsEndpoint: inject('sqsEndpoint') },
    handlers: { 'event-publisher': crashingPublisher() },
    log: () => {},
  });
  watchTable(runtime.tableName);
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

async function call(method: string, path: string, json?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${runtime.token(DEMO_ACCOUNT)}`,
      ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

async function unsubscribe(instanceId: string): Promise<string> {
  const quote = await call('POST', `/instances/${instanceId}/refund-quotes`, { kind: 'UNSUBSCRIBE' });
  expect(quote.status).toBe(201);
  const order = await call(
    'POST',
    `/instances/${instanceId}/unsubscriptions`,
    {
      quoteId: quote.body.quoteId,
      refundType: quote.body.refundType,
      confirmations: { rulesAndAmountConfirmed: true, dataBackupConfirmed: true },
      reason: { code: 'OTHER', text: 'a private reason' },
    },
    { 'idempotency-key': `events-${instanceId}` },
  );
  expect(order.status).toBe(202);
  return String(order.body.unsubscribeOrderId);
}

/** The de-duplicated events about one instance, once `count` of them have arrived (or 30 s passed). */
async function eventsAbout(instanceId: string, count: number): Promise<DomainEvent[]> {
  const about = () => {
    const orders = new Set(
      runtime.eventBus
        .events()
        .filter((e) => e.data.instanceId === instanceId && typeof e.data.unsubscribeOrderId === 'string')
        .map((e) => e.data.unsubscribeOrderId),
    );
    return runtime.eventBus
      .events()
      .filter((e) => e.data.instanceId === instanceId || orders.has(e.data.unsubscribeOrderId as string));
  };
  const deadline = Date.now() + 30_000;
  while (about().length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  // A little longer, so an extra (wrong) event would be seen too.
  await new Promise((r) => setTimeout(r, 500));
  return about();
}

const summary = (events: DomainEvent[]) =>
  events.map((e) => [e.type, e.data.destination ?? e.data.cause ?? e.data.kind ?? null]);

/** The events of the accepting transaction (its items' stream records may come in either order) sorted, then the rest. */
const accepted = (events: DomainEvent[], first = 2) => [
  ...summary(events.slice(0, first)).sort(),
  ...summary(events.slice(first)),
];

describe('each flow yields exactly its events', () => {
  it('unsubscribe, settle to the card, purge both kinds: unsubscribed, settled, succeeded, purged ×2, released', async () => {
    const id = await unsubscribe('demo-fresh');
    expect(accepted(await eventsAbout('demo-fresh', 4))).toEqual([
      ['InstanceUnsubscribed', null],
      ['UnsubscribeOrderAccepted', 'UNSUBSCRIBE'],
      ['RefundLineSettled', 'ORIGINAL_PAYMENT_METHOD'],
      ['UnsubscribeOrderSucceeded', null],
    ]);
    const later = new Date(Date.now() + 8 * 86_400_000).toISOString();
    expect((await call('POST', '/local/purger-runs', { time: later })).status).toBe(200);
    const events = await eventsAbout('demo-fresh', 7);
    // The purger purges the two kinds independently (either may commit first); the release is last.
    expect(summary(events).slice(4, 6).sort()).toEqual([
      ['RetentionDataPurged', 'CONFIG'],
      ['RetentionDataPurged', 'LOG'],
    ]);
    expect(summary(events).slice(6)).toEqual([['InstanceReleased', null]]);
    expect(events[2]?.data).toMatchObject({ unsubscribeOrderId: id, refundAmount: 99900, currency: 'USD' });
    expect(JSON.stringify(events)).not.toMatch(/private reason|card-|closed-/);
  });

  it('a refused card: settled to the balance, credited once with its cause', async () => {
    await unsubscribe('demo-closed');
    expect(accepted(await eventsAbout('demo-closed', 5))).toEqual([
      ['InstanceUnsubscribed', null],
      ['UnsubscribeOrderAccepted', 'UNSUBSCRIBE'],
      ['RefundLineSettled', 'ACCOUNT_BALANCE'],
      ['AccountBalanceCredited', 'PROVIDER_REFUSED'],
      ['UnsubscribeOrderSucceeded', null],
    ]);
  });

  it('a renewal cancellation: cancelled, settled, succeeded', async () => {
    const quote = await call('POST', '/instances/demo-renewing/refund-quotes', { kind: 'CANCEL_RENEWAL' });
    const order = await call(
      'POST',
      '/instances/demo-renewing/renewal-cancellations',
      {
        quoteId: quote.body.quoteId,
        updatedExpirationTime: quote.body.updatedExpirationTime,
        confirmations: { rulesAndAmountConfirmed: true },
      },
      { 'idempotency-key': 'events-renewal' },
    );
    expect(order.status).toBe(202);
    expect(summary(await eventsAbout('demo-renewing', 4))).toEqual([
      ['UnsubscribeOrderAccepted', 'CANCEL_RENEWAL'],
      ['RenewalCancelled', null],
      ['RefundLineSettled', 'ORIGINAL_PAYMENT_METHOD'],
      ['UnsubscribeOrderSucceeded', null],
    ]);
  });
});

describe('a publisher failing mid-batch', () => {
  it('crashes after its put: the batch is re-published, duplicates reach the bus, a de-duplicating consumer sees each fact once', async () => {
    const deliveredBefore = runtime.eventBus.deliveries().length;
    crashAfterPut = true;
    await unsubscribe('demo-flaky');
    const events = await eventsAbout('demo-flaky', 4);
    expect(crashes).toBe(1);
    expect(accepted(events)).toEqual([
      ['InstanceUnsubscribed', null],
      ['UnsubscribeOrderAccepted', 'UNSUBSCRIBE'],
      ['RefundLineSettled', 'ORIGINAL_PAYMENT_METHOD'],
      ['UnsubscribeOrderSucceeded', null],
    ]);
    const ids = runtime.eventBus
      .deliveries()
      .slice(deliveredBefore)
      .map((d) => d.event.id);
    expect(ids.length).toBeGreaterThan(new Set(ids).size);
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.id)));
  });

  it('has an entry refused by the bus: that record is read again, and its event arrives once', async () => {
    runtime.eventBus.refuseNext(1);
    const ingest = await fetch(`${runtime.url}/internal/orders`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${runtime.token('billing', { internal: true })}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        accountId: DEMO_ACCOUNT,
        instanceId: 'events-refused',
        product: 'waf',
        edition: 'Pro',
        billingMethod: 'SUBSCRIPTION',
        currency: 'USD',
        order: {
          orderId: 'events-refused-new',
          type: 'NEW',
          paidAt: new Date(Date.now() - 86_400_000).toISOString(),
          periodStart: new Date(Date.now() - 86_400_000).toISOString(),
          periodEnd: new Date(Date.now() + 29 * 86_400_000).toISOString(),
          cashPaid: 5000,
          voucherPaid: 0,
          paymentMethod: { type: 'CARD', reference: 'card-4242' },
        },
      }),
    });
    expect(ingest.status).toBe(201);
    await unsubscribe('events-refused');
    const events = await eventsAbout('events-refused', 4);
    // The refused event arrives after the retry, so after the ones accepted with or after it.
    expect(summary(events).sort()).toEqual([
      ['InstanceUnsubscribed', null],
      ['RefundLineSettled', 'ORIGINAL_PAYMENT_METHOD'],
      ['UnsubscribeOrderAccepted', 'UNSUBSCRIBE'],
      ['UnsubscribeOrderSucceeded', null],
    ]);
    expect(runtime.eventBus.refusals()).toBe(0);
    const refusedTypes = runtime.eventBus
      .deliveries()
      .filter((d) => d.event.data.instanceId === 'events-refused');
    expect(new Set(refusedTypes.map((d) => d.event.id)).size).toBe(4);
  });
});

describe('the events-to-facts check itself', () => {
  const order = {
    pk: 'ACCT#a-1',
    sk: 'UORDER#uo-1',
    unsubscribeOrderId: 'uo-1',
    instanceId: 'i-1',
    type: 'UNSUBSCRIBE',
    status: 'SUCCEEDED',
    currency: 'USD',
    refundAmount: 100,
    slaBreached: false,
    history: [],
    lines: [{ orderId: 'o-1', status: 'SETTLED', settledTo: 'ORIGINAL_PAYMENT_METHOD', refundAmount: 100 }],
  };
  const event = (type: DomainEvent['type'], data: DomainEvent['data'], id: string): DomainEvent => ({
    id: id.padStart(32, '0'),
    type,
    version: EVENT_VERSIONS[type],
    accountId: 'a-1',
    occurredAt: '2026-03-05T10:00:00.000Z',
    data,
  });
  const base = { unsubscribeOrderId: 'uo-1', instanceId: 'i-1', currency: 'USD', refundAmount: 100 };
  const settled = event(
    'RefundLineSettled',
    { ...base, orderId: 'o-1', destination: 'ORIGINAL_PAYMENT_METHOD' },
    'a',
  );
  const succeeded = event('UnsubscribeOrderSucceeded', base, 'b');
  const acceptedEvent = event(
    'UnsubscribeOrderAccepted',
    { ...base, kind: 'UNSUBSCRIBE', refundType: 'PARTIAL_REFUND', dueBy: '2026-03-07T16:00:00.000Z' },
    'f',
  );

  it('accepts exactly the facts', () => {
    expect(eventFactMismatches([order], [acceptedEvent, settled, succeeded])).toEqual([]);
  });

  it('finds a missing event, an extra one, a duplicate, a wrong destination and a schema violation', () => {
    expect(eventFactMismatches([order], [acceptedEvent, settled])).toEqual([
      expect.stringMatching(/^UnsubscribeOrderSucceeded: the table says/),
    ]);
    expect(eventFactMismatches([order], [settled, succeeded])).toEqual([
      expect.stringMatching(/^UnsubscribeOrderAccepted: the table says/),
    ]);
    expect(
      eventFactMismatches(
        [order],
        [acceptedEvent, settled, succeeded, event('SlaBreached', { ...base }, 'c')],
      ),
    ).toEqual([
      expect.stringMatching(/SlaBreached .* does not match its schema/),
      expect.stringMatching(/^SlaBreached: the table says \[\]/),
    ]);
    expect(eventFactMismatches([order], [acceptedEvent, settled, succeeded, succeeded])).toEqual([
      expect.stringMatching(/^duplicate event id/),
      expect.stringMatching(/^UnsubscribeOrderSucceeded: the table says/),
    ]);
    const toBalance = event(
      'RefundLineSettled',
      { ...base, orderId: 'o-1', destination: 'ACCOUNT_BALANCE' },
      'a',
    );
    expect(eventFactMismatches([order], [acceptedEvent, toBalance, succeeded])).toEqual([
      expect.stringMatching(/^RefundLineSettled: the table says/),
    ]);
  });

  it('an instance must have as many unsubscriptions as restores, plus one while it is unsubscribed', () => {
    const instance = { pk: 'ACCT#a-1', sk: 'INST#i-1', instanceId: 'i-1', status: 'UNSUBSCRIBED' };
    const born = new Map([['a-1|i-1', 'ACTIVE']]);
    const unsubscribed = event('InstanceUnsubscribed', { instanceId: 'i-1', instanceVersion: 2 }, 'd');
    expect(eventFactMismatches([instance], [unsubscribed], born)).toEqual([]);
    expect(eventFactMismatches([instance], [], born)).toEqual([expect.stringMatching(/^instance a-1\|i-1/)]);
    expect(
      eventFactMismatches(
        [{ ...instance, status: 'ACTIVE' }],
        [unsubscribed, event('InstanceRestored', { instanceId: 'i-1', instanceVersion: 3 }, 'e')],
        born,
      ),
    ).toEqual([]);
  });
});
