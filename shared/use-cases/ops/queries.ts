/**
 * What operators look at: the work queues (with counts), any order by id with what customers
 * do not see, any account's instances, orders, balance and ledger, approval requests and the
 * audit trail. Reads only, all through keys and indexes (`#ports/ops.ts`).
 */
import type { AuditQuery, PageQuery } from '#ports/ops.ts';
import type { Page } from '#ports/stores.ts';
import type { Millis } from '#shared/domain.ts';
import { notFound } from '#shared/errors.ts';
import { type DomainEvent, eventsFromChange } from '#shared/events/derive.ts';
import type { LedgerEntry, UnsubscribeOrder } from '#shared/model.ts';
import type { ApprovalRequest, AuditRecord } from '#shared/ops-model.ts';
import { type Balance, getBalance } from '#use-cases/get-balance.ts';
import type { OpsDeps } from './common.ts';

const MINUTE = 60_000;

export async function queueCounts(
  deps: Pick<OpsDeps, 'reader'>,
  now: Millis,
  windows: { dueWithinMinutes: number; submittedForMinutes: number },
) {
  const soon = now + windows.dueWithinMinutes * MINUTE;
  const [needsAttention, pendingApprovals, breached, dueByWindow, submittedLines] = await Promise.all([
    deps.reader.countQueue('ATTENTION'),
    deps.reader.countQueue('APPROVAL'),
    deps.reader.countQueue({ due: now }),
    deps.reader.countQueue({ due: soon }),
    deps.reader.countQueue({ submitted: now - windows.submittedForMinutes * MINUTE }),
  ]);
  return {
    asOf: new Date(now).toISOString(),
    needsAttention,
    pendingApprovals,
    breached,
    dueSoon: dueByWindow - breached,
    dueWithinMinutes: windows.dueWithinMinutes,
    submittedLines,
    submittedForMinutes: windows.submittedForMinutes,
  };
}

export const needsAttention = (deps: Pick<OpsDeps, 'reader'>, page: PageQuery) =>
  deps.reader.needsAttention(page);

/** Unsettled orders due before `now + withinMinutes` (breached ones first: earliest dueBy first). */
export const dueOrders = (
  deps: Pick<OpsDeps, 'reader'>,
  now: Millis,
  withinMinutes: number,
  page: PageQuery,
) => deps.reader.dueBefore(now + withinMinutes * MINUTE, page);

/** Lines waiting for the provider's final answer for at least `forMinutes`. */
export const submittedLines = (
  deps: Pick<OpsDeps, 'reader'>,
  now: Millis,
  forMinutes: number,
  page: PageQuery,
) => deps.reader.submittedBefore(now - forMinutes * MINUTE, page);

export const pendingApprovals = (
  deps: Pick<OpsDeps, 'reader'>,
  page: PageQuery,
): Promise<Page<ApprovalRequest>> => deps.reader.pendingApprovals(page);

export async function approval(deps: Pick<OpsDeps, 'reader'>, approvalId: string): Promise<ApprovalRequest> {
  const found = await deps.reader.getApproval(approvalId);
  if (!found) throw notFound('Approval request');
  return found;
}

export const auditTrail = (deps: Pick<OpsDeps, 'reader'>, query: AuditQuery): Promise<Page<AuditRecord>> =>
  deps.reader.audit(query);

/** Audit records of one order shown in its view (newest first); the rest is a page away. */
export const ORDER_VIEW_AUDIT_LIMIT = 100;

/**
 * An order as operators see it: the order with every history entry, its ledger entries, its
 * audit trail and its domain events — those its current state, its ledger entries and its audit
 * records yield, with the ids they were published under (derivation is deterministic).
 */
export async function orderView(
  deps: Pick<OpsDeps, 'reader'>,
  unsubscribeOrderId: string,
): Promise<{ order: UnsubscribeOrder; ledger: LedgerEntry[]; audit: AuditRecord[]; events: DomainEvent[] }> {
  const order = await deps.reader.findOrder(unsubscribeOrderId);
  if (!order) throw notFound('Unsubscribe order');
  const [ledger, audit] = await Promise.all([
    deps.reader.orderLedger(order.accountId, unsubscribeOrderId),
    deps.reader.audit({
      by: { kind: 'ORDER', accountId: order.accountId, unsubscribeOrderId },
      limit: ORDER_VIEW_AUDIT_LIMIT,
    }),
  ]);
  const pk = `ACCT#${order.accountId}`;
  const inserted = (sk: string, image: object) =>
    eventsFromChange({ key: { pk, sk }, oldImage: null, newImage: { ...image } });
  const events = [
    ...inserted(`UORDER#${unsubscribeOrderId}`, order),
    ...ledger.flatMap((entry) =>
      inserted(
        entry.orderId === null
          ? `LEDGER#${entry.entryId}`
          : `LEDGER#${entry.unsubscribeOrderId}#${entry.orderId}`,
        entry,
      ),
    ),
    ...audit.items.flatMap((record) =>
      inserted(`AUDIT#ORDER#${unsubscribeOrderId}#${record.auditId}`, record),
    ),
  ].sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
  return { order, ledger, audit: audit.items, events };
}

export const accountInstances = (
  deps: Pick<OpsDeps, 'instances'>,
  accountId: string,
  query: Parameters<OpsDeps['instances']['list']>[1],
) => deps.instances.list(accountId, query);

export const accountOrders = (
  deps: Pick<OpsDeps, 'reader'>,
  accountId: string,
  query: Parameters<OpsDeps['reader']['accountOrders']>[1],
) => deps.reader.accountOrders(accountId, query);

export const accountBalance = (deps: Pick<OpsDeps, 'ledger'>, accountId: string): Promise<Balance> =>
  getBalance(deps, accountId);
