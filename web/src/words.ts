/**
 * The product's codes in the customer's words, in one place: every screen shows these, never
 * the codes themselves (an unknown code, from a newer API, is shown as it is).
 */

const say =
  (words: Record<string, string>) =>
  (code: string | null | undefined): string =>
    code ? (words[code] ?? code) : '';

export const instanceStatus = say({
  ACTIVE: 'Active',
  UNSUBSCRIBED: 'Unsubscribed',
  RELEASED: 'Released',
});

export const orderStatus = say({
  PENDING: 'Pending',
  PROCESSING: 'Processing',
  SUCCEEDED: 'Refunded',
  NEEDS_ATTENTION: 'Needs attention',
});

/** What an order's status means for the customer, shown next to it. */
export const orderStatusHint = say({
  PENDING: 'We have your request and will start the refund in a moment.',
  PROCESSING: 'The refund is being paid out.',
  SUCCEEDED: 'Every part of the refund has been paid out.',
  NEEDS_ATTENTION:
    'Part of the refund could not be paid out automatically. Our team has been alerted and will finish it; you do not need to do anything.',
});

export const lineStatus = say({
  PENDING: 'Waiting',
  SUBMITTED: 'Sent to the payment provider',
  SETTLED: 'Paid out',
});

export const orderType = say({
  UNSUBSCRIBE: 'Unsubscribe resource',
  CANCEL_RENEWAL: 'Unsubscribe from renewal',
});

export const refundType = say({
  FULL_REFUND: 'Full refund',
  PARTIAL_REFUND: 'Partial refund',
  RENEWAL_CANCELLATION: 'Renewal cancellation',
});

/** Why this refund type: one sentence under it. */
export const refundTypeHint = say({
  FULL_REFUND:
    'Bought less than 5 days ago, and your one full refund for this product this year is still unused: all the cash paid comes back.',
  PARTIAL_REFUND: 'The unused part of the cash paid comes back, counted in whole days.',
  RENEWAL_CANCELLATION: 'Each renewal that has not taken effect is refunded in full.',
});

export const destination = say({
  ORIGINAL_PAYMENT_METHOD: 'Original payment method',
  ACCOUNT_BALANCE: 'Account balance',
});

export const purchaseType = say({ NEW: 'Purchase', RENEW: 'Renewal' });

export const REASONS: [string, string][] = [
  ['NO_LONGER_NEEDED', 'No longer needed'],
  ['TOO_EXPENSIVE', 'Too expensive'],
  ['SWITCHING_PRODUCT', 'Switching to another product'],
  ['PURCHASED_BY_MISTAKE', 'Purchased by mistake'],
  ['SERVICE_ISSUES', 'Service issues'],
  ['OTHER', 'Other'],
];
export const reason = say(Object.fromEntries(REASONS));

/** Why a line was credited to the account balance (the ledger entry's cause). */
export const balanceCause = say({
  REFUND_TO_BALANCE:
    'Refunded to the balance by the rules: the order was paid from the balance, or its card payment is more than 150 days old (PayPal: 180 days).',
  PROVIDER_REFUSED: 'Your payment method refused the refund (for example, the card was closed).',
  PROVIDER_FAILED: 'The refund to your payment method failed after it was sent.',
  PROVIDER_REVERSED: 'The payment provider reversed the refund to your payment method.',
  OPERATOR_RESOLUTION: 'Our support team credited this refund to your balance.',
  GOODWILL_CREDIT: 'A credit from our support team.',
  CORRECTING_DEBIT: 'A correction by our support team.',
});

/** A history entry's note. */
export const historyNote = say({
  REFUND_FAILED: 'The refund to the payment method failed, so it was credited to your account balance.',
  REFUND_REVERSED: 'The payment provider reversed a refund, so it was credited to your account balance.',
  DEAD_LETTERED: 'The refund could not be finished automatically; our team has been alerted.',
  OPERATOR_RETRY: 'Our support team sent the refund again.',
  LINE_RESOLVED: 'Our support team completed a refund by hand.',
});

/** A provider's failure code (`expired_or_canceled_card`) as words. */
export const failureReason = (code: string | undefined): string => (code ? code.replaceAll('_', ' ') : '');

export const abnormalReason = say({
  OVERDUE_PAYMENT: 'A payment for this instance is overdue.',
  SECURITY_LOCKED: 'The instance is locked for security reasons.',
  CONFIGURATION_CHANGE_IN_PROGRESS: 'An upgrade or downgrade of the instance is in progress.',
});

/** A confirmation the API found missing, by the words of its checkbox. */
export const confirmationText = say({
  rulesAndAmountConfirmed: 'I have read the Unsubscription Rules and confirmed the refund amount',
  dataBackupConfirmed:
    'I have confirmed that data for the instance to be unsubscribed has been backed up and migrated',
});

/** What to do about each abnormal state. */
export const abnormalNextStep = say({
  OVERDUE_PAYMENT: 'Pay the overdue bill, then come back to unsubscribe.',
  SECURITY_LOCKED: 'Contact support to have the security lock reviewed.',
  CONFIGURATION_CHANGE_IN_PROGRESS: 'Wait for the upgrade or downgrade to finish, then try again.',
});
