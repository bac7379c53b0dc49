/**
 * The records the service keeps (what the ports store and return). Instants are epoch
 * milliseconds; presentation to ISO strings happens in `#shared/present.ts`.
 */

import type { Quote } from '#policy/index.ts';
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
export type LineStatus = 'PENDING' | 'SETTLED';

export interface UnsubscribeOrderLine extends RefundLine {
  status: LineStatus;
  /** Where the money actually went (may differ from the predicted `destination` after a refusal). */
  settledTo: Destination | null;
  settledAt: Millis | null;
  /** Internal: how the order was paid; never shown by the API (it carries a payment reference). */
  paymentMethod: PaymentMethod;
}

export interface HistoryEntry {
  status: UnsubscribeOrderStatus;
  at: Millis;
  /** A short machine-readable note, e.g. `ENQUEUE_FAILED`, `DEAD_LETTERED`, `REDRIVEN`. Never personal data. */
  note?: string;
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
  amount: MinorUnits;
  unsubscribeOrderId: string;
  orderId: string;
  /** `REFUND_TO_BALANCE`: the line's destination was the balance; `PROVIDER_REFUSED`: fallback after a definitive refusal. */
  cause: 'REFUND_TO_BALANCE' | 'PROVIDER_REFUSED';
  createdAt: Millis;
}
