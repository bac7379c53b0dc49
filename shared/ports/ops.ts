/**
 * What the back office's use cases (`#use-cases/ops/`) need from storage. Reads go through
 * indexes (never a scan); every change is ONE transaction of `OpsWrite`s that also holds its
 * audit record and the completion of the operator's Idempotency-Key, so there is no change
 * without its record and no record without its change.
 */
import type { Destination, Millis } from '#shared/domain.ts';
import type { LedgerEntry, UnsubscribeOrder } from '#shared/model.ts';
import type { ApprovalRequest, ApprovalStatus, AuditRecord } from '#shared/ops-model.ts';
import type { Page } from './stores.ts';

export interface PageQuery {
  limit: number;
  /** The store's own opaque position (from a previous page). */
  cursor?: string;
}

/** A line the provider accepted but has not confirmed (from the `SUBMITTED#` index partitions). */
export interface SubmittedLine {
  accountId: string;
  unsubscribeOrderId: string;
  orderId: string;
  providerRefundId: string;
  /** When it is next due to be asked about (its submission, at first). */
  since: Millis;
}

export interface AuditQuery extends PageQuery {
  by:
    | { kind: 'ORDER'; accountId: string; unsubscribeOrderId: string }
    | { kind: 'ACCOUNT'; accountId: string }
    | { kind: 'ACTOR'; actor: string }
    | { kind: 'TIME'; from: Millis; to: Millis };
}

export interface AccountOrderQuery extends PageQuery {
  instanceId?: string;
  status?: UnsubscribeOrder['status'];
  createdFrom?: Millis;
  createdTo?: Millis;
}

export interface OpsReader {
  /** Any unsubscribe order by its id alone (the `lookup` index). */
  findOrder(unsubscribeOrderId: string): Promise<UnsubscribeOrder | null>;
  getOrder(accountId: string, unsubscribeOrderId: string): Promise<UnsubscribeOrder | null>;
  accountOrders(accountId: string, query: AccountOrderQuery): Promise<Page<UnsubscribeOrder>>;
  /** Orders in `NEEDS_ATTENTION`, longest waiting first. */
  needsAttention(query: PageQuery): Promise<Page<UnsubscribeOrder>>;
  /** Orders not settled yet whose dueBy is before `before`, earliest first. */
  dueBefore(before: Millis, query: PageQuery): Promise<Page<UnsubscribeOrder>>;
  /** Lines `SUBMITTED` (or watched after settling) since before `before`, oldest first. */
  submittedBefore(before: Millis, query: PageQuery): Promise<Page<SubmittedLine>>;
  /** Approval requests still `PENDING`, oldest first. */
  pendingApprovals(query: PageQuery): Promise<Page<ApprovalRequest>>;
  /** How many items each queue holds (counted on the index, nothing read but keys). */
  countQueue(queue: 'ATTENTION' | 'APPROVAL' | { due: Millis } | { submitted: Millis }): Promise<number>;
  getApproval(approvalId: string): Promise<ApprovalRequest | null>;
  /** Ledger entries of one unsubscribe order (a key range). */
  orderLedger(accountId: string, unsubscribeOrderId: string): Promise<LedgerEntry[]>;
  /** The debit guard's sequence for an account and currency (0 when none yet). */
  balanceGuard(accountId: string, currency: string): Promise<number>;
  audit(query: AuditQuery): Promise<Page<AuditRecord>>;
}

/** The writes an operator's action commits together (one DynamoDB transaction). */
export type OpsWrite =
  /** `NEEDS_ATTENTION` → `PENDING` (history `OPERATOR_RETRY`), back on the reconciler's list. */
  | { type: 'ORDER_REQUEUE'; order: UnsubscribeOrder; at: Millis }
  /**
   * Line `index` `PENDING` → `SETTLED` to `settledTo`, if the order is still `NEEDS_ATTENTION`;
   * with `complete`, the order → `SUCCEEDED` too (every other line must already be `SETTLED`).
   */
  | {
      type: 'LINE_RESOLVE';
      order: UnsubscribeOrder;
      index: number;
      settledTo: Destination;
      at: Millis;
      externalReference: string | null;
      auditId: string;
      complete: { settledAt: Millis; slaBreached: boolean } | null;
    }
  | { type: 'LEDGER_PUT'; entry: LedgerEntry }
  /** Moves the account's debit guard from `expected` to `expected + 1` (debits are serialised). */
  | { type: 'BALANCE_GUARD'; accountId: string; currency: string; expected: number }
  | { type: 'APPROVAL_PUT'; approval: ApprovalRequest }
  /** `PENDING` → `to`, if still `PENDING` (and, for `EXPIRED`, if due). */
  | {
      type: 'APPROVAL_DECIDE';
      approval: ApprovalRequest;
      to: Exclude<ApprovalStatus, 'PENDING'>;
    }
  | { type: 'AUDIT_PUT'; record: AuditRecord }
  | { type: 'IDEMPOTENCY_COMPLETE'; actor: string; key: string; body: string };

export type OpsCommit = { ok: true } | { ok: false; failed: OpsWrite['type'] };

export interface OpsWriter {
  /** All or nothing; says which write's condition failed when it was refused. */
  commit(writes: readonly OpsWrite[]): Promise<OpsCommit>;
}
