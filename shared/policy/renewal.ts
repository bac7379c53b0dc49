import type { InstanceFacts, Millis, MinorUnits, Order, RefundLine } from '#shared/domain.ts';
import { RefundError } from '#shared/errors.ts';
import { destinationFor } from './destination.ts';
import { checkEligibility } from './eligibility.ts';
import { addMoney } from './money.ts';
import { ceilDays, toIso } from './time.ts';

export interface RenewalCancellationQuote {
  kind: 'CANCEL_RENEWAL';
  refundType: 'RENEWAL_CANCELLATION';
  currency: string;
  refundAmount: MinorUnits;
  nonRefundableVoucherAmount: MinorUnits;
  lines: RefundLine[];
  cancelledOrderIds: string[];
  /** The instance's `expiresAt` once the renewals are cancelled. */
  updatedExpirationTime: Millis;
  /** Ascending. */
  allowedExpirationTimes: Millis[];
}

/** Pending renewals (SPEC 2.3): RENEW orders, PAID, not started at `now`. */
export function pendingRenewals(orders: readonly Order[], now: Millis): Order[] {
  return orders.filter((o) => o.type === 'RENEW' && o.status === 'PAID' && o.periodStart > now);
}

/**
 * The renewals of a renewal-cancellation quote that are no longer pending at `now` (started,
 * or no longer PAID), in the instance's order. SPEC 2.3 allows cancelling only renewals that
 * have not started, so a quote naming any of these cannot be executed at `now`, whatever its
 * own expiry: the renewal's start is a deadline of its own.
 */
export function renewalsNoLongerPending(
  orders: readonly Order[],
  cancelledOrderIds: readonly string[],
  now: Millis,
): Order[] {
  const pending = new Set(pendingRenewals(orders, now).map((o) => o.orderId));
  const cancelled = new Set(cancelledOrderIds);
  return orders.filter((o) => cancelled.has(o.orderId) && !pending.has(o.orderId));
}

/**
 * Cancelling paid renewals that have not started (SPEC 2.3), after the eligibility checks.
 * The allowed updated expiration times are the distinct `periodStart`s of the pending
 * renewals, ascending; the default is the earliest (cancel them all). Every pending renewal
 * starting at or after the chosen time is cancelled and refunded its whole cash (usedDays 0).
 * A cancellation refunding 0 (renewals paid only by voucher) is allowed: it still shortens
 * the subscription, and NOTHING_TO_REFUND is an unsubscription rule (SPEC 2.2).
 */
export function quoteRenewalCancellation(
  instance: InstanceFacts,
  input: { now: Millis; updatedExpirationTime?: Millis },
): RenewalCancellationQuote {
  checkEligibility(instance, 'CANCEL_RENEWAL');
  const { now } = input;
  const pending = pendingRenewals(instance.orders, now);
  if (pending.length === 0) {
    throw new RefundError('NO_PENDING_RENEWAL', 'The instance has no paid renewal that has not started yet', {
      instanceId: instance.instanceId,
    });
  }
  const allowedExpirationTimes = [...new Set(pending.map((o) => o.periodStart))].sort((a, b) => a - b);
  const chosen = input.updatedExpirationTime ?? (allowedExpirationTimes[0] as Millis);
  if (!allowedExpirationTimes.includes(chosen)) {
    throw new RefundError(
      'INVALID_EXPIRATION_TIME',
      'The updated expiration time must be the start of a renewal that has not started yet',
      { allowed: allowedExpirationTimes.map(toIso) },
    );
  }
  const lines: RefundLine[] = [];
  const cancelledOrderIds: string[] = [];
  let refundAmount = 0;
  let nonRefundableVoucherAmount = 0;
  for (const order of pending) {
    if (order.periodStart < chosen) continue;
    cancelledOrderIds.push(order.orderId);
    refundAmount = addMoney(refundAmount, order.cashPaid, 'refundAmount');
    nonRefundableVoucherAmount = addMoney(
      nonRefundableVoucherAmount,
      order.voucherPaid,
      'nonRefundableVoucherAmount',
    );
    lines.push({
      orderId: order.orderId,
      cashPaid: order.cashPaid,
      voucherPaid: order.voucherPaid,
      usedDays: 0,
      termDays: ceilDays(order.periodEnd - order.periodStart),
      refundAmount: order.cashPaid,
      destination: destinationFor(order, now),
    });
  }
  return {
    kind: 'CANCEL_RENEWAL',
    refundType: 'RENEWAL_CANCELLATION',
    currency: instance.currency,
    refundAmount,
    nonRefundableVoucherAmount,
    lines,
    cancelledOrderIds,
    updatedExpirationTime: chosen,
    allowedExpirationTimes,
  };
}
