import type { Destination, Millis, Order } from '#shared/domain.ts';
import type { LineDerivation } from './derivation.ts';
import type { Policy } from './document.ts';
import { DEFAULT_POLICY } from './registry.ts';
import { ceilDays, DAY_MS } from './time.ts';

/** Card refunds go back to the card only within 150 days of payment (the default policy). */
export const CARD_REFUND_WINDOW_MS = 150 * DAY_MS;
/** PayPal refunds go back to PayPal only within 180 days of payment (the default policy). */
export const PAYPAL_REFUND_WINDOW_MS = 180 * DAY_MS;

/**
 * Where a refund line of `order` is predicted to go when refunded at `at` (SPEC 2.5), and why.
 * "More than 150/180 days" is strict: paid exactly 150 (180) days before `at` still goes back
 * to the card (PayPal); one millisecond more goes to the account balance.
 */
export function explainDestination(
  order: Order,
  at: Millis,
  policy: Policy = DEFAULT_POLICY,
): { destination: Destination; why: LineDerivation['destination'] } {
  const type = order.paymentMethod.type;
  if (type === 'BALANCE') {
    return {
      destination: 'ACCOUNT_BALANCE',
      why: { rule: 'PAID_FROM_BALANCE', paymentMethodType: type, ageDays: null, windowDays: null },
    };
  }
  const windowMs = type === 'CARD' ? policy.cardRefundWindowMs : policy.paypalRefundWindowMs;
  const windowDays =
    type === 'CARD' ? policy.destinations.cardRefundWindowDays : policy.destinations.paypalRefundWindowDays;
  const past = at - order.paidAt > windowMs;
  return {
    destination: past ? 'ACCOUNT_BALANCE' : 'ORIGINAL_PAYMENT_METHOD',
    why: {
      rule: past ? 'PAST_PROVIDER_WINDOW' : 'WITHIN_PROVIDER_WINDOW',
      paymentMethodType: type,
      ageDays: ceilDays(Math.max(0, at - order.paidAt)),
      windowDays,
    },
  };
}

export function destinationFor(order: Order, at: Millis, policy: Policy = DEFAULT_POLICY): Destination {
  return explainDestination(order, at, policy).destination;
}
