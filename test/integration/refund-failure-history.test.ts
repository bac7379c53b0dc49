/**
 * What a customer sees of a refund that failed at the payment provider: the whole path on
 * DynamoDB Local (ingest → quote → unsubscribe through the API handlers, the refund processor
 * with the Stripe adapter against the local fake, a signed webhook saying the refund failed),
 * then the order as `GET /unsubscribe-orders/{id}` answers it.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoProviderRefunds } from '#adapters/dynamo/provider-refunds.ts';
import { DynamoSettlementStore } from '#adapters/dynamo/settlement.ts';
import { createStripeClient, StripeProvider, verifyWebhook } from '#adapters/stripe-provider.ts';
import { toSqsEvent } from '#infra/local/lambda-events.ts';
import { type ApiHarness, apiHarness, confirmedUnsubscribe, orderBody } from '#test/support/api.ts';
import {
  type FakeRefund,
  type FakeStripe,
  signedRefundEvent,
  startFakeStripe,
  TEST_WEBHOOK_SECRET,
} from '#test/support/fake-stripe.ts';
import { recordingMetrics, silentLogger } from '#test/support/settlement-env.ts';

const A = 'acct-refund-failure';
let api: ApiHarness;
let fake: FakeStripe;

beforeAll(async () => {
  api = await apiHarness({ now: '2026-03-05T10:00:00.000Z' });
  fake = await startFakeStripe();
});
afterAll(async () => {
  await fake.close();
});

describe('a refund that failed at Stripe, as the API shows the order', () => {
  it('the history names the line that failed and the provider code, and no payment reference', async () => {
    const newCharge = fake.addCharge({ amount: 9_000 });
    const renewCharge = fake.addCharge({ amount: 3_000 });
    const orders = [
      {
        orderId: 'o-new',
        paidAt: '2026-03-02T02:00:00.000Z',
        periodEnd: '2026-04-02T02:00:00.000Z',
        cashPaid: 9_000,
        reference: newCharge.id,
      },
      {
        orderId: 'o-renew',
        type: 'RENEW' as const,
        paidAt: '2026-03-03T02:00:00.000Z',
        periodStart: '2026-04-02T02:00:00.000Z',
        periodEnd: '2026-05-02T02:00:00.000Z',
        cashPaid: 3_000,
        reference: renewCharge.id,
      },
    ];
    for (const order of orders) {
      const ingested = await api.call('POST', '/internal/orders', {
        account: 'billing',
        internal: true,
        body: orderBody(A, 'i-1', order),
      });
      expect(ingested.status).toBe(201);
    }
    const quote = await api.call('POST', '/instances/i-1/refund-quotes', {
      account: A,
      body: { kind: 'UNSUBSCRIBE' },
    });
    const unsubscribed = await api.call('POST', '/instances/i-1/unsubscriptions', {
      account: A,
      body: confirmedUnsubscribe(quote.body.quoteId, quote.body.refundType),
      headers: { 'idempotency-key': 'refund-failure' },
    });
    expect(unsubscribed.status).toBe(202);
    const unsubscribeOrderId: string = unsubscribed.body.unsubscribeOrderId;

    // Stripe accepts both refunds as pending; later the renewal's card refund fails.
    const clock = { now: () => api.now() };
    const orderStore = new DynamoSettlementStore(api.table);
    const stripe = createStripeClient(fake.apiKey, { ...fake.clientOptions, timeoutMs: 2_000 });
    fake.refundStatus = 'pending';
    const [{ createRefundProcessorHandler }, { createStripeWebhookHandler }] = await Promise.all([
      import('#functions/refund-processor.ts'),
      import('#functions/stripe-webhook.ts'),
    ]);
    const processor = createRefundProcessorHandler({
      orders: orderStore,
      provider: new StripeProvider(stripe),
      clock,
      logger: silentLogger(),
      metrics: recordingMetrics(),
    });
    const processed = await processor(
      toSqsEvent(
        [
          {
            MessageId: 'm-1',
            ReceiptHandle: 'r',
            Body: JSON.stringify({ accountId: A, unsubscribeOrderId }),
            Attributes: { ApproximateReceiveCount: '1' },
          },
        ],
        'arn:aws:sqs:us-east-1:000000000000:refunds',
        'us-east-1',
      ),
    );
    expect(processed.batchItemFailures).toEqual([]);

    const webhook = createStripeWebhookHandler({
      refunds: new DynamoProviderRefunds(api.table),
      orders: orderStore,
      clock,
      logger: silentLogger(),
      verify: (input) =>
        verifyWebhook(stripe, { ...input, secret: TEST_WEBHOOK_SECRET, toleranceSeconds: 300 }),
    });
    const deliver = async (refund: FakeRefund) => {
      const { body, signature } = signedRefundEvent(refund, {
        timestampSeconds: Math.floor(api.now() / 1000),
      });
      const event = {
        version: '2.0',
        routeKey: 'POST /webhooks/stripe',
        rawPath: '/webhooks/stripe',
        rawQueryString: '',
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
        body,
        isBase64Encoded: false,
      } as unknown as APIGatewayProxyEventV2;
      return JSON.parse(String((await webhook(event)).body));
    };
    const refundFor = (charge: string) => {
      const refund = fake.refunds().find((r) => r.charge === charge);
      if (!refund) throw new Error(`no refund of ${charge} at Stripe`);
      return refund;
    };
    api.advance(60_000);
    const failedAt = new Date(api.now()).toISOString();
    expect(
      (await deliver(fake.finish(refundFor(renewCharge.id).id, 'failed', 'expired_or_canceled_card')))
        .outcome,
    ).toBe('CREDITED');
    api.advance(60_000);
    expect((await deliver(fake.finish(refundFor(newCharge.id).id, 'succeeded'))).outcome).toBe('SETTLED');

    const answer = await api.call('GET', `/unsubscribe-orders/${unsubscribeOrderId}`, { account: A });
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('SUCCEEDED');
    expect(answer.body.history).toContainEqual({
      status: 'PROCESSING',
      at: failedAt,
      note: 'REFUND_FAILED',
      orderId: 'o-renew',
      failureReason: 'expired_or_canceled_card',
    });
    expect(
      answer.body.lines.map((l: { orderId: string; destination: string }) => [l.orderId, l.destination]),
    ).toEqual([
      ['o-new', 'ORIGINAL_PAYMENT_METHOD'],
      ['o-renew', 'ACCOUNT_BALANCE'],
    ]);
    // Payment references (the charges) and the provider's refund ids are never shown.
    for (const secret of [newCharge.id, renewCharge.id, ...fake.refunds().map((r) => r.id)])
      expect(answer.raw).not.toContain(secret);

    const listed = await api.call('GET', '/unsubscribe-orders?instanceId=i-1', { account: A });
    expect(listed.body.items[0].history).toEqual(answer.body.history);
  });
});
