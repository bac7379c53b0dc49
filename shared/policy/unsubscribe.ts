import type { InstanceFacts, Millis, MinorUnits, RefundLine } from '#shared/domain.ts';
import { RefundError } from '#shared/errors.ts';
import { destinationFor } from './destination.ts';
import { checkEligibility } from './eligibility.ts';
import { addMoney } from './money.ts';
import { newOrderOf } from './orders.ts';
import { type RetentionDeadlines, retentionDeadlines } from './retention.ts';
import { ceilDays, DAY_MS, quotaYear } from './time.ts';

/** The unconditional full refund is open for 5 × 24 h after the NEW order was paid (SPEC 2.2). */
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
export function inFullRefundWindow(instance: InstanceFacts, now: Millis): boolean {
  return now < newOrderOf(instance.orders).paidAt + FULL_REFUND_WINDOW_MS;
}

export function quoteUnsubscribe(
  instance: InstanceFacts,
  input: { now: Millis; quotaUsed: boolean },
): UnsubscribeQuote {
  checkEligibility(instance, 'UNSUBSCRIBE');
  const { now, quotaUsed } = input;
  const full = inFullRefundWindow(instance, now) && !quotaUsed;
  const lines: RefundLine[] = [];
  let refundAmount = 0;
  let nonRefundableVoucherAmount = 0;
  for (const order of instance.orders) {
    if (order.status !== 'PAID') continue;
    const termDays = ceilDays(order.periodEnd - order.periodStart);
    let usedDays: number;
    let amount: MinorUnits;
    if (order.periodStart > now) {
      usedDays = 0;
      amount = order.cashPaid;
    } else if (order.periodEnd <= now) {
      usedDays = termDays;
      amount = 0;
    } else {
      usedDays = ceilDays(now - order.periodStart);
      amount = prorate(order.cashPaid, termDays > usedDays ? termDays - usedDays : 0, termDays);
    }
    if (full) amount = order.cashPaid;
    refundAmount = addMoney(refundAmount, amount, 'refundAmount');
    nonRefundableVoucherAmount = addMoney(
      nonRefundableVoucherAmount,
      order.voucherPaid,
      'nonRefundableVoucherAmount',
    );
    lines.push({
      orderId: order.orderId,
      cashPaid: order.cashPaid,
      voucherPaid: order.voucherPaid,
      usedDays,
      termDays,
      refundAmount: amount,
      destination: destinationFor(order, now),
    });
  }
  const refundType = full ? 'FULL_REFUND' : 'PARTIAL_REFUND';
  if (refundAmount === 0) {
    throw new RefundError('NOTHING_TO_REFUND', 'Unsubscribing this instance now would refund nothing', {
      refundType,
      nonRefundableVoucherAmount,
    });
  }
  return {
    kind: 'UNSUBSCRIBE',
    refundType,
    currency: instance.currency,
    refundAmount,
    nonRefundableVoucherAmount,
    lines,
    quotaYear: quotaYear(now),
    usesQuota: full,
    retention: retentionDeadlines(now),
  };
}
