/**
 * The records the service keeps (what the ports store and return). Instants are epoch
 * milliseconds; presentation to ISO strings happens in `#shared/present.ts`.
 */

import type { OrderDerivation, PolicyRef, Quote } from '#policy/index.ts';
import type {
  Destination,
  InstanceFacts,
  Millis,
  MinorUnits,
  PaymentMethod,
  QuoteKind,
  RefundLine,
  RefundType,
} from '#shared/domain.ts';

export type RetentionStatus = 'RETAINED' | 'PURGED' | 'RESTORED';
export type DataKind = 'CONFIG' | 'LOG';

export interface RetainedData {
  status: RetentionStatus;
  purgeAt: Millis;
  purgedAt: Millis | null;
}

export interface Retention {
  configData: RetainedData;
  logData: RetainedData;
}

export interface InstanceRecord extends InstanceFacts {
  accountId: string;
  /** Bumped by every change of orders, flags or status; quotes bind to it (QUOTE_STALE). */
  version: number;
  unsubscribedAt: Millis | null;
  /** When a renewal last restored the instance after an unsubscription (absent if never). */
  restoredAt?: Millis;
  retention: Retention | null;
  createdAt: Millis;
}

export interface QuoteRecord {
  quoteId: string;
  accountId: string;
  instanceId: string;
  kind: QuoteKind;
  /** The policy's answer, executed as is (SPEC 3.1: quotes bind the amount). */
  quote: Quote;
  asOf: Millis;
  expiresAt: Millis;
  /** The instance version the quote was computed from: any change since makes it stale. */
  instanceVersion: number;
  usedAt: Millis | null;
}

export type UnsubscribeOrderStatus = 'PENDING' | 'PROCESSING' | 'SUCCEEDED' | 'NEEDS_ATTENTION';
/**
 * `SUBMITTED`: the provider accepted the refund but has not confirmed it (e.g. Stripe's
 * `pending`); not settled, its order stays `PROCESSING` until a webhook or the submitted-refund
 * reconciler brings the final answer.
 */
export type LineStatus = 'PENDING' | 'SUBMITTED' | 'SETTLED';

export interface UnsubscribeOrderLine extends RefundLine {
  status: LineStatus;
  /** Where the money actually went (may differ from the predicted `destination` after a refusal). */
  settledTo: Destination | null;
  settledAt: Millis | null;
  /** Internal: how the order was paid; never shown by the API (it carries a payment reference). */
  paymentMethod: PaymentMethod;
  /** The provider's refund id once it accepted the refund (absent for the simulator's old lines and balance lines). */
  providerRefundId?: string;
  /** When the provider accepted the refund as pending (`SUBMITTED`). */
  submittedAt?: Millis;
  /** The provider's failure code when an accepted refund failed later and was credited to the balance. */
  providerFailure?: string;
}

export interface HistoryEntry {
  status: UnsubscribeOrderStatus;
  at: Millis;
  /** A short machine-readable note, e.g. `ENQUEUE_FAILED`, `DEAD_LETTERED`, `REDRIVEN`. Never personal data. */
  note?: string;
  /** The line a note is about (`REFUND_FAILED`, `REFUND_REVERSED`). */
  orderId?: string;
  /** The provider's failure code (e.g. Stripe's `expired_or_canceled_card`), never free text. */
  failureReason?: string;
  /** The queue's receive count of the delivery that gave up (`DEAD_LETTERED`), for operators. */
  receiveCount?: number;
}

export interface Reason {
  code:
    | 'NO_LONGER_NEEDED'
    | 'TOO_EXPENSIVE'
    | 'SWITCHING_PRODUCT'
    | 'PURCHASED_BY_MISTAKE'
    | 'SERVICE_ISSUES'
    | 'OTHER';
  /** Free text from the customer: personal data, never logged. */
  text?: string;
}

export interface UnsubscribeOrder {
  unsubscribeOrderId: string;
  accountId: string;
  instanceId: string;
  type: QuoteKind;
  refundType: RefundType;
  quoteId: string;
  status: UnsubscribeOrderStatus;
  currency: string;
  refundAmount: MinorUnits;
  lines: UnsubscribeOrderLine[];
  reason: Reason | null;
  createdAt: Millis;
  dueBy: Millis;
  settledAt: Millis | null;
  slaBreached: boolean;
  history: HistoryEntry[];
  /** The policy its quote was computed with (absent on orders made before policies were versioned). */
  policy?: PolicyRef;
  /** How every amount, deadline and the due-by were found (absent on orders made before). */
  derivation?: OrderDerivation;
}

/** The message on the refund queue: just a pointer; the order in the table is the truth. */
export interface RefundMessage {
  accountId: string;
  unsubscribeOrderId: string;
}

export interface LedgerEntry {
  accountId: string;
  entryId: string;
  currency: string;
  /** Negative only for an operator's `CORRECTING_DEBIT`. */
  amount: MinorUnits;
  /** The refunded line's order and order id; null for an operator's balance adjustment. */
  unsubscribeOrderId: string | null;
  orderId: string | null;
  /**
   * `REFUND_TO_BALANCE`: the line's destination was the balance; `PROVIDER_REFUSED`: fallback
   * after a definitive refusal; `PROVIDER_FAILED`: a refund the provider accepted failed before
   * it settled; `PROVIDER_REVERSED`: it failed after it had settled to the card;
   * `OPERATOR_RESOLUTION`: an operator credited a stuck line to the balance. Balance
   * adjustments (no line): `GOODWILL_CREDIT`, `CORRECTING_DEBIT`.
   */
  cause: LineCreditCause | AdjustmentCause;
  createdAt: Millis;
}

export type LineCreditCause =
  | 'REFUND_TO_BALANCE'
  | 'PROVIDER_REFUSED'
  | 'PROVIDER_FAILED'
  | 'PROVIDER_REVERSED'
  | 'OPERATOR_RESOLUTION';
export type AdjustmentCause = 'GOODWILL_CREDIT' | 'CORRECTING_DEBIT';
export const ADJUSTMENT_CAUSES: readonly string[] = ['GOODWILL_CREDIT', 'CORRECTING_DEBIT'];
