import type { InstanceFacts, Millis, MinorUnits, RefundLine } from '#shared/domain.ts';
import { RefundError } from '#shared/errors.ts';
import type { EligibilityRule, LineDerivation, QuotaUse, QuoteDerivation } from './derivation.ts';
import { DERIVATION_SCHEMA } from './derivation.ts';
import { explainDestination } from './destination.ts';
import { type Policy, type PolicyRef, refOf } from './document.ts';
import { checkEligibility } from './eligibility.ts';
import { orderInputs } from './inputs.ts';
import { addMoney } from './money.ts';
import { newOrderOf } from './orders.ts';
import { DEFAULT_POLICY } from './registry.ts';
import { type RetentionDeadlines, retentionDeadlines } from './retention.ts';
import { ceilDays, DAY_MS, quotaYear } from './time.ts';

/** The unconditional full refund is open for 5 × 24 h after the NEW order was paid (the default policy). */
export const FULL_REFUND_WINDOW_MS = 5 * DAY_MS;

export interface UnsubscribeQuote {
  kind: 'UNSUBSCRIBE';
  refundType: 'FULL_REFUND' | 'PARTIAL_REFUND';
  currency: string;
  refundAmount: MinorUnits;
  nonRefundableVoucherAmount: MinorUnits;
  lines: RefundLine[];
  /** The UTC+8 calendar year containing `now`: the quota a FULL_REFUND consumes. */
  quotaYear: number;
  /** True iff FULL_REFUND. */
  usesQuota: boolean;
  retention: RetentionDeadlines;
  policy: PolicyRef;
  derivation: QuoteDerivation;
}

/**
 * floor(cash × remainingDays / termDays), exact for all safe-integer inputs. While the
 * product is at most 2^53 − 1 it is exact as a double and (p − p mod t) / t is an exact
 * integer division; above that (cash near 2^53 / days) the product is taken in BigInt so no
 * precision is ever lost. Rounding down means the customer is never over-refunded.
 */
export function prorate(cash: MinorUnits, remainingDays: number, termDays: number): MinorUnits {
  const product = cash * remainingDays;
  if (product <= Number.MAX_SAFE_INTEGER) return (product - (product % termDays)) / termDays;
  return Number((BigInt(cash) * BigInt(remainingDays)) / BigInt(termDays));
}

/**
 * What unsubscribing `instance` at `now` refunds (SPEC 2.2), after the eligibility checks.
 * - FULL_REFUND iff `now < NEW.paidAt + 5 × 24 h` (strict: exactly 5 days is already partial)
 *   and this year's quota is unused (`quotaUsed`, looked up by the caller for `quotaYear(now)`).
 *   Every PAID order is refunded in full; usedDays/termDays are still reported for information.
 * - PARTIAL_REFUND otherwise, one line per PAID order, ended ones included with 0 so the
 *   customer sees every order: not started → all its cash (usedDays 0); ended → 0
 *   (usedDays = termDays); in effect → the unused whole days, prorated and rounded down.
 *   `now === periodStart` is in effect with usedDays 0, so the whole cash.
 * CANCELLED orders are ignored. Vouchers are never refunded; their sum over the lines is
 * reported as `nonRefundableVoucherAmount`. A refund of 0 → NOTHING_TO_REFUND.
 */
/**
 * Whether `now` is within the unconditional-refund window of the purchase (the 5 days of
 * SPEC 2.2). Outside it the yearly quota cannot matter, so callers need not look it up.
 */
export function inFullRefundWindow(
  instance: InstanceFacts,
  now: Millis,
  policy: Policy = DEFAULT_POLICY,
): boolean {
  return now < newOrderOf(instance.orders).paidAt + policy.fullRefundWindowMs;
}

/**
 * Until when unsubscribing `instance` refunds everything, as a quote made at `now` decides it:
 * the end of the full-refund window when `quoteUnsubscribe` would answer FULL_REFUND now (the
 * window is open, the year's full refund is free, the instance may be unsubscribed and there
 * is cash to refund), else null. The same code as the quote, so a list never promises what a
 * quote would refuse.
 */
export function fullRefundUntil(
  instance: InstanceFacts,
  input: { now: Millis; quotaUsed: boolean; policy?: Policy },
): Millis | null {
  const policy = input.policy ?? DEFAULT_POLICY;
  if (!inFullRefundWindow(instance, input.now, policy)) return null;
  let quote: UnsubscribeQuote;
  try {
    quote = quoteUnsubscribe(instance, { now: input.now, quotaUsed: input.quotaUsed, policy });
  } catch (error) {
    // Not eligible now (not active, pay-as-you-go, abnormal) or nothing to refund: no full refund either.
    if (error instanceof RefundError) return null;
    throw error;
  }
  return quote.refundType === 'FULL_REFUND' ? quote.derivation.eligibility.windowEndsAt : null;
}

/** The remainder of `cash × remaining / term` (exact; BigInt only when the product is not safe). */
function prorationRemainder(cash: MinorUnits, remainingDays: number, termDays: number): number {
  const product = cash * remainingDays;
  if (product <= Number.MAX_SAFE_INTEGER) return product % termDays;
  return Number((BigInt(cash) * BigInt(remainingDays)) % BigInt(termDays));
}

export function quoteUnsubscribe(
  instance: InstanceFacts,
  input: { now: Millis; quotaUsed: boolean; quotaUsedBy?: QuotaUse | null; policy?: Policy },
): UnsubscribeQuote {
  checkEligibility(instance, 'UNSUBSCRIBE');
  const { now, quotaUsed } = input;
  const policy = input.policy ?? DEFAULT_POLICY;
  const purchase = newOrderOf(instance.orders);
  const windowEndsAt = purchase.paidAt + policy.fullRefundWindowMs;
  const withinWindow = now < windowEndsAt;
  const allowedPerYear = policy.fullRefund.perAccountProductYear;
  const quotaFree = allowedPerYear > 0 && !quotaUsed;
  const full = withinWindow && quotaFree;
  const rule: EligibilityRule = full
    ? 'FULL_REFUND_WITHIN_WINDOW'
    : !withinWindow
      ? 'PARTIAL_WINDOW_CLOSED'
      : allowedPerYear === 0
        ? 'PARTIAL_NO_FULL_REFUND'
        : 'PARTIAL_QUOTA_USED';
  const lines: RefundLine[] = [];
  const explained: LineDerivation[] = [];
  let refundAmount = 0;
  let nonRefundableVoucherAmount = 0;
  for (const order of instance.orders) {
    if (order.status !== 'PAID') continue;
    const termDays = ceilDays(order.periodEnd - order.periodStart);
    let usedDays: number;
    let amount: MinorUnits;
    let lineRule: LineDerivation['rule'];
    let remainder: number | null = null;
    if (full) {
      usedDays = order.periodStart > now ? 0 : Math.min(termDays, ceilDays(now - order.periodStart));
      amount = order.cashPaid;
      lineRule = 'FULL_REFUND';
    } else if (order.periodStart > now) {
      usedDays = 0;
      amount = order.cashPaid;
      lineRule = 'NOT_STARTED';
    } else if (order.periodEnd <= now) {
      usedDays = termDays;
      amount = 0;
      lineRule = 'ENDED';
    } else {
      usedDays = ceilDays(now - order.periodStart);
      const remaining = termDays > usedDays ? termDays - usedDays : 0;
      amount = prorate(order.cashPaid, remaining, termDays);
      remainder = prorationRemainder(order.cashPaid, remaining, termDays);
      lineRule = 'IN_EFFECT';
    }
    refundAmount = addMoney(refundAmount, amount, 'refundAmount');
    nonRefundableVoucherAmount = addMoney(
      nonRefundableVoucherAmount,
      order.voucherPaid,
      'nonRefundableVoucherAmount',
    );
    const { destination, why } = explainDestination(order, now, policy);
    lines.push({
      orderId: order.orderId,
      cashPaid: order.cashPaid,
      voucherPaid: order.voucherPaid,
      usedDays,
      termDays,
      refundAmount: amount,
      destination,
    });
    explained.push({
      orderId: order.orderId,
      rule: lineRule,
      periodStart: order.periodStart,
      periodEnd: order.periodEnd,
      termDays,
      usedDays,
      remainingDays: termDays > usedDays ? termDays - usedDays : 0,
      cashPaid: order.cashPaid,
      voucherPaid: order.voucherPaid,
      prorationRemainder: remainder,
      refundAmount: amount,
      destination: why,
    });
  }
  const refundType = full ? 'FULL_REFUND' : 'PARTIAL_REFUND';
  if (refundAmount === 0) {
    throw new RefundError('NOTHING_TO_REFUND', 'Unsubscribing this instance now would refund nothing', {
      refundType,
      nonRefundableVoucherAmount,
    });
  }
  const year = quotaYear(now, policy.billingOffsetMs);
  const derivation: QuoteDerivation = {
    schema: DERIVATION_SCHEMA,
    policy: refOf(policy),
    inputs: {
      asOf: now,
      product: instance.product,
      currency: instance.currency,
      quotaUsed: withinWindow ? quotaUsed : null,
      updatedExpirationTime: null,
      orders: orderInputs(instance),
    },
    eligibility: {
      rule,
      purchasePaidAt: purchase.paidAt,
      windowEndsAt,
      withinWindow,
      quota: {
        year,
        allowedPerYear,
        used: withinWindow ? quotaUsed : null,
        usedBy: withinWindow && quotaUsed ? (input.quotaUsedBy ?? null) : null,
      },
    },
    lines: explained,
    total: {
      refundAmount,
      nonRefundableVoucherAmount,
    },
  };
  return {
    kind: 'UNSUBSCRIBE',
    refundType,
    currency: instance.currency,
    refundAmount,
    nonRefundableVoucherAmount,
    lines,
    quotaYear: year,
    usesQuota: full,
    retention: retentionDeadlines(now, policy),
    policy: refOf(policy),
    derivation,
  };
}
