/**
 * Settles one unsubscribe order (SPEC 3.4), driven by a refund-queue message. Safe to run
 * any number of times, concurrently, in any order: every state change is a conditional
 * write, every line settles at most once, every balance credit has a deterministic key.
 *
 * Steps:
 * 1. Load the order. Missing → nothing to do. `SUCCEEDED` → nothing to do.
 * 2. `PENDING` → `PROCESSING`, or `NEEDS_ATTENTION` → `PROCESSING` (note `REDRIVEN`), conditionally.
 * 3. For each `PENDING` line, in order:
 *    - amount 0 → settled, no money moves;
 *    - destination `ACCOUNT_BALANCE` (or a `BALANCE` payment) → balance credit;
 *    - else the payment provider with the key `<unsubscribeOrderId>:<orderId>`:
 *      success → `ORIGINAL_PAYMENT_METHOD`; accepted as pending → `SUBMITTED` (the final answer
 *      comes by webhook or reconciliation, `#use-cases/apply-refund-update.ts`); definitive refusal → balance credit
 *      (`PROVIDER_REFUSED`); anything thrown → stop and rethrow (the queue retries later;
 *      never a fallback).
 *    Each line is one transaction: the line `PENDING` → `SETTLED` (conditioned on `PENDING`)
 *    plus, for the balance, the ledger entry (conditioned on not existing).
 * 4. A line still `SUBMITTED` → the order stays `PROCESSING` (`AWAITING_PROVIDER`, not an error).
 *    All lines settled → `SUCCEEDED` with `settledAt` (the last line's settlement) and
 *    `slaBreached` = settled after `dueBy`, conditioned on every line being `SETTLED` (the
 *    lines are read back first only if another delivery settled one meanwhile).
 * 5. If this was the last receive before the dead-letter queue and it failed → `NEEDS_ATTENTION`
 *    (note `DEAD_LETTERED`), then rethrow.
 *
 * Destination: the line's `destination` from the quote is authoritative. SPEC 2.5 measures the
 * card/PayPal age limits at the unsubscription, which is when the quote predicted them; a
 * settlement retried days later must not move a line from the card to the balance because
 * time passed. The only re-check is structural: a `BALANCE` payment never goes to the provider.
 */

import { isSettledLate } from '#policy/index.ts';
import type { Clock } from '#ports/clock.ts';
import {
  type PaymentProvider,
  refundIdempotencyKey,
  TransientProviderError,
} from '#ports/payment-provider.ts';
import type { SettlementStore, StatusChange } from '#ports/settlement.ts';
import { QUEUES } from '#schema/table.ts';
import type { Destination, Millis } from '#shared/domain.ts';
import type { LedgerEntry, RefundMessage, UnsubscribeOrder, UnsubscribeOrderLine } from '#shared/model.ts';

/** Facts for logs and metrics; never personal data (no references, no reasons). */
export type SettlementEvent =
  | { type: 'ORDER_NOT_FOUND'; unsubscribeOrderId: string }
  | { type: 'REDRIVEN'; unsubscribeOrderId: string }
  | {
      type: 'LINE_SETTLED';
      unsubscribeOrderId: string;
      orderId: string;
      settledTo: Destination;
      via: 'NOTHING_TO_REFUND' | 'PROVIDER' | 'REFUND_TO_BALANCE' | 'PROVIDER_REFUSED';
      /** False when another delivery settled it first (nothing was written). */
      applied: boolean;
    }
  | { type: 'LINE_SUBMITTED'; unsubscribeOrderId: string; orderId: string; applied: boolean }
  | { type: 'PROVIDER_FAILED'; unsubscribeOrderId: string; orderId: string; transient: boolean }
  | { type: 'ORDER_SUCCEEDED'; unsubscribeOrderId: string; slaBreached: boolean }
  | { type: 'NEEDS_ATTENTION'; unsubscribeOrderId: string; receiveCount: number };

export interface SettlementDeps {
  orders: SettlementStore;
  provider: PaymentProvider;
  clock: Clock;
  observe?: (event: SettlementEvent) => void;
}

export interface SettleOptions {
  /** `ApproximateReceiveCount` of the message (1 on the first delivery). */
  receiveCount: number;
  /** Receives before the dead-letter queue; the queue's redrive policy (SPEC: 5). */
  maxReceiveCount?: number;
}

export type SettleResult =
  | { outcome: 'NOT_FOUND' }
  | { outcome: 'ALREADY_SUCCEEDED' }
  /** Every line is settled or `SUBMITTED`; the order stays `PROCESSING` until the provider answers. */
  | { outcome: 'AWAITING_PROVIDER' }
  | { outcome: 'SUCCEEDED'; settledAt: Millis; slaBreached: boolean };

/** The order changed under us in a way a retry will sort out (a concurrent delivery). */
export class SettlementConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettlementConflictError';
  }
}

export async function settleRefund(
  deps: SettlementDeps,
  message: RefundMessage,
  options: SettleOptions,
): Promise<SettleResult> {
  const observe = deps.observe ?? (() => {});
  const order = await deps.orders.get(message);
  if (!order) {
    observe({ type: 'ORDER_NOT_FOUND', unsubscribeOrderId: message.unsubscribeOrderId });
    return { outcome: 'NOT_FOUND' };
  }
  if (order.status === 'SUCCEEDED') return { outcome: 'ALREADY_SUCCEEDED' };
  try {
    const processing = await startProcessing(deps, message, order);
    if (processing.status === 'SUCCEEDED') return { outcome: 'ALREADY_SUCCEEDED' };
    // What this delivery knows of the lines; if another delivery settled one meanwhile, re-read.
    let known: UnsubscribeOrder | null = { ...processing, lines: [...processing.lines] };
    for (const [index, line] of processing.lines.entries()) {
      if (line.status !== 'PENDING') continue;
      const settled = await settleLine(deps, processing, index);
      if (settled && known) known.lines[index] = settled;
      else known = null;
    }
    return await completeOrder(deps, message, known);
  } catch (error) {
    if (options.receiveCount >= (options.maxReceiveCount ?? QUEUES.maxReceiveCount)) {
      const marked = await deps.orders.transition(message, {
        from: ['PENDING', 'PROCESSING'],
        to: 'NEEDS_ATTENTION',
        at: deps.clock.now(),
        note: 'DEAD_LETTERED',
        receiveCount: options.receiveCount,
      });
      if (marked) {
        observe({
          type: 'NEEDS_ATTENTION',
          unsubscribeOrderId: message.unsubscribeOrderId,
          receiveCount: options.receiveCount,
        });
      }
    }
    throw error;
  }
}

/** Step 2: makes sure the order is `PROCESSING` (or learns that it already `SUCCEEDED`). */
async function startProcessing(
  deps: SettlementDeps,
  message: RefundMessage,
  loaded: UnsubscribeOrder,
): Promise<UnsubscribeOrder> {
  let order = loaded;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (order.status === 'PROCESSING' || order.status === 'SUCCEEDED') return order;
    const redriven = order.status === 'NEEDS_ATTENTION';
    const change: StatusChange = { from: [order.status], to: 'PROCESSING', at: deps.clock.now() };
    if (redriven) change.note = 'REDRIVEN';
    if (await deps.orders.transition(message, change)) {
      if (redriven) deps.observe?.({ type: 'REDRIVEN', unsubscribeOrderId: message.unsubscribeOrderId });
      return { ...order, status: 'PROCESSING' };
    }
    const reloaded = await deps.orders.get(message);
    if (!reloaded) throw new SettlementConflictError('The unsubscribe order disappeared while settling');
    order = reloaded;
  }
  throw new SettlementConflictError('The unsubscribe order kept changing status');
}

/** Step 3 for one line; returns the line as written, or null when another delivery settled it first. */
async function settleLine(
  deps: SettlementDeps,
  order: UnsubscribeOrder,
  index: number,
): Promise<UnsubscribeOrderLine | null> {
  const line = order.lines[index];
  if (!line) return null;
  const { accountId, unsubscribeOrderId } = order;
  const ref = { accountId, unsubscribeOrderId };
  const destination: Destination =
    line.paymentMethod.type === 'BALANCE' ? 'ACCOUNT_BALANCE' : line.destination;
  const credit = (cause: LedgerEntry['cause'], at: Millis): LedgerEntry => ({
    accountId,
    entryId: refundIdempotencyKey(unsubscribeOrderId, line.orderId),
    currency: order.currency,
    amount: line.refundAmount,
    unsubscribeOrderId,
    orderId: line.orderId,
    cause,
    createdAt: at,
  });

  let settledTo: Destination;
  let via: Extract<SettlementEvent, { type: 'LINE_SETTLED' }>['via'];
  let entry: LedgerEntry | null = null;
  let provided: { providerRefundId: string; submitted: boolean } | null = null;
  if (line.refundAmount === 0) {
    settledTo = destination;
    via = 'NOTHING_TO_REFUND';
  } else if (destination === 'ACCOUNT_BALANCE') {
    settledTo = 'ACCOUNT_BALANCE';
    via = 'REFUND_TO_BALANCE';
  } else {
    let result: Awaited<ReturnType<PaymentProvider['refund']>>;
    try {
      result = await deps.provider.refund({
        idempotencyKey: refundIdempotencyKey(unsubscribeOrderId, line.orderId),
        accountId,
        unsubscribeOrderId,
        orderId: line.orderId,
        amount: line.refundAmount,
        currency: order.currency,
        paymentMethod: line.paymentMethod,
      });
    } catch (error) {
      deps.observe?.({
        type: 'PROVIDER_FAILED',
        unsubscribeOrderId,
        orderId: line.orderId,
        transient: error instanceof TransientProviderError,
      });
      throw error;
    }
    if (result.outcome === 'SUCCEEDED' || result.outcome === 'SUBMITTED') {
      settledTo = 'ORIGINAL_PAYMENT_METHOD';
      via = 'PROVIDER';
      provided = {
        providerRefundId: result.providerRefundId,
        submitted: result.outcome === 'SUBMITTED',
      };
    } else {
      settledTo = 'ACCOUNT_BALANCE';
      via = 'PROVIDER_REFUSED';
    }
  }
  const settledAt = deps.clock.now();
  if (via === 'REFUND_TO_BALANCE' || via === 'PROVIDER_REFUSED') entry = credit(via, settledAt);
  const applied = await deps.orders.settleLine(ref, {
    index,
    orderId: line.orderId,
    settledTo,
    settledAt,
    credit: entry,
    ...(provided ?? {}),
  });
  if (provided?.submitted) {
    deps.observe?.({ type: 'LINE_SUBMITTED', unsubscribeOrderId, orderId: line.orderId, applied });
    if (!applied) return null;
    const { providerRefundId } = provided;
    return { ...line, status: 'SUBMITTED', providerRefundId, submittedAt: settledAt };
  }
  deps.observe?.({
    type: 'LINE_SETTLED',
    unsubscribeOrderId,
    orderId: line.orderId,
    settledTo,
    via,
    applied,
  });
  return applied ? { ...line, status: 'SETTLED', settledTo, settledAt } : null;
}

/**
 * Step 4: closes the order. `known` is the order as this delivery wrote it (every line it
 * saw pending, it settled itself); null means another delivery got there first, so the
 * lines are read back. The completion write is conditioned on every line being SETTLED anyway.
 * Also used when a webhook settles the last `SUBMITTED` line.
 */
export async function completeOrder(
  deps: Pick<SettlementDeps, 'orders' | 'clock' | 'observe'>,
  message: RefundMessage,
  known: UnsubscribeOrder | null,
): Promise<SettleResult> {
  const order = known ?? (await deps.orders.get(message));
  if (!order) throw new SettlementConflictError('The unsubscribe order disappeared while settling');
  if (order.status === 'SUCCEEDED') return { outcome: 'ALREADY_SUCCEEDED' };
  if (order.lines.some((line) => line.status === 'PENDING')) {
    throw new SettlementConflictError('Lines are still pending after settlement');
  }
  if (order.lines.some((line) => line.status === 'SUBMITTED')) return { outcome: 'AWAITING_PROVIDER' };
  const at = deps.clock.now();
  // The money reached the customer when the last line settled, not when the status was written.
  const lineTimes = order.lines.map((line) => line.settledAt ?? at);
  const settledAt = lineTimes.length > 0 ? Math.max(...lineTimes) : at;
  const slaBreached = isSettledLate(settledAt, order.dueBy);
  const done = await deps.orders.complete(message, {
    at,
    settledAt,
    slaBreached,
    lineCount: order.lines.length,
  });
  if (!done) {
    const reloaded = await deps.orders.get(message);
    if (reloaded?.status === 'SUCCEEDED') return { outcome: 'ALREADY_SUCCEEDED' };
    throw new SettlementConflictError('The unsubscribe order could not be completed');
  }
  deps.observe?.({ type: 'ORDER_SUCCEEDED', unsubscribeOrderId: message.unsubscribeOrderId, slaBreached });
  return { outcome: 'SUCCEEDED', settledAt, slaBreached };
}
