/**
 * What asynchronous refund outcomes need from storage: the lookup from a provider's refund id
 * to its line (`#use-cases/apply-refund-update.ts`) and the watch list of open provider
 * refunds (`#use-cases/reconcile-submitted.ts`).
 */
import type { Destination, Millis } from '#shared/domain.ts';
import type { HistoryEntry, LedgerEntry, RefundMessage } from '#shared/model.ts';

/** Where a provider refund belongs (the lookup item written with `SUBMITTED`/`SETTLED`). */
export interface ProviderRefundRecord {
  providerRefundId: string;
  accountId: string;
  unsubscribeOrderId: string;
  orderId: string;
  lineIndex: number;
  submittedAt: Millis;
}

/** One conditional transition of a provider line (see the table above). */
export interface LineOutcome {
  ref: RefundMessage;
  index: number;
  orderId: string;
  providerRefundId: string;
  /** When the answer is applied. */
  at: Millis;
  /** The state the line must still be in. */
  from: 'SUBMITTED' | 'SETTLED_TO_CARD';
  settledTo: Destination;
  /** Set on `SUBMITTED` → `SETTLED` only (a reversal keeps the original settlement time). */
  settledAt: Millis | null;
  credit: LedgerEntry | null;
  failureReason: string | null;
  history: HistoryEntry | null;
}

export interface ProviderRefundStore {
  find(providerRefundId: string): Promise<ProviderRefundRecord | null>;
  /** Applies `outcome` if the line is still in `outcome.from`; false when it was not (already applied). */
  finishLine(outcome: LineOutcome): Promise<boolean>;
}

export interface WatchedRefund {
  providerRefundId: string;
  submittedAt: Millis;
}

export interface SubmittedRefunds {
  /** Watched refunds due for a check: last asked about (or submitted) strictly before `before`. */
  dueBefore(before: Millis, limit: number): Promise<{ refunds: WatchedRefund[]; more: boolean }>;
  /** Due again at `base` + `after`. */
  postpone(providerRefundId: string, base: Millis): Promise<void>;
  /** No longer watched (the lookup item stays for late webhooks). */
  unwatch(providerRefundId: string): Promise<void>;
}
