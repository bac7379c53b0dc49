/**
 * Four-eyes decisions on approval requests. An approver other than the requester approves
 * (the request's command executes then, in the same transaction as the request's
 * `PENDING` → `APPROVED`, so it executes exactly once) or rejects; the requester or an
 * approver cancels; the system expires a request at its `expiresAt` (the sweeper, or the first
 * decision that comes too late). Every decision is an audit record in the same transaction.
 */
import type { OpsWrite } from '#ports/ops.ts';
import type { Millis } from '#shared/domain.ts';
import { notFound, RefundError } from '#shared/errors.ts';
import {
  type ApprovalRequest,
  type AuditRecord,
  auditTargetOf,
  type OperatorReasonCode,
  SYSTEM_ACTOR,
} from '#shared/ops-model.ts';
import {
  actionBody,
  auditOf,
  balanceSnapshot,
  checkResolvable,
  commitOrExplain,
  executeAdjustment,
  explain,
  lineSnapshot,
  planResolution,
} from './actions.ts';
import type { ActionContext, Justification, OpsDeps } from './common.ts';
import { operatorAction } from './common.ts';

/** What expiring needs (the sweeper has no queue and no ledger). */
export type SweeperDeps = Pick<OpsDeps, 'reader' | 'writer' | 'newId'>;

async function loadApproval(deps: OpsDeps, approvalId: string): Promise<ApprovalRequest> {
  const approval = await deps.reader.getApproval(approvalId);
  if (!approval) throw notFound('Approval request');
  return approval;
}

function checkPending(approval: ApprovalRequest): void {
  if (approval.status !== 'PENDING')
    throw new RefundError('APPROVAL_NOT_PENDING', `The approval request is already ${approval.status}`, {
      status: approval.status,
    });
}

function checkOtherPerson(approval: ApprovalRequest, context: ActionContext): void {
  if (approval.requestedBy === context.operator.id)
    throw new RefundError('SELF_APPROVAL', 'Another approver must decide on your own request');
}

const decided = (
  approval: ApprovalRequest,
  by: string,
  at: Millis,
  code: OperatorReasonCode | null,
  note: string | null,
): ApprovalRequest => ({
  ...approval,
  decidedBy: by,
  decidedAt: at,
  decisionReasonCode: code,
  decisionNote: note,
});

/** A request past its `expiresAt` is expired (by the system) before anyone is told it expired. */
async function expireIfDue(deps: OpsDeps, approval: ApprovalRequest, now: Millis, requestId: string) {
  if (now < approval.expiresAt) return;
  await expireOne(deps, approval, now, requestId);
  throw new RefundError('APPROVAL_EXPIRED', 'The approval request has expired; file a new one', {
    expiresAt: new Date(approval.expiresAt).toISOString(),
  });
}

/**
 * Approve: approver, not the requester, request `PENDING` and not expired; then the command
 * runs with the same state checks as when it is given directly (409 `STATE_CHANGED` if its
 * target moved on; the request then stays `PENDING` for a rejection or its expiry).
 */
export async function approve(
  deps: OpsDeps,
  context: ActionContext,
  input: { approvalId: string; reasonCode?: OperatorReasonCode; note: string },
): Promise<string> {
  requireApprover(context);
  return operatorAction(deps, context, ['approve', input], async (complete) => {
    const approval = await loadApproval(deps, input.approvalId);
    checkOtherPerson(approval, context);
    checkPending(approval);
    await expireIfDue(deps, approval, context.now, context.requestId);
    const reasonCode = input.reasonCode ?? approval.reasonCode;
    const granted = decided(approval, context.operator.id, context.now, reasonCode, input.note);
    const decide: OpsWrite = { type: 'APPROVAL_DECIDE', approval: granted, to: 'APPROVED' };
    const auditBase = {
      action: 'APPROVAL_GRANTED' as const,
      target: auditTargetOf(approval.command),
      approvalId: approval.approvalId,
      reasonCode,
      note: input.note,
      currency: approval.currency,
    };
    const command = approval.command;
    if (command.kind === 'RESOLVE_LINE') {
      const order = await deps.reader.getOrder(command.accountId, command.unsubscribeOrderId);
      if (!order) throw notFound('Unsubscribe order');
      checkResolvable(order, command);
      const audit = auditOf(deps, context, {
        ...auditBase,
        amount: approval.amount,
        before: { ...lineSnapshot(order, command.orderId), approvalStatus: 'PENDING' },
        after: null,
      });
      const planned = planResolution(order, command, audit.auditId, context.now);
      audit.after = { ...lineSnapshot(planned.after, command.orderId), approvalStatus: 'APPROVED' };
      const body = actionBody({
        outcome: 'APPROVED',
        audit,
        approval: { ...granted, status: 'APPROVED' },
        order: planned.after,
      });
      await commitOrExplain(deps, [
        decide,
        ...planned.writes,
        { type: 'AUDIT_PUT', record: audit },
        complete(body),
      ]);
      return body;
    }
    const delta = command.direction === 'DEBIT' ? -command.amount : command.amount;
    return executeAdjustment(deps, context, command, async (plan, balance) => {
      const audit = auditOf(deps, context, {
        ...auditBase,
        amount: delta,
        before: { ...balanceSnapshot(command.currency, balance), approvalStatus: 'PENDING' },
        after: { ...balanceSnapshot(command.currency, balance + delta), approvalStatus: 'APPROVED' },
      });
      const body = actionBody({
        outcome: 'APPROVED',
        audit,
        approval: { ...granted, status: 'APPROVED' },
        balance: { currency: command.currency, amount: balance + delta },
      });
      return { writes: [decide, ...plan, { type: 'AUDIT_PUT', record: audit }, complete(body)], body };
    });
  });
}

/** Reject: approver, not the requester, request `PENDING`. */
export async function reject(
  deps: OpsDeps,
  context: ActionContext,
  input: { approvalId: string } & Justification,
): Promise<string> {
  requireApprover(context);
  return decide(deps, context, input, 'REJECTED', (approval) => checkOtherPerson(approval, context));
}

/** Cancel: the requester, or an approver, while the request is `PENDING`. */
export async function cancel(
  deps: OpsDeps,
  context: ActionContext,
  input: { approvalId: string } & Justification,
): Promise<string> {
  return decide(deps, context, input, 'CANCELLED', (approval) => {
    if (approval.requestedBy !== context.operator.id && !context.operator.approver)
      throw new RefundError('FORBIDDEN', 'Only the requester or an approver can cancel an approval request');
  });
}

async function decide(
  deps: OpsDeps,
  context: ActionContext,
  input: { approvalId: string } & Justification,
  to: 'REJECTED' | 'CANCELLED',
  allowed: (approval: ApprovalRequest) => void,
): Promise<string> {
  return operatorAction(deps, context, [to, input], async (complete) => {
    const approval = await loadApproval(deps, input.approvalId);
    allowed(approval);
    checkPending(approval);
    await expireIfDue(deps, approval, context.now, context.requestId);
    const after = decided(approval, context.operator.id, context.now, input.reasonCode, input.note);
    const audit = auditOf(deps, context, {
      action: to === 'REJECTED' ? 'APPROVAL_REJECTED' : 'APPROVAL_CANCELLED',
      target: auditTargetOf(approval.command),
      approvalId: approval.approvalId,
      reasonCode: input.reasonCode,
      note: input.note,
      currency: approval.currency,
      amount: approval.amount,
      before: { approvalStatus: 'PENDING' },
      after: { approvalStatus: to },
    });
    const body = actionBody({ outcome: to, audit, approval: { ...after, status: to } });
    await commitOrExplain(deps, [
      { type: 'APPROVAL_DECIDE', approval: after, to },
      { type: 'AUDIT_PUT', record: audit },
      complete(body),
    ]);
    return body;
  });
}

function requireApprover(context: ActionContext): void {
  if (!context.operator.approver)
    throw new RefundError('FORBIDDEN', 'Only an approver can decide on approval requests');
}

/** Expires one due request, with the system's audit record; false when it was no longer pending. */
async function expireOne(
  deps: SweeperDeps,
  approval: ApprovalRequest,
  now: Millis,
  requestId: string,
): Promise<boolean> {
  const after = decided(approval, SYSTEM_ACTOR, now, null, null);
  const audit: AuditRecord = {
    auditId: deps.newId('au', now),
    at: now,
    actor: SYSTEM_ACTOR,
    action: 'APPROVAL_EXPIRED',
    target: auditTargetOf(approval.command),
    approvalId: approval.approvalId,
    reasonCode: approval.reasonCode,
    note: '',
    before: { approvalStatus: 'PENDING' },
    after: { approvalStatus: 'EXPIRED' },
    requestId,
    currency: approval.currency,
    amount: approval.amount,
  };
  const writes: OpsWrite[] = [
    { type: 'APPROVAL_DECIDE', approval: after, to: 'EXPIRED' },
    { type: 'AUDIT_PUT', record: audit },
  ];
  const result = await deps.writer.commit(writes);
  if (result.ok) return true;
  if (result.failed === 'APPROVAL_DECIDE') return false;
  throw await explain(deps, result.failed, writes);
}

/**
 * The sweeper's part: expires every pending request whose `expiresAt` has passed (oldest first,
 * at most `limit` a run) and says how many it expired and how old the oldest still waiting is.
 */
export async function expireApprovals(
  deps: SweeperDeps,
  now: Millis,
  requestId: string,
  limit = 200,
): Promise<{ expired: number; pending: number; oldestPendingAgeMs: number }> {
  let expired = 0;
  let pending = 0;
  let oldest: Millis | null = null;
  let cursor: string | undefined;
  let seen = 0;
  do {
    const page = await deps.reader.pendingApprovals({ limit: 100, ...(cursor ? { cursor } : {}) });
    for (const approval of page.items) {
      seen++;
      if (approval.expiresAt <= now && expired < limit) {
        if (await expireOne(deps, approval, now, requestId)) expired++;
        continue;
      }
      pending++;
      oldest = oldest === null ? approval.requestedAt : Math.min(oldest, approval.requestedAt);
    }
    cursor = page.cursor ?? undefined;
  } while (cursor && seen < 10_000);
  return { expired, pending, oldestPendingAgeMs: oldest === null ? 0 : Math.max(0, now - oldest) };
}
