/**
 * The product's codes in the customer's words, in one place: every screen shows these,
 * never the codes themselves.
 */

export const REFUND_TYPES: Record<string, string> = {
  FULL_REFUND: 'Full refund',
  PARTIAL_REFUND: 'Partial refund',
  RENEWAL_CANCELLATION: 'Renewal cancellation',
};

export const DESTINATIONS: Record<string, string> = {
  ORIGINAL_PAYMENT_METHOD: 'Original payment method',
  ACCOUNT_BALANCE: 'Account balance',
};
