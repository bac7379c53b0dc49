/** What settlement (`#use-cases/settle-refund.ts`) needs from storage. */
import type { Destination, Millis } from '#shared/domain.ts';
import type { LedgerEntry, RefundMessage, UnsubscribeOrder, UnsubscribeOrderStatus } from '#shared/model.ts';

/** How a line was settled; `credit` is the ledger entry written in the same transaction. */
export interface LineSettlement {
  index: number;
  orderId: string;
  settledTo: Destination;
  /** When it settled (or, for `submitted`, when the provider accepted it). */
  settledAt: Millis;
  credit: LedgerEntry | null;
  /** The provider's refund id, stored on the line with a lookup item (webhooks find the line by it). */
  providerRefundId?: string;
  /** The provider accepted the refund as pending: the line becomes `SUBMITTED`, not `SETTLED`. */
  submitted?: boolean;
}

export interface StatusChange {
  from: readonly UnsubscribeOrderStatus[];
  to: UnsubscribeOrderStatus;
  at: Millis;
  note?: string;
  /** Recorded on the history entry (the delivery that gave up). */
  receiveCount?: number;
}

export interface Completion {
  at: Millis;
  settledAt: Millis;
  slaBreached: boolean;
  lineCount: number;
}

/** What settlement needs from storage; every write is conditional and reports whether it applied. */
export interface SettlementStore {
  get(ref: RefundMessage): Promise<UnsubscribeOrder | null>;
  /** Moves the order to `to` (with a history entry) if its status is one of `from`. */
  transition(ref: RefundMessage, change: StatusChange): Promise<boolean>;
  /** Settles (or submits) line `index` if it is still `PENDING`, writing `credit` (if any) in the same transaction. */
  settleLine(ref: RefundMessage, settlement: LineSettlement): Promise<boolean>;
  /** `PROCESSING`/`NEEDS_ATTENTION` → `SUCCEEDED` if every line is `SETTLED`. */
  complete(ref: RefundMessage, completion: Completion): Promise<boolean>;
}
