/**
 * The final answer on a refund the provider accepted (a webhook, or the reconciler asking the
 * provider), applied to the line it belongs to. One code path for both, safe under duplicate,
 * reordered, late and concurrent deliveries:
 *
 * 1. Find the line through the lookup item written with the refund id (never through data in
 *    the event: the account, order and line come from our own table). Unknown id, or a line
 *    that does not carry this refund id → `UNKNOWN_REFUND`, nothing changes.
 * 2. The transition, each one a transaction conditioned on the line's current state:
 *
 *    | line now                          | `SUCCEEDED`                 | `FAILED`                                        |
 *    |-----------------------------------|-----------------------------|-------------------------------------------------|
 *    | `SUBMITTED`                       | `SETTLED` to the card       | `SETTLED` to the balance + credit `PROVIDER_FAILED`   |
 *    | `SETTLED` to the card             | nothing (already)           | moved to the balance + credit `PROVIDER_REVERSED`     |
 *    | `SETTLED` to the balance          | nothing (a failure is final)| nothing (already credited)                      |
 *
 *    A credit is the line's ledger entry (`LEDGER#<unsubscribeOrderId>#<orderId>`, put with
 *    `attribute_not_exists`), so a line is credited at most once whatever arrives; the amount
 *    is the line's own `refundAmount`, never a figure from the provider. A failure also appends
 *    a history entry with the provider's failure code. `PENDING` changes nothing.
 * 3. When no line is left `PENDING` or `SUBMITTED`, the order completes (`SUCCEEDED`) through
 *    the same conditional write as the refund processor's.
 */

import type { Clock } from '#ports/clock.ts';
import { refundIdempotencyKey } from '#ports/payment-provider.ts';
import type { LineOutcome, ProviderRefundStore } from '#ports/provider-refunds.ts';
import { failureCode, type ProviderRefundUpdate } from '#ports/refund-status.ts';
import type { SettlementStore } from '#ports/settlement.ts';
import type { RefundMessage, UnsubscribeOrder } from '#shared/model.ts';
import { completeOrder } from './settle-refund.ts';

export type RefundUpdateResult =
  | { outcome: 'UNKNOWN_REFUND' }
  | { outcome: 'NO_CHANGE'; orderSucceeded: boolean }
  | { outcome: 'SETTLED' | 'CREDITED' | 'REVERSED'; applied: boolean; orderSucceeded: boolean };

/** Facts for logs and metrics (ids and codes only). */
export type RefundUpdateEvent =
  | { type: 'UNKNOWN_REFUND' }
  | { type: 'ORDER_SUCCEEDED'; unsubscribeOrderId: string; slaBreached: boolean }
  | {
      type: 'LINE_FINISHED';
      unsubscribeOrderId: string;
      orderId: string;
      outcome: 'SETTLED' | 'CREDITED' | 'REVERSED';
      applied: boolean;
    };

export interface RefundUpdateDeps {
  refunds: ProviderRefundStore;
  orders: SettlementStore;
  clock: Clock;
  observe?: (event: RefundUpdateEvent) => void;
}

export async function applyRefundUpdate(
  deps: RefundUpdateDeps,
  update: ProviderRefundUpdate,
): Promise<RefundUpdateResult> {
  const record = await deps.refunds.find(update.providerRefundId);
  const ref = record && { accountId: record.accountId, unsubscribeOrderId: record.unsubscribeOrderId };
  const order = ref ? await deps.orders.get(ref) : null;
  const line = record && order?.lines[record.lineIndex];
  if (!record || !ref || !order || !line || line.orderId !== record.orderId) return unknown(deps);
  if (line.providerRefundId !== update.providerRefundId) return unknown(deps);
  if (update.state === 'PENDING')
    return { outcome: 'NO_CHANGE', orderSucceeded: order.status === 'SUCCEEDED' };

  const now = deps.clock.now();
  const base = {
    ref,
    index: record.lineIndex,
    orderId: line.orderId,
    providerRefundId: update.providerRefundId,
    at: now,
  };
  let outcome: LineOutcome;
  let kind: 'SETTLED' | 'CREDITED' | 'REVERSED';
  if (update.state === 'SUCCEEDED') {
    if (line.status !== 'SUBMITTED') return noChange(deps, ref);
    kind = 'SETTLED';
    outcome = {
      ...base,
      from: 'SUBMITTED',
      settledTo: 'ORIGINAL_PAYMENT_METHOD',
      settledAt: now,
      credit: null,
      failureReason: null,
      history: null,
    };
  } else {
    const reversal = line.status === 'SETTLED' && line.settledTo === 'ORIGINAL_PAYMENT_METHOD';
    if (line.status !== 'SUBMITTED' && !reversal) return noChange(deps, ref);
    kind = reversal ? 'REVERSED' : 'CREDITED';
    const failureReason = failureCode(update.failureReason);
    outcome = {
      ...base,
      from: reversal ? 'SETTLED_TO_CARD' : 'SUBMITTED',
      settledTo: 'ACCOUNT_BALANCE',
      settledAt: reversal ? null : now,
      credit: {
        accountId: order.accountId,
        entryId: refundIdempotencyKey(order.unsubscribeOrderId, line.orderId),
        currency: order.currency,
        amount: line.refundAmount,
        unsubscribeOrderId: order.unsubscribeOrderId,
        orderId: line.orderId,
        cause: reversal ? 'PROVIDER_REVERSED' : 'PROVIDER_FAILED',
        createdAt: now,
      },
      failureReason,
      history: {
        status: order.status,
        at: now,
        note: reversal ? 'REFUND_REVERSED' : 'REFUND_FAILED',
        orderId: line.orderId,
        failureReason,
      },
    };
  }
  const applied = await deps.refunds.finishLine(outcome);
  deps.observe?.({
    type: 'LINE_FINISHED',
    unsubscribeOrderId: order.unsubscribeOrderId,
    orderId: line.orderId,
    outcome: kind,
    applied,
  });
  const orderSucceeded = await completeIfFinal(deps, ref);
  return { outcome: kind, applied, orderSucceeded };
}

/** Nothing to transition; still completes the order if a crash left it open with every line final. */
async function noChange(deps: RefundUpdateDeps, ref: RefundMessage): Promise<RefundUpdateResult> {
  return { outcome: 'NO_CHANGE', orderSucceeded: await completeIfFinal(deps, ref) };
}

function unknown(deps: RefundUpdateDeps): RefundUpdateResult {
  deps.observe?.({ type: 'UNKNOWN_REFUND' });
  return { outcome: 'UNKNOWN_REFUND' };
}

/**
 * Completes the order when every line is final; also after a no-op transition, so a crash
 * between the line's write and the completion is repaired by the next delivery.
 */
async function completeIfFinal(deps: RefundUpdateDeps, ref: RefundMessage): Promise<boolean> {
  const order: UnsubscribeOrder | null = await deps.orders.get(ref);
  if (!order) return false;
  if (order.status === 'SUCCEEDED') return true;
  if (order.lines.some((line) => line.status !== 'SETTLED')) return false;
  const result = await completeOrder({ orders: deps.orders, clock: deps.clock }, ref, order);
  if (result.outcome === 'SUCCEEDED') {
    deps.observe?.({
      type: 'ORDER_SUCCEEDED',
      unsubscribeOrderId: ref.unsubscribeOrderId,
      slaBreached: result.slaBreached,
    });
  }
  return result.outcome === 'SUCCEEDED' || result.outcome === 'ALREADY_SUCCEEDED';
}
