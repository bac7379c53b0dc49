/**
 * The records of the operators' back office: audit records, four-eyes approval requests and
 * the commands operators give. Instants are epoch milliseconds, money integer minor units.
 */
import type { Millis, MinorUnits } from '#shared/domain.ts';

/** Why an operator acted; required with every action (the free-text note says the rest). */
export const OPERATOR_REASON_CODES = [
  'PROVIDER_OUTAGE',
  'PAYMENT_METHOD_INVALID',
  'REFUNDED_OUTSIDE',
  'CUSTOMER_COMPLAINT',
  'SERVICE_FAILURE',
  'BILLING_ERROR',
  'GOODWILL',
  'DUPLICATE_REQUEST',
  'OTHER',
] as const;
export type OperatorReasonCode = (typeof OPERATOR_REASON_CODES)[number];

/** What an audit record records. Expiry is the system's (`actor` = `system`). */
export const AUDIT_ACTIONS = [
  'SETTLEMENT_RETRIED',
  'LINE_RESOLVED',
  'BALANCE_ADJUSTED',
  'APPROVAL_REQUESTED',
  'APPROVAL_GRANTED',
  'APPROVAL_REJECTED',
  'APPROVAL_CANCELLED',
  'APPROVAL_EXPIRED',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The actor of what no person did (an approval request expiring). */
export const SYSTEM_ACTOR = 'system';

export type LineResolution = 'SETTLED_EXTERNALLY' | 'CREDITED_TO_BALANCE';

/** Resolve a stuck line by hand: refunded outside the service (with its reference), or to the balance. */
export interface ResolveLineCommand {
  kind: 'RESOLVE_LINE';
  accountId: string;
  unsubscribeOrderId: string;
  orderId: string;
  resolution: LineResolution;
  /** The refund's reference where it was made (SETTLED_EXTERNALLY only). */
  externalReference?: string;
}

/** A goodwill credit, or a correcting debit that never takes the balance below zero. */
export interface AdjustBalanceCommand {
  kind: 'ADJUST_BALANCE';
  accountId: string;
  direction: 'CREDIT' | 'DEBIT';
  currency: string;
  /** Positive minor units; the direction gives the sign. */
  amount: MinorUnits;
}

/** The commands that move money by hand, and so may need a second person's approval. */
export type FourEyesCommand = ResolveLineCommand | AdjustBalanceCommand;

export type AuditTarget =
  | { type: 'ORDER'; accountId: string; unsubscribeOrderId: string; orderId?: string }
  | { type: 'ACCOUNT'; accountId: string };

/** A small picture of the target's state, before and after (ids, statuses, amounts; never free text). */
export type StateSnapshot = Record<string, string | number | boolean | null>;

/** One immutable audit record: put once, never updated or deleted through the service. */
export interface AuditRecord {
  auditId: string;
  at: Millis;
  /** The person (token `sub`), or `system`. */
  actor: string;
  action: AuditAction;
  target: AuditTarget;
  approvalId?: string;
  reasonCode: OperatorReasonCode;
  /** The operator's free text: kept here only, never in events or logs. */
  note: string;
  before: StateSnapshot | null;
  after: StateSnapshot | null;
  /** The API request (or the scheduled run) that made the change. */
  requestId: string;
  /** Money the action moved or asks to move. */
  currency?: string;
  amount?: MinorUnits;
}

export type ApprovalStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'CANCELLED' | 'EXPIRED';

export interface ApprovalRequest {
  approvalId: string;
  status: ApprovalStatus;
  command: FourEyesCommand;
  currency: string;
  amount: MinorUnits;
  requestedBy: string;
  requestedAt: Millis;
  expiresAt: Millis;
  reasonCode: OperatorReasonCode;
  note: string;
  decidedBy: string | null;
  decidedAt: Millis | null;
  /** The decision's reason and note (rejection, cancellation). */
  decisionReasonCode: OperatorReasonCode | null;
  decisionNote: string | null;
}

export const auditTargetOf = (command: FourEyesCommand): AuditTarget =>
  command.kind === 'RESOLVE_LINE'
    ? {
        type: 'ORDER',
        accountId: command.accountId,
        unsubscribeOrderId: command.unsubscribeOrderId,
        orderId: command.orderId,
      }
    : { type: 'ACCOUNT', accountId: command.accountId };
