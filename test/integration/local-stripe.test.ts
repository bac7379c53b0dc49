/**
 * `npm start` with `PAYMENT_PROVIDER=stripe`, in-process: the functions read the key and the
 * webhook secret from the local Secrets Manager stand-in and call a Stripe-compatible server on
 * 127.0.0.1 (the fake of Stripe's API) through the real SDK. A lost webhook is caught by
 * `POST /local/reconciler-runs` at a chosen time; a delivered one is applied through the local
 * API, also when the local clock runs ahead (Stripe signs with the real time).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '#infra/local/runtime.ts';
import { watchTable } from '#test/support/events.ts';
import {
  type FakeStripe,
  signedRefundEvent,
  startFakeStripe,
  TEST_WEBHOOK_SECRET,
} from '#test/support/fake-stripe.ts';

const ACCOUNT = 'acct-stripe-local';
const DAY = 86_400_000;
const HOUR = 3_600_000;
let runtime: LocalRuntime;
let fake: FakeStripe;
const logs: string[] = [];

const suffix = randomUUID().slice(0, 8);

beforeAll(async () => {
  fake = await startFakeStripe();
  // Stripe takes the refunds and answers later: each line stays SUBMITTED until told.
  fake.refundStatus = 'pending';
  runtime = await startLocalRuntime({
    schedule: false,
    visibilityTimeoutSeconds: 2,
    log: (line) => logs.push(line),
    tableName: `local-stripe-${suffix}`,
    queuePrefix: `local-stripe-${suffix}-`,
    emulators: { dynamoEndpoint: inject('dynamoEndpoint'), sqsEndpoint: inject('sqsEndpoint') },
    stripe: { apiKey: fake.apiKey, webhookSecret: TEST_WEBHOOK_SECRET, api: fake.clientOptions },
  });
  watchTable(runtime.tableName);
});

afterAll(async () => {
  await runtime?.stop();
  await fake?.close();
});

type Body = Record<string, unknown>;

async function call(
  method: string,
  path: string,
  init: { token?: string; json?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Body }> {
  const body = init.raw ?? (init.json === undefined ? undefined : JSON.stringify(init.json));
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Body) : {} };
}

/** An instance bought a day ago with a charge at the fake, unsubscribed: its order id. */
async function unsubscribed(instanceId: string): Promise<string> {
  const charge = fake.addCharge({ amount: 50_000 });
  const bought = runtime.clock.now() - DAY;
  const ingested = await call('POST', '/internal/orders', {
    token: runtime.token('billing', { internal: true }),
    json: {
      accountId: ACCOUNT,
      instanceId,
      product: 'cloud-firewall',
      edition: 'Enterprise',
      billingMethod: 'SUBSCRIPTION',
      currency: 'USD',
      order: {
        orderId: `${instanceId}-new`,
        type: 'NEW',
        paidAt: new Date(bought).toISOString(),
        periodStart: new Date(bought).toISOString(),
        periodEnd: new Date(bought + 365 * DAY).toISOString(),
        cashPaid: 50_000,
        voucherPaid: 0,
        paymentMethod: { type: 'CARD', reference: charge.id },
      },
    },
  });
  expect(ingested.status).toBe(201);
  const token = runtime.token(ACCOUNT);
  const quote = await call('POST', `/instances/${instanceId}/refund-quotes`, {
    token,
    json: { kind: 'UNSUBSCRIBE' },
  });
  expect(quote.status).toBe(201);
  const order = await call('POST', `/instances/${instanceId}/unsubscriptions`, {
    token,
    headers: { 'idempotency-key': `local-stripe-${instanceId}` },
    json: {
      quoteId: quote.body.quoteId,
      refundType: quote.body.refundType,
      confirmations: { rulesAndAmountConfirmed: true, dataBackupConfirmed: true },
      reason: { code: 'NO_LONGER_NEEDED' },
    },
  });
  expect(order.status).toBe(202);
  return order.body.unsubscribeOrderId as string;
}

/** The order once `done(order)` holds (the poller and Stripe take a moment), or as it is after 30 s. */
async function orderWhen(id: string, done: (order: Body) => boolean): Promise<Body> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const order = (await call('GET', `/unsubscribe-orders/${id}`, { token: runtime.token(ACCOUNT) })).body;
    if (done(order) || Date.now() > deadline) return order;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const lineStatuses = (order: Body) => (order.lines as { status: string }[]).map((l) => l.status);
const submitted = (order: Body) => lineStatuses(order).every((s) => s === 'SUBMITTED');

/** The fake's refund for that order (its metadata names the order). */
const refundOf = (orderId: string) => {
  const refund = fake.refunds().find((r) => Object.values(r.metadata).includes(orderId));
  if (!refund) throw new Error(`no refund at the fake for ${orderId}`);
  return refund;
};

describe('local Stripe mode', () => {
  it('settles through Stripe: the refund is created at the Stripe-compatible server and the line is SUBMITTED', async () => {
    const id = await unsubscribed('stripe-lost');

    const order = await orderWhen(id, submitted);

    expect(lineStatuses(order)).toEqual(['SUBMITTED']);
    expect(order.status).toBe('PROCESSING');
    expect(refundOf(id)).toMatchObject({ amount: 50_000, status: 'pending' });
    expect(runtime.paymentProvider).toBe('stripe');
  });

  it('catches a lost webhook with POST /local/reconciler-runs at a time past the reconcile delay', async () => {
    const id = await unsubscribed('stripe-lost-2');
    await orderWhen(id, submitted);
    // Stripe finishes the refund, and its webhook never arrives.
    fake.finish(refundOf(id).id, 'succeeded');

    const early = await call('POST', '/local/reconciler-runs', { json: { time: new Date().toISOString() } });
    expect(early.status).toBe(200);
    expect(early.body).toMatchObject({ reconciler: { failed: 0 }, submittedReconciler: { checked: 0 } });
    expect((await orderWhen(id, () => true)).status).toBe('PROCESSING');

    const later = new Date(Date.now() + 2 * HOUR).toISOString();
    const response = await call('POST', '/local/reconciler-runs', { json: { time: later } });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      reconciler: { now: later },
      submittedReconciler: { now: later, failed: 0 },
    });
    expect((response.body.submittedReconciler as { finished: number }).finished).toBeGreaterThanOrEqual(1);
    const order = await orderWhen(id, (o) => o.status === 'SUCCEEDED');
    expect(order.status).toBe('SUCCEEDED');
    expect(lineStatuses(order)).toEqual(['SETTLED']);
  });

  it('applies a webhook delivered to POST /webhooks/stripe, signed with the configured secret (served by the local Secrets Manager)', async () => {
    const id = await unsubscribed('stripe-webhook');
    await orderWhen(id, submitted);
    const { body, signature } = signedRefundEvent(fake.finish(refundOf(id).id, 'succeeded'));

    const response = await call('POST', '/webhooks/stripe', {
      raw: body,
      headers: { 'stripe-signature': signature },
    });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ received: true });
    expect((await orderWhen(id, (o) => o.status === 'SUCCEEDED')).status).toBe('SUCCEEDED');
  });

  it('refuses a webhook signed with another secret (400), nothing changes', async () => {
    const id = await unsubscribed('stripe-forged');
    await orderWhen(id, submitted);
    const { body, signature } = signedRefundEvent(fake.finish(refundOf(id).id, 'succeeded'), {
      secret: 'whsec_someone_else',
    });

    const response = await call('POST', '/webhooks/stripe', {
      raw: body,
      headers: { 'stripe-signature': signature },
    });

    expect(response.status).toBe(400);
    expect((await orderWhen(id, () => true)).status).toBe('PROCESSING');
  });

  it('accepts a webhook Stripe signed just now while the local clock runs a day ahead', async () => {
    const id = await unsubscribed('stripe-ahead');
    await orderWhen(id, submitted);
    const moved = await call('POST', '/local/clock', { json: { offset: 'P1D' } });
    expect(moved.status).toBe(200);
    const { body, signature } = signedRefundEvent(fake.finish(refundOf(id).id, 'succeeded'));

    const response = await call('POST', '/webhooks/stripe', {
      raw: body,
      headers: { 'stripe-signature': signature },
    });
    await call('POST', '/local/clock', { json: { reset: true } });

    expect(response.status).toBe(200);
    const order = await orderWhen(id, (o) => o.status === 'SUCCEEDED');
    expect(order.status).toBe('SUCCEEDED');
    // Settled on the local clock's day.
    expect(Date.parse(order.settledAt as string)).toBeGreaterThan(Date.now() + DAY / 2);
  });

  it('answers 400 VALIDATION_FAILED for a reconciler run without a time', async () => {
    const response = await call('POST', '/local/reconciler-runs', { json: {} });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });
});
