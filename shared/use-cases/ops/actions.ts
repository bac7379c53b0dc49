/**
 * The operators' actions on money that is stuck: retry settlement now, resolve a line by hand,
 * adjust a balance. Each checks the state it acts on (refusing with 409 `STATE_CHANGED` when
 * that moved on), and commits the change, its audit record and the Idempotency-Key's answer in
 * one transaction, so a retry, a double click or a racing colleague has exactly one effect.
 * A resolution or an adjustment above the four-eyes threshold becomes an approval request
 * instead (`approvals.ts`).
 */
import { isSettledLate } from '#policy/due-by.ts';
import { needsApproval } from '#policy/four-eyes.ts';
import type { OpsWrite } from '#ports/ops.ts';
import { refundIdempotencyKey } from '#ports/payment-provider.ts';
import type { Destination, Millis } from '#shared/domain.ts';
import { notFound, RefundError } from '#shared/errors.ts';
import type { LedgerEntry, UnsubscribeOrder } from '#shared/model.ts';
import {
  type AdjustBalanceCommand,
  type ApprovalRequest,
  type AuditRecord,
  auditTargetOf,
  type FourEyesCommand,
  type LineResolution,
  type ResolveLineCommand,
  type StateSnapshot,
} from '#shared/ops-model.ts';
import { presentApproval, presentAudit, presentOrderSummary } from '#shared/ops-present.ts';
import { balancesOf } from '#use-cases/get-balance.ts';
import {
  type ActionContext,
  type Complete,
  idempotencyLost,
  type Justification,
  type OpsDeps,
  operatorAction,
  stateChanged,
} from './common.ts';

export type ActionOutcome = 'APPLIED' | 'APPROVAL_REQUESTED' | 'APPROVED' | 'REJECTED' | 'CANCELLED';

export function actionBody(result: {
  outcome: ActionOutcome;
  audit: AuditRecord;
  approval?: ApprovalRequest | null;
  order?: UnsubscribeOrder | null;
  balance?: { currency: string; amount: number } | null;
}): string {
  return JSON.stringify({
    outcome: result.outcome,
    audit: presentAudit(result.audit),
    approval: result.approval ? presentApproval(result.approval) : null,
    order: result.order ? presentOrderSummary(result.order) : null,
    balance: result.balance ?? null,
  });
}

/** The base of an audit record for an action taken now by the context's operator. */
export function auditOf(
  deps: Pick<OpsDeps, 'newId'>,
  context: ActionContext,
  fields: Omit<AuditRecord, 'auditId' | 'at' | 'actor' | 'requestId'>,
): AuditRecord {
  return {
    auditId: deps.newId('au', context.now),
    at: context.now,
    actor: context.operator.id,
    requestId: context.requestId,
    ...fields,
  };
}

async function loadOrder(deps: OpsDeps, unsubscribeOrderId: string): Promise<UnsubscribeOrder> {
  const order = await deps.reader.findOrder(unsubscribeOrderId);
  if (!order) throw notFound('Unsubscribe order');
  return order;
}

// ---- retry settlement now -----------------------------------------------------------------

/**
 * Retry settlement now: a `NEEDS_ATTENTION` order goes back to `PENDING` (history
 * `OPERATOR_RETRY`) and is enqueued again. Safe: each line keeps its provider idempotency key,
 * settled lines are skipped, and the reconciler enqueues it if the enqueue fails.
 * 1. claim the key; 2. load the order (404) and require `NEEDS_ATTENTION` (409);
 * 3. commit requeue + audit + answer; 4. enqueue.
 */
export async function retrySettlement(
  deps: OpsDeps,
  context: ActionContext,
  input: { unsubscribeOrderId: string } & Justification,
): Promise<string> {
  return operatorAction(deps, context, ['retry', input], async (complete) => {
    const order = await loadOrder(deps, input.unsubscribeOrderId);
    if (order.status !== 'NEEDS_ATTENTION') throw notAttention(order);
    const audit = auditOf(deps, context, {
      action: 'SETTLEMENT_RETRIED',
      target: { type: 'ORDER', accountId: order.accountId, unsubscribeOrderId: order.unsubscribeOrderId },
      reasonCode: input.reasonCode,
      note: input.note,
      before: { status: order.status },
      after: { status: 'PENDING' },
    });
    const requeued: UnsubscribeOrder = { ...order, status: 'PENDING' };
    const body = actionBody({ outcome: 'APPLIED', audit, order: requeued });
    await commitOrExplain(deps, [
      { type: 'ORDER_REQUEUE', order, at: context.now },
      { type: 'AUDIT_PUT', record: audit },
      complete(body),
    ]);
    try {
      await deps.queue.enqueue({ accountId: order.accountId, unsubscribeOrderId: order.unsubscribeOrderId });
    } catch (error) {
      deps.onEnqueueFailure(error);
    }
    return body;
  });
}

const notAttention = (order: UnsubscribeOrder) =>
  stateChanged(`The order is ${order.status}, not NEEDS_ATTENTION`, {
    expected: 'NEEDS_ATTENTION',
    actual: order.status,
  });

// ---- resolve a stuck line -----------------------------------------------------------------

/**
 * Resolve a stuck line by hand: refunded outside the service (`SETTLED_EXTERNALLY`, with the
 * reference where it was made; the line counts as settled to the original payment method) or
 * credited to the account balance (`CREDITED_TO_BALANCE`, a ledger entry keyed by the line, so
 * a line is credited at most once whichever way). The order must be `NEEDS_ATTENTION` and the
 * line `PENDING` (a `SUBMITTED` line waits for the provider's answer). The last open line
 * completes the order (`SUCCEEDED`, `slaBreached` against `dueBy`).
 * Above the threshold: an approval request instead (202).
 */
export async function resolveLine(
  deps: OpsDeps,
  context: ActionContext,
  input: {
    unsubscribeOrderId: string;
    orderId: string;
    resolution: LineResolution;
    externalReference?: string;
  } & Justification,
): Promise<string> {
  return operatorAction(deps, context, ['resolve', input], async (complete) => {
    const order = await loadOrder(deps, input.unsubscribeOrderId);
    const command: ResolveLineCommand = {
      kind: 'RESOLVE_LINE',
      accountId: order.accountId,
      unsubscribeOrderId: order.unsubscribeOrderId,
      orderId: input.orderId,
      resolution: input.resolution,
      ...(input.externalReference !== undefined ? { externalReference: input.externalReference } : {}),
    };
    const { line } = checkResolvable(order, command);
    if (needsApproval(line.refundAmount, order.currency, deps.thresholds))
      return requestApproval(
        deps,
        context,
        command,
        input,
        { currency: order.currency, amount: line.refundAmount },
        lineSnapshot(order, command.orderId),
        complete,
      );
    const audit = auditOf(deps, context, {
      action: 'LINE_RESOLVED',
      target: auditTargetOf(command),
      reasonCode: input.reasonCode,
      note: input.note,
      currency: order.currency,
      amount: line.refundAmount,
      before: lineSnapshot(order, command.orderId),
      after: null,
    });
    const planned = planResolution(order, command, audit.auditId, context.now);
    audit.after = lineSnapshot(planned.after, command.orderId);
    const body = actionBody({ outcome: 'APPLIED', audit, order: planned.after });
    await commitOrExplain(deps, [...planned.writes, { type: 'AUDIT_PUT', record: audit }, complete(body)]);
    return body;
  });
}

/** The line, if the order and the line are still in the state a resolution needs (else 404/409). */
export function checkResolvable(order: UnsubscribeOrder, command: ResolveLineCommand) {
  const index = order.lines.findIndex((l) => l.orderId === command.orderId);
  const line = order.lines[index];
  if (!line) throw notFound('Refund line');
  if (order.status !== 'NEEDS_ATTENTION') throw notAttention(order);
  if (line.status !== 'PENDING')
    throw stateChanged(`The line is ${line.status}, not PENDING`, {
      expected: 'PENDING',
      actual: line.status,
    });
  return { index, line };
}

export function lineSnapshot(order: UnsubscribeOrder, orderId: string): StateSnapshot {
  const line = order.lines.find((l) => l.orderId === orderId);
  return {
    orderStatus: order.status,
    lineStatus: line?.status ?? null,
    settledTo: line?.settledTo ?? null,
  };
}

/** The writes of a resolution (order update, and the ledger entry of a credit) and the order after it. */
export function planResolution(
  order: UnsubscribeOrder,
  command: ResolveLineCommand,
  auditId: string,
  now: Millis,
): { writes: OpsWrite[]; after: UnsubscribeOrder } {
  const { index, line } = checkResolvable(order, command);
  const settledTo: Destination =
    command.resolution === 'CREDITED_TO_BALANCE' ? 'ACCOUNT_BALANCE' : 'ORIGINAL_PAYMENT_METHOD';
  const lines = order.lines.map((l, i) =>
    i === index ? { ...l, status: 'SETTLED' as const, settledTo, settledAt: now } : l,
  );
  const last = lines.every((l) => l.status === 'SETTLED');
  const settledAt = Math.max(...lines.map((l) => l.settledAt ?? now));
  const completion = last ? { settledAt, slaBreached: isSettledLate(settledAt, order.dueBy) } : null;
  const writes: OpsWrite[] = [
    {
      type: 'LINE_RESOLVE',
      order,
      index,
      settledTo,
      at: now,
      externalReference: command.externalReference ?? null,
      auditId,
      complete: completion,
    },
  ];
  if (command.resolution === 'CREDITED_TO_BALANCE' && line.refundAmount > 0) {
    const entry: LedgerEntry = {
      accountId: order.accountId,
      // The line's own key, as settlement would use: a line is credited at most once.
      entryId: refundIdempotencyKey(order.unsubscribeOrderId, line.orderId),
      currency: order.currency,
      amount: line.refundAmount,
      unsubscribeOrderId: order.unsubscribeOrderId,
      orderId: line.orderId,
      cause: 'OPERATOR_RESOLUTION',
      createdAt: now,
    };
    writes.push({ type: 'LEDGER_PUT', entry });
  }
  const after: UnsubscribeOrder = {
    ...order,
    lines,
    ...(completion
      ? { status: 'SUCCEEDED' as const, settledAt: completion.settledAt, slaBreached: completion.slaBreached }
      : {}),
  };
  return { writes, after };
}

// ---- adjust a balance ---------------------------------------------------------------------

/**
 * Adjust an account's balance: a goodwill credit, or a correcting debit that never takes the
 * balance below zero. Debits (and credits, so before/after are exact) are serialised by the
 * account's per-currency guard: the balance is read after the guard and the commit requires the
 * guard unchanged, so two racing debits cannot both pass the check. The account must exist
 * (have an instance). Above the threshold: an approval request instead (202).
 */
export async function adjustBalance(
  deps: OpsDeps,
  context: ActionContext,
  input: {
    accountId: string;
    direction: 'CREDIT' | 'DEBIT';
    currency: string;
    amount: number;
  } & Justification,
): Promise<string> {
  return operatorAction(deps, context, ['adjust', input], async (complete) => {
    const page = await deps.instances.list(input.accountId, { limit: 1 });
    if (page.items.length === 0) throw notFound('Account');
    const command: AdjustBalanceCommand = {
      kind: 'ADJUST_BALANCE',
      accountId: input.accountId,
      direction: input.direction,
      currency: input.currency,
      amount: input.amount,
    };
    const current = await readBalance(deps, command);
    checkAdjustable(command, current.balance);
    if (needsApproval(command.amount, command.currency, deps.thresholds))
      return requestApproval(
        deps,
        context,
        command,
        input,
        { currency: command.currency, amount: command.amount },
        balanceSnapshot(command.currency, current.balance),
        complete,
      );
    return executeAdjustment(deps, context, command, async (plan, balance) => {
      const audit = auditOf(deps, context, {
        action: 'BALANCE_ADJUSTED',
        target: auditTargetOf(command),
        reasonCode: input.reasonCode,
        note: input.note,
        currency: command.currency,
        amount: signed(command),
        before: balanceSnapshot(command.currency, balance),
        after: balanceSnapshot(command.currency, balance + signed(command)),
      });
      const body = actionBody({
        outcome: 'APPLIED',
        audit,
        balance: { currency: command.currency, amount: balance + signed(command) },
      });
      return { writes: [...plan, { type: 'AUDIT_PUT', record: audit }, complete(body)], body };
    });
  });
}

const signed = (command: AdjustBalanceCommand) =>
  command.direction === 'DEBIT' ? -command.amount : command.amount;

export const balanceSnapshot = (currency: string, balance: number): StateSnapshot => ({ currency, balance });

/** The guard first, then the balance: a debit committed after this read moves the guard. */
export async function readBalance(deps: OpsDeps, command: AdjustBalanceCommand) {
  const guard = await deps.reader.balanceGuard(command.accountId, command.currency);
  const entries = await deps.ledger.entries(command.accountId);
  const balance = balancesOf(entries).find((b) => b.currency === command.currency)?.amount ?? 0;
  return { guard, balance };
}

export function checkAdjustable(command: AdjustBalanceCommand, balance: number): void {
  if (command.direction === 'DEBIT' && balance - command.amount < 0) {
    throw new RefundError('INSUFFICIENT_BALANCE', 'A correcting debit cannot take the balance below zero', {
      currency: command.currency,
      balance,
      amount: command.amount,
    });
  }
  if (!Number.isSafeInteger(balance + signed(command)))
    throw new RefundError('VALIDATION_FAILED', 'The balance would not be a safe integer', {
      issues: [{ field: 'amount', message: 'too large' }],
    });
}

/**
 * Commits an adjustment (the ledger entry and the guard's step, plus what `finish` adds):
 * re-reads and re-checks when another adjustment moved the guard first, a few times.
 */
export async function executeAdjustment(
  deps: OpsDeps,
  context: ActionContext,
  command: AdjustBalanceCommand,
  finish: (plan: OpsWrite[], balance: number) => Promise<{ writes: OpsWrite[]; body: string }>,
): Promise<string> {
  for (let attempt = 0; attempt < 4; attempt++) {
    const { guard, balance } = await readBalance(deps, command);
    checkAdjustable(command, balance);
    const entry: LedgerEntry = {
      accountId: command.accountId,
      entryId: deps.newId('adj', context.now),
      currency: command.currency,
      amount: signed(command),
      unsubscribeOrderId: null,
      orderId: null,
      cause: command.direction === 'DEBIT' ? 'CORRECTING_DEBIT' : 'GOODWILL_CREDIT',
      createdAt: context.now,
    };
    const plan: OpsWrite[] = [
      { type: 'BALANCE_GUARD', accountId: command.accountId, currency: command.currency, expected: guard },
      { type: 'LEDGER_PUT', entry },
    ];
    const { writes, body } = await finish(plan, balance);
    const result = await deps.writer.commit(writes);
    if (result.ok) return body;
    if (result.failed === 'IDEMPOTENCY_COMPLETE') throw idempotencyLost();
    if (result.failed !== 'BALANCE_GUARD') throw await explain(deps, result.failed, writes);
  }
  throw stateChanged('The balance kept changing; retry');
}

// ---- approval requests --------------------------------------------------------------------

/** Files a four-eyes request for `command` (202); the state is re-checked when it is approved. */
async function requestApproval(
  deps: OpsDeps,
  context: ActionContext,
  command: FourEyesCommand,
  why: Justification,
  money: { currency: string; amount: number },
  before: StateSnapshot,
  complete: Complete,
): Promise<string> {
  const approval: ApprovalRequest = {
    approvalId: deps.newId('ap', context.now),
    status: 'PENDING',
    command,
    ...money,
    requestedBy: context.operator.id,
    requestedAt: context.now,
    expiresAt: context.now + deps.approvalTtlMs,
    reasonCode: why.reasonCode,
    note: why.note,
    decidedBy: null,
    decidedAt: null,
    decisionReasonCode: null,
    decisionNote: null,
  };
  const audit = auditOf(deps, context, {
    action: 'APPROVAL_REQUESTED',
    target: auditTargetOf(command),
    approvalId: approval.approvalId,
    reasonCode: why.reasonCode,
    note: why.note,
    ...money,
    before,
    after: { ...before, approvalStatus: 'PENDING' },
  });
  const body = actionBody({ outcome: 'APPROVAL_REQUESTED', audit, approval });
  await commitOrExplain(deps, [
    { type: 'APPROVAL_PUT', approval },
    { type: 'AUDIT_PUT', record: audit },
    complete(body),
  ]);
  return body;
}

// ---- commits ------------------------------------------------------------------------------

export async function commitOrExplain(deps: OpsDeps, writes: OpsWrite[]): Promise<void> {
  const result = await deps.writer.commit(writes);
  if (!result.ok) throw await explain(deps, result.failed, writes);
}

/** Why a commit was refused, in the words of the state that moved on. */
export async function explain(
  deps: Pick<OpsDeps, 'reader'>,
  failed: OpsWrite['type'],
  writes: readonly OpsWrite[],
): Promise<RefundError> {
  switch (failed) {
    case 'IDEMPOTENCY_COMPLETE':
      return idempotencyLost();
    case 'ORDER_REQUEUE':
    case 'LINE_RESOLVE': {
      const write = writes.find((w) => w.type === failed);
      const order = write && 'order' in write ? write.order : undefined;
      const now = order ? await deps.reader.getOrder(order.accountId, order.unsubscribeOrderId) : null;
      return stateChanged('The order changed meanwhile; reload it', { actual: now?.status ?? null });
    }
    case 'LEDGER_PUT':
      return stateChanged('That line was already credited');
    case 'BALANCE_GUARD':
      return stateChanged('The balance changed meanwhile; retry');
    case 'APPROVAL_DECIDE': {
      const write = writes.find((w) => w.type === 'APPROVAL_DECIDE');
      const id = write?.type === 'APPROVAL_DECIDE' ? write.approval.approvalId : '';
      const now = await deps.reader.getApproval(id);
      return now?.status === 'PENDING'
        ? new RefundError('APPROVAL_EXPIRED', 'The approval request has expired', {
            expiresAt: new Date(now.expiresAt).toISOString(),
          })
        : new RefundError('APPROVAL_NOT_PENDING', `The approval request is ${now?.status ?? 'gone'}`, {
            status: now?.status ?? null,
          });
    }
    default:
      return stateChanged('Something this action depends on changed meanwhile; retry');
  }
}
