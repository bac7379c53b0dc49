/**
 * The back office's codes in the operators' words (the statuses the customer console words
 * already are shared from `../words.ts`). Screens show these, never the codes.
 */
import { formatMoney } from '../money.ts';
import { destination, lineStatus, orderStatus } from '../words.ts';
import type { Command, Snapshot } from './types.ts';

const say =
  (words: Record<string, string>) =>
  (code: string | null | undefined): string =>
    code ? (words[code] ?? code) : '';

/** The reason codes an action takes, in the order the dialog offers them. */
export const REASON_CODES: [string, string][] = [
  ['PROVIDER_OUTAGE', 'Payment provider outage'],
  ['PAYMENT_METHOD_INVALID', 'Payment method no longer valid'],
  ['REFUNDED_OUTSIDE', 'Refunded outside the service'],
  ['CUSTOMER_COMPLAINT', 'Customer complaint'],
  ['SERVICE_FAILURE', 'Failure on our side'],
  ['BILLING_ERROR', 'Billing error'],
  ['GOODWILL', 'Goodwill'],
  ['DUPLICATE_REQUEST', 'Duplicate request'],
  ['OTHER', 'Other'],
];
export const reasonCode = say(Object.fromEntries(REASON_CODES));

export const auditAction = say({
  SETTLEMENT_RETRIED: 'Retried the settlement',
  LINE_RESOLVED: 'Resolved a line by hand',
  BALANCE_ADJUSTED: 'Adjusted the balance',
  APPROVAL_REQUESTED: 'Asked for approval',
  APPROVAL_GRANTED: 'Approved a request',
  APPROVAL_REJECTED: 'Rejected a request',
  APPROVAL_CANCELLED: 'Cancelled a request',
  APPROVAL_EXPIRED: 'A request expired',
});

export const approvalStatus = say({
  PENDING: 'Waiting for approval',
  APPROVED: 'Approved',
  REJECTED: 'Rejected',
  CANCELLED: 'Cancelled',
  EXPIRED: 'Expired',
});

export const resolution = say({
  SETTLED_EXTERNALLY: 'Refunded outside the service',
  CREDITED_TO_BALANCE: 'Credited to the account balance',
});

export const paymentMethod = say({ CARD: 'Card', PAYPAL: 'PayPal', BALANCE: 'Account balance' });

/** A ledger entry's cause, short (the customer console explains it at length). */
export const ledgerCause = say({
  REFUND_TO_BALANCE: 'Refund to the balance by the rules',
  PROVIDER_REFUSED: 'Payment method refused the refund',
  PROVIDER_FAILED: 'Refund failed after it was sent',
  PROVIDER_REVERSED: 'Provider reversed the refund',
  OPERATOR_RESOLUTION: 'Resolved by an operator to the balance',
  GOODWILL_CREDIT: 'Goodwill credit',
  CORRECTING_DEBIT: 'Correcting debit',
});

/** A history entry's note, as operators read it. */
export const historyNote = say({
  REFUND_FAILED: 'The refund to the payment method failed; credited to the balance.',
  REFUND_REVERSED: 'The provider reversed a refund; credited to the balance.',
  DEAD_LETTERED: 'Settlement gave up after its last delivery.',
  REDRIVEN: 'Settlement resumed from the dead-letter queue.',
  OPERATOR_RETRY: 'An operator retried the settlement.',
  LINE_RESOLVED: 'An operator resolved a line by hand.',
});

/** `RefundLineSettled` → "Refund line settled". */
export const eventName = (type: string): string => {
  const words = type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** What a four-eyes command does, in one sentence. */
export function commandText(command: Command, currency: string, amount: number): string {
  const money = formatMoney(amount, currency);
  if (command.kind === 'ADJUST_BALANCE') {
    return command.direction === 'CREDIT'
      ? `Goodwill credit of ${money} to the balance of ${command.accountId}`
      : `Correcting debit of ${money} from the balance of ${command.accountId}`;
  }
  return command.resolution === 'SETTLED_EXTERNALLY'
    ? `Mark line ${command.orderId} (${money}) of order ${command.unsubscribeOrderId} as refunded outside the service, reference ${command.externalReference ?? ''}`
    : `Credit line ${command.orderId} (${money}) of order ${command.unsubscribeOrderId} to the balance of ${command.accountId}`;
}

/** A before/after snapshot as words: "Order: Needs attention · Line: Waiting". */
export function snapshotText(snapshot: Snapshot): string {
  if (!snapshot) return '—';
  const parts: string[] = [];
  const currency = typeof snapshot.currency === 'string' ? snapshot.currency : undefined;
  for (const [key, value] of Object.entries(snapshot)) {
    if (value === null || key === 'currency') continue;
    const text = String(value);
    if (key === 'status' || key === 'orderStatus') parts.push(`Order: ${orderStatus(text)}`);
    else if (key === 'lineStatus') parts.push(`Line: ${lineStatus(text)}`);
    else if (key === 'settledTo') parts.push(`Paid to: ${destination(text)}`);
    else if (key === 'approvalStatus') parts.push(`Request: ${approvalStatus(text)}`);
    else if (key === 'balance' && currency && typeof value === 'number')
      parts.push(`Balance: ${formatMoney(value, currency)}`);
    else parts.push(`${key}: ${text}`);
  }
  return parts.join(' · ') || '—';
}
