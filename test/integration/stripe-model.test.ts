/**
 * A model test of asynchronous refund outcomes on DynamoDB Local. fast-check generates orders
 * paid by card and each refund's fate at the provider (succeeds; fails while pending; succeeds
 * and fails later), then a sequence of: processor deliveries (also concurrent copies),
 * provider-side state changes (each emits a webhook event), webhook deliveries of any emitted
 * event (duplicated, reordered, or never: lost), submitted-refund reconciler runs, provider
 * outages, lost provider answers and crashes before a transaction. Then it drains (provider
 * up, every refund reaches its fate, webhooks still lost, the reconciler catches up).
 *
 * - during and after: no line is ever credited twice; a credit is the line's amount;
 * - after draining: every order SUCCEEDED; settled to the card + credited = quoted, and a line
 *   shown settled to the card has a refund that really succeeded at the provider (money marked
 *   refunded always arrived); a failed refund was always credited;
 * - the balance (`getBalance`) = the sum of the ledger entries; one provider refund per line.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableRef } from '#adapters/dynamo/client.ts';
import { DynamoLedger } from '#adapters/dynamo/ledger.ts';
import { DynamoProviderRefunds } from '#adapters/dynamo/provider-refunds.ts';
import { DynamoSettlementStore } from '#adapters/dynamo/settlement.ts';
import { toSqsEvent } from '#infra/local/lambda-events.ts';
import {
  type PaymentProvider,
  type ProviderRefundRequest,
  type ProviderRefundResult,
  TransientProviderError,
} from '#ports/payment-provider.ts';
import type { ProviderRefundUpdate, RefundStatusSource } from '#ports/refund-status.ts';
import type { UnsubscribeOrder } from '#shared/model.ts';
import {
  recordingMetrics,
  type SettlementEnv,
  settlementEnv,
  silentLogger,
} from '#test/support/settlement-env.ts';
import { ledgerOf, readOrder, seedOrder } from '#test/support/settlement-fixtures.ts';
import { getBalance } from '#use-cases/get-balance.ts';
import { reconcileSubmitted } from '#use-cases/reconcile-submitted.ts';

let env: SettlementEnv;
let modules: {
  processor: typeof import('#functions/refund-processor.ts');
  webhook: typeof import('#functions/stripe-webhook.ts');
};

beforeAll(async () => {
  env = await settlementEnv({ prefix: 'stripe-model' });
  const [processor, webhook] = await Promise.all([
    import('#functions/refund-processor.ts'),
    import('#functions/stripe-webhook.ts'),
  ]);
  modules = { processor, webhook };
});
afterAll(() => env.close());

/** What the provider will do with a line's refund. */
type Fate = 'succeeds' | 'fails' | 'succeedsThenFails';
type Status = 'pending' | 'succeeded' | 'failed';

interface ModelRefund {
  id: string;
  key: string;
  amount: number;
  fate: Fate;
  status: Status;
  /** The status changes still to come (the last is the fate's end). */
  next: Status[];
}

/** An asynchronous provider in memory: idempotent by key, answers `pending` or `succeeded`, changes later. */
class AsyncModelProvider implements PaymentProvider, RefundStatusSource {
  down = false;
  loseAnswers = 0;
  readonly refunds: ModelRefund[] = [];
  /** Every webhook event the provider emitted (a snapshot of the refund at that moment). */
  readonly outbox: ProviderRefundUpdate[] = [];
  readonly #fates: Map<string, { fate: Fate; pendingFirst: boolean }>;

  constructor(fates: Map<string, { fate: Fate; pendingFirst: boolean }>) {
    this.#fates = fates;
  }

  async refund(request: ProviderRefundRequest): Promise<ProviderRefundResult> {
    if (this.down) throw new TransientProviderError('outage');
    let refund = this.refunds.find((r) => r.key === request.idempotencyKey);
    if (!refund) {
      const plan = this.#fates.get(request.idempotencyKey) ?? { fate: 'succeeds', pendingFirst: true };
      const ends: Record<Fate, Status[]> = {
        succeeds: ['succeeded'],
        fails: ['failed'],
        succeedsThenFails: ['succeeded', 'failed'],
      };
      const path = ends[plan.fate];
      // A refund that fails can only fail from pending; one that succeeds may succeed at once.
      const startSucceeded = !plan.pendingFirst && plan.fate !== 'fails';
      refund = {
        id: `re_${randomUUID().replaceAll('-', '')}`,
        key: request.idempotencyKey,
        amount: request.amount,
        fate: plan.fate,
        status: startSucceeded ? 'succeeded' : 'pending',
        next: startSucceeded ? path.slice(1) : path,
      };
      this.refunds.push(refund);
    }
    if (this.loseAnswers > 0) {
      this.loseAnswers -= 1;
      throw new Error('answer lost');
    }
    return refund.status === 'succeeded'
      ? { outcome: 'SUCCEEDED', providerRefundId: refund.id }
      : { outcome: 'SUBMITTED', providerRefundId: refund.id };
  }

  async retrieve(providerRefundId: string): Promise<ProviderRefundUpdate> {
    if (this.down) throw new TransientProviderError('outage');
    const refund = this.refunds.find((r) => r.id === providerRefundId);
    if (!refund) throw new Error('no such refund');
    return snapshot(refund);
  }

  /** The provider moves refund `index` one step along its fate and emits the event. */
  advance(index: number): void {
    const refund = this.refunds[index % Math.max(1, this.refunds.length)];
    const status = refund?.next.shift();
    if (!refund || !status) return;
    refund.status = status;
    this.outbox.push(snapshot(refund));
  }
}

function snapshot(refund: ModelRefund): ProviderRefundUpdate {
  return refund.status === 'failed'
    ? { providerRefundId: refund.id, state: 'FAILED', failureReason: 'expired_or_canceled_card' }
    : { providerRefundId: refund.id, state: refund.status === 'succeeded' ? 'SUCCEEDED' : 'PENDING' };
}

type Step =
  | { type: 'process'; order: number; copies: number }
  | { type: 'advance'; refund: number }
  | { type: 'webhook'; event: number; copies: number }
  | { type: 'reconcile' }
  | { type: 'outage'; down: boolean }
  | { type: 'loseNextAnswer' }
  | { type: 'crashNextWrite' };

const lineArb = fc.record({
  amount: fc.integer({ min: 1, max: 500_000 }),
  fate: fc.constantFrom<Fate>('succeeds', 'fails', 'succeedsThenFails'),
  pendingFirst: fc.boolean(),
});

const stepArb = (orders: number): fc.Arbitrary<Step> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        type: fc.constant('process' as const),
        order: fc.integer({ min: 0, max: orders - 1 }),
        copies: fc.integer({ min: 1, max: 2 }),
      }),
    },
    { weight: 4, arbitrary: fc.record({ type: fc.constant('advance' as const), refund: fc.nat(20) }) },
    {
      weight: 5,
      arbitrary: fc.record({
        type: fc.constant('webhook' as const),
        event: fc.nat(30),
        copies: fc.integer({ min: 1, max: 2 }),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ type: 'reconcile' as const }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('outage' as const), down: fc.boolean() }) },
    { weight: 1, arbitrary: fc.constant({ type: 'loseNextAnswer' as const }) },
    { weight: 2, arbitrary: fc.constant({ type: 'crashNextWrite' as const }) },
  );

const scenarioArb = fc
  .array(fc.array(lineArb, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 3 })
  .chain((orders) =>
    fc.record({ orders: fc.constant(orders), steps: fc.array(stepArb(orders.length), { maxLength: 25 }) }),
  );

function sqsEvent(order: UnsubscribeOrder): SQSEvent {
  return toSqsEvent(
    [
      {
        MessageId: randomUUID(),
        ReceiptHandle: randomUUID(),
        Body: JSON.stringify({ accountId: order.accountId, unsubscribeOrderId: order.unsubscribeOrderId }),
        Attributes: { ApproximateReceiveCount: '1' },
      },
    ],
    'arn:aws:sqs:us-east-1:000000000000:model',
    'us-east-1',
  );
}

/** Never two credits for a line, and a credit is exactly the line's amount. */
async function checkNeverTwice(table: TableRef, orders: UnsubscribeOrder[], accountId: string) {
  const ledger = await ledgerOf(table, accountId);
  for (const seeded of orders) {
    const order = await readOrder(table, accountId, seeded.unsubscribeOrderId);
    for (const line of order.lines) {
      const credits = ledger.filter(
        (e) => e.unsubscribeOrderId === order.unsubscribeOrderId && e.orderId === line.orderId,
      );
      expect(credits.length).toBeLessThanOrEqual(1);
      for (const credit of credits) expect(credit.amount).toBe(line.refundAmount);
      if (credits.length === 1)
        expect(line).toMatchObject({ status: 'SETTLED', settledTo: 'ACCOUNT_BALANCE' });
    }
  }
}

describe('Stripe refund outcomes model', () => {
  it('webhooks duplicated, reordered and lost, crashes between steps: never two credits; settled + credited = quoted; balance = Σ ledger', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ orders: specs, steps }) => {
        const table = await env.newTable();
        const accountId = `acct-${randomUUID().slice(0, 8)}`;
        let now = Date.parse('2026-12-02T10:00:00.000Z');
        const clock = { now: () => now };
        const fates = new Map<string, { fate: Fate; pendingFirst: boolean }>();
        const orders = await Promise.all(
          specs.map(async (lines) => {
            const order = await seedOrder(table, {
              accountId,
              createdAt: new Date(now - 60_000).toISOString(),
              lines: lines.map((line, i) => ({
                orderId: `o-${i}`,
                amount: line.amount,
                method: { type: 'CARD' as const, reference: `ch_${i}` },
              })),
            });
            lines.forEach((line, i) => {
              fates.set(`${order.unsubscribeOrderId}:o-${i}`, line);
            });
            return order;
          }),
        );
        const provider = new AsyncModelProvider(fates);
        const orderStore = new DynamoSettlementStore(table);
        const refunds = new DynamoProviderRefunds(table);
        const process = modules.processor.createRefundProcessorHandler({
          orders: orderStore,
          provider,
          clock,
          logger: silentLogger(),
          metrics: recordingMetrics(),
        }) as (event: SQSEvent) => Promise<SQSBatchResponse>;
        const webhook = modules.webhook.createStripeWebhookHandler({
          refunds,
          orders: orderStore,
          clock,
          logger: silentLogger(),
          // The signature path has its own tests; here the body is the update itself.
          verify: ({ rawBody }) => ({ ok: true, update: JSON.parse(rawBody) as ProviderRefundUpdate }),
        });
        const deliver = (update: ProviderRefundUpdate) =>
          webhook({
            body: JSON.stringify(update),
            headers: {},
            isBase64Encoded: false,
          } as unknown as APIGatewayProxyEventV2);
        const reconcile = () =>
          reconcileSubmitted(
            { refunds, submitted: refunds, source: provider, orders: orderStore, clock },
            { now, afterMs: 3_600_000 },
          );
        const ofTable = (c: { input: Record<string, unknown> }) =>
          JSON.stringify(c.input).includes(table.tableName);

        try {
          for (const step of steps) {
            now += 60_000;
            if (step.type === 'outage') provider.down = step.down;
            else if (step.type === 'loseNextAnswer') provider.loseAnswers += 1;
            else if (step.type === 'crashNextWrite') {
              env.failOnce({
                match: (c) => c.name === 'TransactWriteItemsCommand' && ofTable(c),
                error: new Error('crash'),
              });
            } else if (step.type === 'advance') provider.advance(step.refund);
            else if (step.type === 'reconcile') {
              now += 2 * 3_600_000;
              await reconcile();
            } else if (step.type === 'webhook') {
              const event = provider.outbox[step.event % Math.max(1, provider.outbox.length)];
              if (event) await Promise.all(Array.from({ length: step.copies }, () => deliver(event)));
            } else {
              const order = orders[step.order] as UnsubscribeOrder;
              await Promise.all(Array.from({ length: step.copies }, () => process(sqsEvent(order))));
            }
          }
          await checkNeverTwice(table, orders, accountId);

          // Drain: no more faults; every refund reaches its fate; the webhooks are lost; the
          // reconciler (a few hours later each run) brings every final answer.
          provider.down = false;
          provider.loseAnswers = 0;
          env.clearFailures();
          for (let round = 0; round < 4; round++) {
            for (const order of orders) await process(sqsEvent(order));
          }
          for (let i = 0; i < provider.refunds.length; i++)
            while (provider.refunds[i]?.next.length) provider.advance(i);
          // Days apart, past the 30-day watch window of refunds settled to the card.
          for (let round = 0; round < 12; round++) {
            now += 5 * 86_400_000;
            const summary = await reconcile();
            if (summary.checked === 0) break;
          }

          await checkNeverTwice(table, orders, accountId);
          const ledger = await ledgerOf(table, accountId);
          for (const seeded of orders) {
            const order = await readOrder(table, accountId, seeded.unsubscribeOrderId);
            expect(order.status).toBe('SUCCEEDED');
            let toCard = 0;
            let credited = 0;
            for (const line of order.lines) {
              const key = `${order.unsubscribeOrderId}:${line.orderId}`;
              const made = provider.refunds.filter((r) => r.key === key);
              expect(made).toHaveLength(1);
              const credit = ledger.find((e) => e.entryId === key);
              expect(line.status).toBe('SETTLED');
              if (line.settledTo === 'ORIGINAL_PAYMENT_METHOD') {
                // Shown as refunded to the card: the money really arrived there.
                expect(made[0]?.status).toBe('succeeded');
                expect(credit).toBeUndefined();
                toCard += line.refundAmount;
              } else {
                // The refund failed (before or after it succeeded): credited once instead.
                expect(made[0]?.status).toBe('failed');
                expect(credit?.amount).toBe(line.refundAmount);
                credited += credit?.amount ?? 0;
              }
            }
            expect(toCard + credited).toBe(order.refundAmount);
          }
          const { balances } = await getBalance({ ledger: new DynamoLedger(table) }, accountId);
          const sum = ledger.reduce((n, e) => n + e.amount, 0);
          expect(balances.reduce((n, b) => n + b.amount, 0)).toBe(sum);
        } finally {
          env.clearFailures();
        }
      }),
      { numRuns: 25, endOnFailure: true },
    );
  });
});
