import type { Destination, Millis, Order } from '#shared/domain.ts';
import { DAY_MS } from './time.ts';

/** Card refunds go back to the card only within 150 days of payment (SPEC 2.5). */
export const CARD_REFUND_WINDOW_MS = 150 * DAY_MS;
/** PayPal refunds go back to PayPal only within 180 days of payment (SPEC 2.5). */
export const PAYPAL_REFUND_WINDOW_MS = 180 * DAY_MS;

/**
 * Where a refund line of `order` is predicted to go when refunded at `at` (SPEC 2.5).
 * "More than 150/180 days" is strict: paid exactly 150 (180) days before `at` still goes back
 * to the card (PayPal); one millisecond more goes to the account balance.
 */
export function destinationFor(order: Order, at: Millis): Destination {
  switch (order.paymentMethod.type) {
    case 'BALANCE':
      return 'ACCOUNT_BALANCE';
    case 'CARD':
      return at - order.paidAt > CARD_REFUND_WINDOW_MS ? 'ACCOUNT_BALANCE' : 'ORIGINAL_PAYMENT_METHOD';
    case 'PAYPAL':
      return at - order.paidAt > PAYPAL_REFUND_WINDOW_MS ? 'ACCOUNT_BALANCE' : 'ORIGINAL_PAYMENT_METHOD';
  }
}
