/**
 * A model test of settlement: fast-check generates orders (lines of every kind: card, closed
 * card, flaky card, card too old for a card refund, BALANCE payment, zero amounts) and a
 * sequence of deliveries (duplicates, concurrent copies, receive counts up to and past the
 * dead-letter threshold), provider outages, lost provider answers and crashes before a
 * settlement write. After the sequence and again after draining, on DynamoDB Local:
 *
 * - no line is ever refunded twice or credited twice, and never both refunded and credited;
 * - a settled line's money went where it says, for exactly the quoted amount;
 * - after draining, every order SUCCEEDED and settled = quoted;
 * - the balance (`getBalance`) = the sum of the ledger entries = what went to the balance;
 * - for every instance, refunded (provider + balance) ≤ cash paid.
 */
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoLedger } from '#adapters/dynamo/ledger.ts';
import { DynamoSettlementStore } from '#adapters/dynamo/settlement.ts';
import { PaymentSimulator } from '#adapters/payment-simulator.ts';
import { toSqsEvent } from '#infra/local/lambda-events.ts';
import {
  type PaymentProvider,
  type ProviderRefundRequest,
  type ProviderRefundResult,
  TransientProviderError,
} from '#ports/payment-provider.ts';
import type { Destination, PaymentMethod } from '#shared/domain.ts';
import type { UnsubscribeOrder } from '#shared/model.ts';
import {
  recordingMetrics,
  type SettlementEnv,
  settlementEnv,
  silentLogger,
} from '#test/support/settlement-env.ts';
import { ledgerOf, methods, readOrder, seedOrder } from '#test/support/settlement-fixtures.ts';
import { getBalance } from '#use-cases/get-balance.ts';

let env: SettlementEnv;
let createRefundProcessorHandler: typeof import('#functions/refund-processor.ts').createRefundProcessorHandler;

beforeAll(async () => {
  env = await settlementEnv({ prefix: 'model' });
  ({ createRefundProcessorHandler } = await import('#functions/refund-processor.ts'));
});
afterAll(() => env.close());

type LineKind = 'card' | 'closed' | 'flaky' | 'oldCard' | 'balance';

const KIND: Record<LineKind, { method: () => PaymentMethod; destination: Destination }> = {
  card: { method: methods.card, destination: 'ORIGINAL_PAYMENT_METHOD' },
  closed: { method: methods.closed, destination: 'ORIGINAL_PAYMENT_METHOD' },
  flaky: { method: methods.flaky, destination: 'ORIGINAL_PAYMENT_METHOD' },
  oldCard: { method: methods.card, destination: 'ACCOUNT_BALANCE' },
  balance: { method: methods.balance, destination: 'ACCOUNT_BALANCE' },
};

const lineArb = fc.record({
  kind: fc.constantFrom<LineKind>('card', 'closed', 'flaky', 'oldCard', 'balance'),
  amount: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 500_000 })),
  unrefundedCash: fc.integer({ min: 0, max: 10_000 }),
});
const orderArb = fc.array(lineArb, { minLength: 1, maxLength: 3 });

type Step =
  | { type: 'deliver'; order: number; receiveCount: number; copies: number }
  | { type: 'outage'; down: boolean }
  | { type: 'loseNextAnswer' }
  | { type: 'crashNextWrite' };

const stepArb = (orders: number): fc.Arbitrary<Step> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        type: fc.constant('deliver' as const),
        order: fc.integer({ min: 0, max: orders - 1 }),
        receiveCount: fc.integer({ min: 1, max: 6 }),
        copies: fc.integer({ min: 1, max: 3 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('outage' as const), down: fc.boolean() }) },
    { weight: 1, arbitrary: fc.constant({ type: 'loseNextAnswer' as const }) },
    { weight: 1, arbitrary: fc.constant({ type: 'crashNextWrite' as const }) },
  );

const scenarioArb = fc
  .array(orderArb, { minLength: 1, maxLength: 3 })
  .chain((orders) =>
    fc.record({ orders: fc.constant(orders), steps: fc.array(stepArb(orders.length), { maxLength: 12 }) }),
  );

/** The simulator behind an outage switch and a "lose the next answer after refunding" fault. */
class FaultyProvider implements PaymentProvider {
  down = false;
  loseAnswers = 0;
  readonly simulator = new PaymentSimulator();

  async refund(request: ProviderRefundRequest): Promise<ProviderRefundResult> {
    if (this.down) throw new TransientProviderError('outage');
    const result = await this.simulator.refund(request);
    if (this.loseAnswers > 0) {
      this.loseAnswers -= 1;
      throw new Error('answer lost');
    }
    return result;
  }
}

function deliveryEvent(order: UnsubscribeOrder, receiveCount: number): SQSEvent {
  return toSqsEvent(
    [
      {
        MessageId: randomUUID(),
        ReceiptHandle: randomUUID(),
        Body: JSON.stringify({ accountId: order.accountId, unsubscribeOrderId: order.unsubscribeOrderId }),
        Attributes: { ApproximateReceiveCount: String(receiveCount) },
      },
    ],
    'arn:aws:sqs:us-east-1:000000000000:model',
    'us-east-1',
  );
}

async function checkNeverTwice(provider: FaultyProvider, orders: UnsubscribeOrder[], accountId: string) {
  const ledger = await ledgerOf(env.table, accountId);
  for (const seeded of orders) {
    const order = await readOrder(env.table, accountId, seeded.unsubscribeOrderId);
    const refunds = provider.simulator.refunds({ unsubscribeOrderId: order.unsubscribeOrderId });
    for (const line of order.lines) {
      const refunded = refunds.filter((r) => r.orderId === line.orderId);
      const credited = ledger.filter(
        (e) => e.unsubscribeOrderId === order.unsubscribeOrderId && e.orderId === line.orderId,
      );
      expect(refunded.length).toBeLessThanOrEqual(1);
      expect(credited.length).toBeLessThanOrEqual(1);
      expect(refunded.length + credited.length).toBeLessThanOrEqual(1);
      for (const money of [...refunded, ...credited]) expect(money.amount).toBe(line.refundAmount);
      if (line.status === 'SETTLED' && line.refundAmount > 0) {
        expect(line.settledTo === 'ORIGINAL_PAYMENT_METHOD' ? refunded.length : credited.length).toBe(1);
      }
      // Only a definitive refusal or a balance destination credits the balance: never a flaky card.
      if (credited[0]?.cause === 'PROVIDER_REFUSED') expect(line.paymentMethod.reference).toMatch(/^closed-/);
      if (line.paymentMethod.reference.startsWith('flaky-')) expect(credited).toEqual([]);
    }
    if (order.status === 'SUCCEEDED') expect(order.lines.every((l) => l.status === 'SETTLED')).toBe(true);
  }
}

describe('settlement model', () => {
  it('settled = quoted, never twice; balance = Σ ledger; refunded ≤ cash paid', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ orders: orderSpecs, steps }) => {
        const accountId = `model-${randomUUID().slice(0, 8)}`;
        const provider = new FaultyProvider();
        const handler = createRefundProcessorHandler({
          orders: new DynamoSettlementStore(env.table),
          provider,
          clock: { now: () => Date.parse('2026-03-05T10:05:00.000Z') },
          logger: silentLogger(),
          metrics: recordingMetrics(),
        }) as (event: SQSEvent) => Promise<SQSBatchResponse>;
        const orders = await Promise.all(
          orderSpecs.map((lines) =>
            seedOrder(env.table, {
              accountId,
              createdAt: '2026-03-05T10:00:00.000Z',
              lines: lines.map((line, i) => ({
                orderId: `o-${i}`,
                amount: line.amount,
                cashPaid: line.amount + line.unrefundedCash,
                method: KIND[line.kind].method(),
                destination: KIND[line.kind].destination,
              })),
            }),
          ),
        );
        const ofAccount = (c: { input: Record<string, unknown> }) =>
          JSON.stringify(c.input).includes(accountId);

        try {
          for (const step of steps) {
            if (step.type === 'outage') provider.down = step.down;
            else if (step.type === 'loseNextAnswer') provider.loseAnswers += 1;
            else if (step.type === 'crashNextWrite') {
              env.failOnce({
                match: (c) => c.name === 'TransactWriteItemsCommand' && ofAccount(c),
                error: new Error('crash'),
              });
            } else {
              const order = orders[step.order] as UnsubscribeOrder;
              await Promise.all(
                Array.from({ length: step.copies }, () => handler(deliveryEvent(order, step.receiveCount))),
              );
            }
          }
          await checkNeverTwice(provider, orders, accountId);

          // Drain: the provider recovers and the messages are redriven until every order settles.
          provider.down = false;
          for (const order of orders) {
            for (let attempt = 0; attempt < 15; attempt++) {
              const current = await readOrder(env.table, accountId, order.unsubscribeOrderId);
              if (current.status === 'SUCCEEDED') break;
              await handler(deliveryEvent(order, 1));
            }
          }
        } finally {
          env.clearFailures();
        }

        await checkNeverTwice(provider, orders, accountId);
        const ledger = await ledgerOf(env.table, accountId);
        let toBalance = 0;
        for (const seeded of orders) {
          const order = await readOrder(env.table, accountId, seeded.unsubscribeOrderId);
          expect(order.status).toBe('SUCCEEDED');
          expect(order.history.filter((h) => h.status === 'SUCCEEDED')).toHaveLength(1);
          const refunded = provider.simulator
            .refunds({ unsubscribeOrderId: order.unsubscribeOrderId })
            .reduce((n, r) => n + r.amount, 0);
          const credited = ledger
            .filter((e) => e.unsubscribeOrderId === order.unsubscribeOrderId)
            .reduce((n, e) => n + e.amount, 0);
          // Settled = quoted, and the instance never gets back more than it paid in cash.
          expect(refunded + credited).toBe(order.refundAmount);
          expect(refunded + credited).toBeLessThanOrEqual(order.lines.reduce((n, l) => n + l.cashPaid, 0));
          toBalance += order.lines
            .filter((l) => l.settledTo === 'ACCOUNT_BALANCE')
            .reduce((n, l) => n + l.refundAmount, 0);
        }
        const balance = await getBalance({ ledger: new DynamoLedger(env.table) }, accountId);
        const ledgerSum = ledger.reduce((n, e) => n + e.amount, 0);
        expect(balance.balances).toEqual(
          ledgerSum === 0 && ledger.length === 0 ? [] : [{ currency: 'USD', amount: ledgerSum }],
        );
        expect(ledgerSum).toBe(toBalance);
      }),
      { numRuns: 40 },
    );
  });
});
