/**
 * How the back office's records become JSON (`#schema/ops.ts` types): ISO instants, nulls
 * for absent fields. Only types are imported from the schemas, so the bundle stays small.
 */
import { toIso } from '#policy/index.ts';
import type { ApprovalWire, AuditRecordWire, OpsOrderViewWire, OrderSummaryWire } from '#schema/ops.ts';
import type { BalanceWire } from '#schema/responses.ts';
import type { Millis } from '#shared/domain.ts';
import type { DomainEvent } from '#shared/events/derive.ts';
import type { LedgerEntry, UnsubscribeOrder } from '#shared/model.ts';
import type { ApprovalRequest, AuditRecord } from '#shared/ops-model.ts';
import { presentBalance, presentUnsubscribeOrder } from '#shared/present.ts';

const isoOrNull = (ms: Millis | null | undefined): string | null => (ms == null ? null : toIso(ms));

export function presentAudit(record: AuditRecord): AuditRecordWire {
  return {
    auditId: record.auditId,
    at: toIso(record.at),
    actor: record.actor,
    action: record.action,
    target: { ...record.target },
    approvalId: record.approvalId ?? null,
    reasonCode: record.reasonCode,
    note: record.note,
    before: record.before,
    after: record.after,
    requestId: record.requestId,
    currency: record.currency ?? null,
    amount: record.amount ?? null,
  };
}

export function presentApproval(approval: ApprovalRequest): ApprovalWire {
  return {
    approvalId: approval.approvalId,
    status: approval.status,
    command: { ...approval.command },
    currency: approval.currency,
    amount: approval.amount,
    requestedBy: approval.requestedBy,
    requestedAt: toIso(approval.requestedAt),
    expiresAt: toIso(approval.expiresAt),
    reasonCode: approval.reasonCode,
    note: approval.note,
    decidedBy: approval.decidedBy,
    decidedAt: isoOrNull(approval.decidedAt),
    decisionReasonCode: approval.decisionReasonCode,
    decisionNote: approval.decisionNote,
  };
}

export function presentOrderSummary(order: UnsubscribeOrder): OrderSummaryWire {
  const open = order.lines.filter((line) => line.status !== 'SETTLED');
  const since =
    order.status === 'NEEDS_ATTENTION'
      ? order.history.findLast((h) => h.status === 'NEEDS_ATTENTION')?.at
      : undefined;
  return {
    accountId: order.accountId,
    unsubscribeOrderId: order.unsubscribeOrderId,
    instanceId: order.instanceId,
    status: order.status,
    currency: order.currency,
    refundAmount: order.refundAmount,
    unsettledAmount: open.reduce((sum, line) => sum + line.refundAmount, 0),
    openLines: open.length,
    createdAt: toIso(order.createdAt),
    dueBy: toIso(order.dueBy),
    slaBreached: order.slaBreached,
    needsAttentionSince: isoOrNull(since),
  };
}

type OrderLineExtras = {
  resolvedBy?: string;
  externalReference?: string;
};

export function presentOrderView(view: {
  order: UnsubscribeOrder;
  ledger: readonly LedgerEntry[];
  audit: readonly AuditRecord[];
  events: readonly DomainEvent[];
}): OpsOrderViewWire {
  const { order } = view;
  const history = order.history;
  return {
    accountId: order.accountId,
    order: presentUnsubscribeOrder(order),
    lines: order.lines.map((line) => {
      const extras = line as typeof line & OrderLineExtras;
      return {
        orderId: line.orderId,
        status: line.status,
        refundAmount: line.refundAmount,
        predictedDestination: line.destination,
        settledTo: line.settledTo,
        settledAt: isoOrNull(line.settledAt),
        submittedAt: isoOrNull(line.submittedAt),
        providerRefundId: line.providerRefundId ?? null,
        providerFailure: line.providerFailure ?? null,
        paymentMethodType: line.paymentMethod.type,
        resolvedBy: extras.resolvedBy ?? null,
        externalReference: extras.externalReference ?? null,
      };
    }),
    history: history.map((entry) => ({
      status: entry.status,
      at: toIso(entry.at),
      note: entry.note ?? null,
      orderId: entry.orderId ?? null,
      failureReason: entry.failureReason ?? null,
      receiveCount: entry.receiveCount ?? null,
    })),
    receives: {
      deadLettered: history.filter((h) => h.note === 'DEAD_LETTERED').length,
      lastReceiveCount: history.findLast((h) => h.receiveCount !== undefined)?.receiveCount ?? null,
      redriven: history.filter((h) => h.note === 'REDRIVEN').length,
      operatorRetries: history.filter((h) => h.note === 'OPERATOR_RETRY').length,
    },
    ledger: presentBalance({ balances: [], entries: [...view.ledger] }).entries,
    audit: view.audit.map(presentAudit),
    events: view.events.map((event) => ({ ...event, data: { ...event.data } })),
  };
}

export function presentAccountBalance(accountId: string, balance: Parameters<typeof presentBalance>[0]) {
  const wire: BalanceWire = presentBalance(balance);
  return { accountId, ...wire };
}
