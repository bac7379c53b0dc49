import type { InstanceFacts, Millis, MinorUnits, Order, RefundLine } from '#shared/domain.ts';
import { RefundError } from '#shared/errors.ts';
import { DERIVATION_SCHEMA, type LineDerivation, type QuoteDerivation } from './derivation.ts';
import { explainDestination } from './destination.ts';
import { type Policy, type PolicyRef, refOf } from './document.ts';
import { checkEligibility } from './eligibility.ts';
import { orderInputs } from './inputs.ts';
import { addMoney } from './money.ts';
import { newOrderOf } from './orders.ts';
import { DEFAULT_POLICY } from './registry.ts';
import { ceilDays, quotaYear, toIso } from './time.ts';

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
  policy: PolicyRef;
  derivation: QuoteDerivation;
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
  input: { now: Millis; updatedExpirationTime?: Millis; policy?: Policy },
): RenewalCancellationQuote {
  checkEligibility(instance, 'CANCEL_RENEWAL');
  const { now } = input;
  const policy = input.policy ?? DEFAULT_POLICY;
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
  const explained: LineDerivation[] = [];
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
    const termDays = ceilDays(order.periodEnd - order.periodStart);
    const { destination, why } = explainDestination(order, now, policy);
    lines.push({
      orderId: order.orderId,
      cashPaid: order.cashPaid,
      voucherPaid: order.voucherPaid,
      usedDays: 0,
      termDays,
      refundAmount: order.cashPaid,
      destination,
    });
    explained.push({
      orderId: order.orderId,
      rule: 'RENEWAL_NOT_STARTED',
      periodStart: order.periodStart,
      periodEnd: order.periodEnd,
      termDays,
      usedDays: 0,
      remainingDays: termDays,
      cashPaid: order.cashPaid,
      voucherPaid: order.voucherPaid,
      prorationRemainder: null,
      refundAmount: order.cashPaid,
      destination: why,
    });
  }
  const purchase = newOrderOf(instance.orders);
  const derivation: QuoteDerivation = {
    schema: DERIVATION_SCHEMA,
    policy: refOf(policy),
    inputs: {
      asOf: now,
      product: instance.product,
      currency: instance.currency,
      quotaUsed: null,
      updatedExpirationTime: chosen,
      orders: orderInputs(instance),
    },
    eligibility: {
      rule: 'RENEWAL_CANCELLATION',
      purchasePaidAt: purchase.paidAt,
      windowEndsAt: purchase.paidAt + policy.fullRefundWindowMs,
      withinWindow: now < purchase.paidAt + policy.fullRefundWindowMs,
      quota: {
        year: quotaYear(now, policy.billingOffsetMs),
        allowedPerYear: policy.fullRefund.perAccountProductYear,
        used: null,
        usedBy: null,
      },
    },
    lines: explained,
    total: {
      refundAmount,
      nonRefundableVoucherAmount,
    },
  };
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
    policy: refOf(policy),
    derivation,
  };
}
