/**
 * The back office's answers as the operator console reads them (`/ops/...`, docs/back-office.md;
 * the service's schemas are `shared/schema/ops.ts`). Only types: nothing here is bundled.
 */
import type { Balance, Instance, UnsubscribeOrder } from '../api.ts';

export type OrderStatus = UnsubscribeOrder['status'];
export type LedgerEntry = Balance['entries'][number];

export interface Operator {
  operator: string;
  approver: boolean;
}

export interface Queues {
  asOf: string;
  needsAttention: number;
  pendingApprovals: number;
  breached: number;
  dueSoon: number;
  dueWithinMinutes: number;
  submittedLines: number;
  submittedForMinutes: number;
}

/** An order as a queue row. */
export interface OrderSummary {
  accountId: string;
  unsubscribeOrderId: string;
  instanceId: string;
  status: OrderStatus;
  currency: string;
  refundAmount: number;
  unsettledAmount: number;
  openLines: number;
  createdAt: string;
  dueBy: string;
  slaBreached: boolean;
  needsAttentionSince: string | null;
}

export interface SubmittedLine {
  accountId: string;
  unsubscribeOrderId: string;
  orderId: string;
  providerRefundId: string;
  since: string;
}

/** Ids, statuses and amounts of the target before and after an action. */
export type Snapshot = Record<string, string | number | boolean | null> | null;

export interface AuditRecord {
  auditId: string;
  at: string;
  actor: string;
  action: string;
  target: { type: 'ORDER' | 'ACCOUNT'; accountId: string; unsubscribeOrderId?: string; orderId?: string };
  approvalId: string | null;
  reasonCode: string;
  note: string;
  before: Snapshot;
  after: Snapshot;
  requestId: string;
  currency: string | null;
  amount: number | null;
}

export type Command =
  | {
      kind: 'RESOLVE_LINE';
      accountId: string;
      unsubscribeOrderId: string;
      orderId: string;
      resolution: 'SETTLED_EXTERNALLY' | 'CREDITED_TO_BALANCE';
      externalReference?: string;
    }
  | {
      kind: 'ADJUST_BALANCE';
      accountId: string;
      direction: 'CREDIT' | 'DEBIT';
      currency: string;
      amount: number;
    };

export interface Approval {
  approvalId: string;
  status: 'PENDING' | 'APPROVED' | 'REJECTED' | 'CANCELLED' | 'EXPIRED';
  command: Command;
  currency: string;
  amount: number;
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
  reasonCode: string;
  note: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReasonCode: string | null;
  decisionNote: string | null;
}

/** What an action did: applied at once, or waiting for an approver (202). */
export interface ActionResult {
  outcome: 'APPLIED' | 'APPROVAL_REQUESTED' | 'APPROVED' | 'REJECTED' | 'CANCELLED';
  audit: AuditRecord;
  approval: Approval | null;
  order: OrderSummary | null;
  balance: { currency: string; amount: number } | null;
}

export interface OrderLineView {
  orderId: string;
  status: 'PENDING' | 'SUBMITTED' | 'SETTLED';
  refundAmount: number;
  predictedDestination: string;
  settledTo: string | null;
  settledAt: string | null;
  submittedAt: string | null;
  providerRefundId: string | null;
  providerFailure: string | null;
  paymentMethodType: 'CARD' | 'PAYPAL' | 'BALANCE';
  resolvedBy: string | null;
  externalReference: string | null;
}

export interface DomainEvent {
  id: string;
  type: string;
  version: number;
  accountId: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/** An order as operators see it: what the customer sees, and what they do not. */
export interface OrderView {
  accountId: string;
  order: UnsubscribeOrder;
  lines: OrderLineView[];
  history: {
    status: OrderStatus;
    at: string;
    note: string | null;
    orderId: string | null;
    failureReason: string | null;
    receiveCount: number | null;
  }[];
  receives: {
    deadLettered: number;
    lastReceiveCount: number | null;
    redriven: number;
    operatorRetries: number;
  };
  ledger: LedgerEntry[];
  audit: AuditRecord[];
  events: DomainEvent[];
}

export interface AccountBalance extends Balance {
  accountId: string;
}

export type { Instance, UnsubscribeOrder };
