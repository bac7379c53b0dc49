/**
 * Stripe end to end on DynamoDB Local: the refund processor with the Stripe adapter (real SDK,
 * local fake of Stripe's API on 127.0.0.1), the webhook function with events signed by the
 * SDK's test helper, and the submitted-refund reconciler. Asserts what the table holds: line
 * states, the ledger (credits exactly once), history entries, the order's status.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keys } from '#adapters/dynamo/keys.ts';
import { DynamoLedger } from '#adapters/dynamo/ledger.ts';
import { DynamoProviderRefunds } from '#adapters/dynamo/provider-refunds.ts';
import { DynamoSettlementStore } from '#adapters/dynamo/settlement.ts';
import { createStripeClient, StripeProvider, verifyWebhook } from '#adapters/stripe-provider.ts';
import { toSqsEvent } from '#infra/local/lambda-events.ts';
import type { UnsubscribeOrder } from '#shared/model.ts';
import { presentUnsubscribeOrder } from '#shared/presenters.ts';
import {
  type FakeRefund,
  type FakeStripe,
  signedRefundEvent,
  startFakeStripe,
  TEST_WEBHOOK_SECRET,
} from '#test/support/fake-stripe.ts';
import {
  recordingMetrics,
  type SettlementEnv,
  settlementEnv,
  silentLogger,
} from '#test/support/settlement-env.ts';
import { ledgerOf, readItem, readOrder, seedOrder } from '#test/support/settlement-fixtures.ts';
import { getBalance } from '#use-cases/get-balance.ts';

let env: SettlementEnv;
let fake: FakeStripe;
let now = Date.parse('2026-12-02T10:00:00.000Z');
const clock = { now: () => now };

type Processor = ReturnType<typeof import('#functions/refund-processor.ts').createRefundProcessorHandler>;
type Webhook = ReturnType<typeof import('#functions/stripe-webhook.ts').createStripeWebhookHandler>;
type Reconciler = ReturnType<
  typeof import('#functions/submitted-reconciler.ts').createSubmittedReconcilerHandler
>;
let processor: Processor;
let webhook: Webhook;
let reconciler: Reconciler;
const HOUR = 3_600_000;

beforeAll(async () => {
  env = await settlementEnv({ prefix: 'stripe' });
  fake = await startFakeStripe();
  const stripe = createStripeClient(fake.apiKey, { ...fake.clientOptions, timeoutMs: 2_000 });
  const provider = new StripeProvider(stripe);
  const orders = new DynamoSettlementStore(env.table);
  const refunds = new DynamoProviderRefunds(env.table);
  const [
    { createRefundProcessorHandler },
    { createStripeWebhookHandler },
    { createSubmittedReconcilerHandler },
  ] = await Promise.all([
    import('#functions/refund-processor.ts'),
    import('#functions/stripe-webhook.ts'),
    import('#functions/submitted-reconciler.ts'),
  ]);
  processor = createRefundProcessorHandler({
    orders,
    provider,
    clock,
    logger: silentLogger(),
    metrics: recordingMetrics(),
  });
  webhook = createStripeWebhookHandler({
    refunds,
    orders,
    clock,
    logger: silentLogger(),
    verify: (input) =>
      verifyWebhook(stripe, { ...input, secret: TEST_WEBHOOK_SECRET, toleranceSeconds: 300 }),
  });
  reconciler = createSubmittedReconcilerHandler({
    refunds,
    submitted: refunds,
    source: provider,
    orders,
    clock,
    afterMs: HOUR,
    logger: silentLogger(),
  });
});
afterAll(async () => {
  await fake.close();
  env.close();
});
beforeEach(() => {
  fake.refundStatus = 'pending';
  env.clearFailures();
});

/** One unsubscribe order whose lines were paid by Stripe charges of these amounts. */
async function stripeOrder(amounts: number[]): Promise<UnsubscribeOrder> {
  const lines = amounts.map((amount, i) => {
    const charge = fake.addCharge({ amount: amount + 1000 });
    return { orderId: `o-${i + 1}`, amount, method: { type: 'CARD' as const, reference: charge.id } };
  });
  return seedOrder(env.table, { createdAt: new Date(now - 60_000).toISOString(), lines });
}

async function process(order: UnsubscribeOrder) {
  const event = toSqsEvent(
    [
      {
        MessageId: `${order.unsubscribeOrderId}-${Math.random()}`,
        ReceiptHandle: 'r',
        Body: JSON.stringify({ accountId: order.accountId, unsubscribeOrderId: order.unsubscribeOrderId }),
        Attributes: { ApproximateReceiveCount: '1' },
      },
    ],
    'arn:aws:sqs:us-east-1:000000000000:refunds',
    'us-east-1',
  );
  return processor(event);
}

function apiEvent(body: string, signature: string | undefined): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/stripe',
    rawPath: '/webhooks/stripe',
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      ...(signature ? { 'Stripe-Signature': signature } : {}),
    },
    body,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

async function deliver(
  refund: Partial<FakeRefund> & { id: string },
  options: { type?: string; timestampSeconds?: number } = {},
) {
  const { body, signature } = signedRefundEvent(refund, {
    timestampSeconds: Math.floor(now / 1000),
    ...options,
  });
  const result = await webhook(apiEvent(body, signature));
  return { status: result.statusCode, body: JSON.parse(String(result.body)) };
}

const reread = (order: UnsubscribeOrder) => readOrder(env.table, order.accountId, order.unsubscribeOrderId);
const balance = async (accountId: string) =>
  (await getBalance({ ledger: new DynamoLedger(env.table) }, accountId)).balances;
const refundOf = async (order: UnsubscribeOrder, index = 0) => {
  const id = (await reread(order)).lines[index]?.providerRefundId;
  const refund = fake.refunds().find((r) => r.id === id);
  if (!refund) throw new Error('no refund at Stripe for this line');
  return refund;
};

describe('pending refunds', () => {
  it('a pending refund leaves the line SUBMITTED and the order PROCESSING; nothing counts as settled', async () => {
    const order = await stripeOrder([4_000]);
    expect((await process(order)).batchItemFailures).toEqual([]);
    const submitted = await reread(order);
    expect(submitted.status).toBe('PROCESSING');
    expect(submitted.lines[0]).toMatchObject({
      status: 'SUBMITTED',
      settledTo: null,
      settledAt: null,
      providerRefundId: expect.stringMatching(/^re_/),
      submittedAt: now,
    });
    expect(presentUnsubscribeOrder(submitted).lines[0]).toMatchObject({
      status: 'SUBMITTED',
      settledAt: null,
    });
    expect(await ledgerOf(env.table, order.accountId)).toEqual([]);
    // A redelivery neither refunds again nor fails (the order waits for Stripe).
    expect((await process(order)).batchItemFailures).toEqual([]);
    expect(
      fake.refunds().filter((r) => r.metadata.unsubscribeOrderId === order.unsubscribeOrderId),
    ).toHaveLength(1);
  });

  it('pending → webhook succeeded: the line SETTLES to the card and the order SUCCEEDS', async () => {
    const order = await stripeOrder([4_000]);
    await process(order);
    const refund = fake.finish((await refundOf(order)).id, 'succeeded');
    now += 60_000;
    expect(await deliver(refund)).toEqual({ status: 200, body: { received: true, outcome: 'SETTLED' } });
    const settled = await reread(order);
    expect(settled.status).toBe('SUCCEEDED');
    expect(settled.lines[0]).toMatchObject({
      status: 'SETTLED',
      settledTo: 'ORIGINAL_PAYMENT_METHOD',
      settledAt: now,
    });
    expect(settled.settledAt).toBe(now);
    expect(await ledgerOf(env.table, order.accountId)).toEqual([]);
    // The lookup item stays on the reconciler's index: a settled refund can still fail (watched).
    const lookup = await readItem(env.table, keys.providerRefund(refund.id));
    expect(lookup?.pendingPk).toMatch(/^SUBMITTED#/);
  });

  it('pending → failed: credited to the balance once, with the failure code, even when delivered three times', async () => {
    const order = await stripeOrder([4_000]);
    await process(order);
    const refund = fake.finish((await refundOf(order)).id, 'failed', 'expired_or_canceled_card');
    const answers = [await deliver(refund), ...(await Promise.all([deliver(refund), deliver(refund)]))];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const credited = await reread(order);
    expect(credited.status).toBe('SUCCEEDED');
    expect(credited.lines[0]).toMatchObject({
      status: 'SETTLED',
      settledTo: 'ACCOUNT_BALANCE',
      providerFailure: 'expired_or_canceled_card',
    });
    const ledger = await ledgerOf(env.table, order.accountId);
    expect(ledger).toEqual([
      expect.objectContaining({ amount: 4_000, cause: 'PROVIDER_FAILED', orderId: 'o-1' }),
    ]);
    expect(await balance(order.accountId)).toEqual([{ currency: 'USD', amount: 4_000 }]);
    const notes = credited.history.filter((h) => h.note === 'REFUND_FAILED');
    expect(notes).toEqual([
      expect.objectContaining({ orderId: 'o-1', failureReason: 'expired_or_canceled_card' }),
    ]);
    expect(presentUnsubscribeOrder(credited).lines[0]?.destination).toBe('ACCOUNT_BALANCE');
  });

  it('out of order: a stale pending or succeeded event after the failure changes nothing', async () => {
    const order = await stripeOrder([2_500]);
    await process(order);
    const id = (await refundOf(order)).id;
    const pendingSnapshot = { ...(await refundOf(order)) };
    const failed = fake.finish(id, 'failed', 'declined');
    expect((await deliver(failed)).body.outcome).toBe('CREDITED');
    const before = await reread(order);
    expect((await deliver(pendingSnapshot)).body.outcome).toBe('NO_CHANGE');
    expect((await deliver({ ...failed, status: 'succeeded' })).body.outcome).toBe('NO_CHANGE');
    expect(await reread(order)).toEqual(before);
    expect(await ledgerOf(env.table, order.accountId)).toHaveLength(1);
  });

  it('two lines: the order stays PROCESSING until both are final (one settled, one credited)', async () => {
    const order = await stripeOrder([1_000, 2_000]);
    await process(order);
    const first = fake.finish((await refundOf(order, 0)).id, 'succeeded');
    await deliver(first);
    expect((await reread(order)).status).toBe('PROCESSING');
    const second = fake.finish((await refundOf(order, 1)).id, 'failed', 'lost_or_stolen_card');
    expect((await deliver(second)).body.outcome).toBe('CREDITED');
    const done = await reread(order);
    expect(done.status).toBe('SUCCEEDED');
    const settled = done.lines
      .filter((l) => l.settledTo === 'ORIGINAL_PAYMENT_METHOD')
      .reduce((n, l) => n + l.refundAmount, 0);
    const credited = (await ledgerOf(env.table, order.accountId)).reduce((n, e) => n + e.amount, 0);
    expect(settled + credited).toBe(done.refundAmount);
  });

  it('a crash while applying the webhook answers 500 and the redelivery applies it once', async () => {
    const order = await stripeOrder([3_000]);
    await process(order);
    const refund = fake.finish((await refundOf(order)).id, 'failed', 'declined');
    env.failOnce({
      match: (c) =>
        c.name === 'TransactWriteItemsCommand' && JSON.stringify(c.input).includes(order.unsubscribeOrderId),
      error: Object.assign(new Error('simulated crash'), { name: 'InternalServerError' }),
    });
    expect((await deliver(refund)).status).toBe(500);
    expect((await reread(order)).lines[0]?.status).toBe('SUBMITTED');
    expect((await deliver(refund)).body.outcome).toBe('CREDITED');
    expect(await ledgerOf(env.table, order.accountId)).toHaveLength(1);
  });
});

describe('failure after the refund settled', () => {
  it('a refund that succeeded and fails later is reversed to the balance, once; the order stays SUCCEEDED', async () => {
    fake.refundStatus = 'succeeded';
    const order = await stripeOrder([5_000]);
    await process(order);
    const settled = await reread(order);
    expect(settled.status).toBe('SUCCEEDED');
    expect(settled.lines[0]).toMatchObject({ status: 'SETTLED', settledTo: 'ORIGINAL_PAYMENT_METHOD' });
    const settledAt = settled.lines[0]?.settledAt;

    const failed = fake.finish((await refundOf(order)).id, 'failed', 'charge_for_pending_refund_disputed');
    now += 3 * 86_400_000;
    const answers = await Promise.all([deliver(failed), deliver(failed, { type: 'refund.failed' })]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    // Racing deliveries: either one reverses and one finds it done, or both see the reversal (one applied).
    for (const answer of answers) expect(['REVERSED', 'NO_CHANGE']).toContain(answer.body.outcome);
    const reversed = await reread(order);
    expect(reversed.status).toBe('SUCCEEDED');
    expect(reversed.lines[0]).toMatchObject({ settledTo: 'ACCOUNT_BALANCE', settledAt });
    expect(await ledgerOf(env.table, order.accountId)).toEqual([
      expect.objectContaining({ amount: 5_000, cause: 'PROVIDER_REVERSED' }),
    ]);
    expect(reversed.history.filter((h) => h.note === 'REFUND_REVERSED')).toHaveLength(1);
    // A late "succeeded" (older event) does not undo the reversal.
    expect((await deliver({ ...failed, status: 'succeeded' })).body.outcome).toBe('NO_CHANGE');
    expect(await balance(order.accountId)).toEqual([{ currency: 'USD', amount: 5_000 }]);
  });
});

describe('refused webhooks change nothing', () => {
  async function submittedOrder() {
    const order = await stripeOrder([1_500]);
    await process(order);
    return { order, refund: fake.finish((await refundOf(order)).id, 'failed', 'declined') };
  }

  it('an unknown refund id: 200 (Stripe stops retrying), nothing changes', async () => {
    const { order } = await submittedOrder();
    const before = await reread(order);
    const answer = await deliver({ id: 're_unknown123', status: 'failed', failure_reason: 'declined' });
    expect(answer).toEqual({ status: 200, body: { received: true, outcome: 'UNKNOWN_REFUND' } });
    expect(await reread(order)).toEqual(before);
    expect(await readItem(env.table, keys.providerRefund('re_unknown123'))).toBeUndefined();
  });

  it('a bad signature: 400, nothing changes', async () => {
    const { order, refund } = await submittedOrder();
    const before = await reread(order);
    const { body, signature } = signedRefundEvent(refund, {
      secret: 'whsec_wrong',
      timestampSeconds: Math.floor(now / 1000),
    });
    const answers = [
      await webhook(apiEvent(body, signature)),
      await webhook(apiEvent(body, undefined)),
      await webhook(apiEvent(body.replace('declined', 'xdeclined'), signedRefundEvent(refund).signature)),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([400, 400, 400]);
    expect(JSON.parse(String(answers[0]?.body)).error.code).toBe('VALIDATION_FAILED');
    expect(await reread(order)).toEqual(before);
    expect(await ledgerOf(env.table, order.accountId)).toEqual([]);
  });

  it('an event older than the tolerance (a replay): 400, nothing changes', async () => {
    const { order, refund } = await submittedOrder();
    const before = await reread(order);
    const answer = await deliver(refund, { timestampSeconds: Math.floor(now / 1000) - 301 });
    expect(answer.status).toBe(400);
    expect(await reread(order)).toEqual(before);
  });
});

describe('lost webhooks: the submitted-refund reconciler', () => {
  it('asks Stripe after STRIPE_SUBMITTED_RECONCILE_AFTER and applies the answer as a webhook would', async () => {
    // Earlier tests left refunds pending at Stripe: they are answered now, so this run starts clean.
    for (const r of fake.refunds()) if (r.status === 'pending') fake.finish(r.id, 'succeeded');
    now = Date.parse('2027-01-10T10:00:00.000Z');
    expect(await reconciler({ time: new Date(now).toISOString() })).toMatchObject({ failed: 0 });
    const order = await stripeOrder([7_000]);
    await process(order);
    const submittedAt = now;
    const time = (ms: number) => ({ time: new Date(ms).toISOString() });

    // Not overdue yet: nobody asks Stripe.
    expect(await reconciler(time(submittedAt + HOUR - 1))).toMatchObject({ checked: 0 });
    // Overdue but still pending at Stripe: nothing changes, asked again one hour later.
    expect(await reconciler(time(submittedAt + HOUR + 1))).toMatchObject({ checked: 1, stillPending: 1 });
    expect((await reread(order)).lines[0]?.status).toBe('SUBMITTED');
    expect(await reconciler(time(submittedAt + HOUR + 2))).toMatchObject({ checked: 0 });

    // The refund failed at Stripe and the webhook was lost.
    fake.finish((await refundOf(order)).id, 'failed', 'expired_or_canceled_card');
    now = submittedAt + 3 * HOUR;
    expect(await reconciler(time(now))).toMatchObject({ checked: 1, finished: 1, failed: 0 });
    const credited = await reread(order);
    expect(credited.status).toBe('SUCCEEDED');
    expect(credited.lines[0]).toMatchObject({
      settledTo: 'ACCOUNT_BALANCE',
      providerFailure: 'expired_or_canceled_card',
    });
    expect(await ledgerOf(env.table, order.accountId)).toHaveLength(1);
    // Done: off the index; a late webhook changes nothing.
    expect(await reconciler(time(now + 10 * HOUR))).toMatchObject({ checked: 0 });
    expect((await deliver(await refundOf(order))).body.outcome).toBe('NO_CHANGE');
    expect(await ledgerOf(env.table, order.accountId)).toHaveLength(1);
  });

  it('a refund settled to the card that fails later with the webhook lost is reversed by the reconciler', async () => {
    for (const r of fake.refunds()) if (r.status === 'pending') fake.finish(r.id, 'succeeded');
    now = Date.parse('2027-03-01T10:00:00.000Z');
    // Everything earlier is past its watch window by now: those refunds stop being watched.
    await reconciler({ time: new Date(now + 40 * 86_400_000).toISOString() });
    expect(await reconciler({ time: new Date(now + 41 * 86_400_000).toISOString() })).toMatchObject({
      checked: 0,
    });

    fake.refundStatus = 'succeeded';
    const order = await stripeOrder([6_000]);
    await process(order);
    const start = now;
    const time = (ms: number) => ({ time: new Date(ms).toISOString() });
    expect((await reread(order)).status).toBe('SUCCEEDED');
    // Checked after 1 h, still succeeded: nothing changes, next check later (the interval grows).
    expect(await reconciler(time(start + HOUR + 1))).toMatchObject({ checked: 1, finished: 0 });
    expect(await reconciler(time(start + HOUR + 2))).toMatchObject({ checked: 0 });
    // Two days later the bank returns it; the webhook is lost.
    fake.finish((await refundOf(order)).id, 'failed', 'declined');
    now = start + 2 * 86_400_000;
    expect(await reconciler(time(now))).toMatchObject({ checked: 1, finished: 1 });
    const reversed = await reread(order);
    expect(reversed.lines[0]).toMatchObject({ settledTo: 'ACCOUNT_BALANCE', providerFailure: 'declined' });
    expect(await ledgerOf(env.table, order.accountId)).toEqual([
      expect.objectContaining({ amount: 6_000, cause: 'PROVIDER_REVERSED' }),
    ]);
    expect(await reconciler(time(now + 60 * 86_400_000))).toMatchObject({ checked: 0 });
  });

  it('a refund that stays succeeded is no longer watched after STRIPE_FAILURE_WATCH_DAYS', async () => {
    fake.refundStatus = 'succeeded';
    now = Date.parse('2027-06-01T10:00:00.000Z');
    const order = await stripeOrder([800]);
    await process(order);
    const id = (await refundOf(order)).id;
    let checks = 0;
    for (let day = 1; day <= 40; day++) {
      const summary = await reconciler({ time: new Date(now + day * 86_400_000).toISOString() });
      checks += 'checked' in summary ? summary.checked : 0;
    }
    // A handful of checks over 30 days (the interval doubles), then none.
    expect(checks).toBeGreaterThan(2);
    expect(checks).toBeLessThan(10);
    expect((await readItem(env.table, keys.providerRefund(id)))?.pendingPk).toBeUndefined();
    expect((await reread(order)).lines[0]?.settledTo).toBe('ORIGINAL_PAYMENT_METHOD');
  });

  it('finds overdue refunds with a key range on the index, never a scan', async () => {
    env.resetCommands();
    await reconciler({ time: new Date(now + 100 * HOUR).toISOString() });
    expect(env.commands.some((c) => c.name === 'ScanCommand')).toBe(false);
    expect(
      env.commands.filter((c) => c.name === 'QueryCommand').every((c) => c.input.IndexName === 'pending'),
    ).toBe(true);
  });
});
