/**
 * What the operator console's screens share: who is signed in (`GET /ops/me`), the links
 * between orders, accounts and people, the outcome of the last action (shown once on the
 * screen it returns to), and the audit trail as a table.
 */
import type { App } from '../app.ts';
import { h } from '../dom.ts';
import { formatMoney } from '../money.ts';
import { link, named, table, timeOf } from '../ui.ts';
import type { ActionResult, AuditRecord, Operator } from './types.ts';
import { approvalStatus, auditAction, reasonCode, snapshotText } from './words.ts';

export const orderHash = (id: string) => `#/orders/${encodeURIComponent(id)}`;
export const accountHash = (id: string) => `#/accounts/${encodeURIComponent(id)}`;
export const personHash = (id: string) => `#/audit/person/${encodeURIComponent(id)}`;
export const QUEUES: [string, string] = ['Back to the work queues', '#/queues'];

let me: { token: string; operator: Promise<Operator> } | undefined;

/** The person signed in and whether they approve (asked once per sign-in: per token). */
export function whoAmI(app: App): Promise<Operator> {
  const token = app.auth.token() ?? '';
  if (me?.token !== token) {
    const operator = app.api.get<Operator>('/ops/me');
    operator.catch(() => {
      me = undefined;
    });
    me = { token, operator };
  }
  return me.operator;
}

let outcome: ActionResult | undefined;

/** Keeps what an action did, for the next screen shown to say it once. */
export function remember(result: ActionResult): void {
  outcome = result;
}

/** What the last action did, in words, as a status message (once). */
export function outcomeBox(): HTMLElement | null {
  const result = outcome;
  outcome = undefined;
  if (!result) return null;
  const approval = result.approval;
  const text =
    result.outcome === 'APPROVAL_REQUESTED' && approval
      ? [
          h('strong', {}, 'Sent for approval.'),
          ' Another approver must approve it before it happens; the request expires ',
          timeOf(approval.expiresAt),
          '.',
        ]
      : [
          h('strong', {}, `Done: ${auditAction(result.audit.action).toLowerCase()}.`),
          result.approval
            ? ` The request is now ${approvalStatus(result.approval.status).toLowerCase()}.`
            : '',
          result.balance
            ? ` The balance is now ${formatMoney(result.balance.amount, result.balance.currency)}.`
            : '',
        ];
  return h(
    'div',
    { className: 'outcome', role: 'status', dataset: { outcome: result.outcome } },
    h('p', {}, text),
  );
}

/** The audit records of an order, an account or a person, newest first. */
export function auditTable(caption: string, records: AuditRecord[], showTarget = true): HTMLElement {
  if (records.length === 0) return h('p', { className: 'empty' }, 'No operator has acted here yet.');
  return table(
    caption,
    ['When', 'Who', 'What', ...(showTarget ? ['On'] : []), 'Before → after', 'Why'],
    records.map((r) => [
      timeOf(r.at),
      r.actor === 'system' ? 'The system' : link(r.actor, personHash(r.actor), 'audit trail'),
      h(
        'span',
        { className: 'named' },
        h('span', {}, auditAction(r.action)),
        r.amount !== null && r.currency ? h('small', {}, formatMoney(r.amount, r.currency)) : null,
      ),
      ...(showTarget
        ? [
            r.target.unsubscribeOrderId
              ? h(
                  'span',
                  { className: 'named' },
                  link(r.target.unsubscribeOrderId, orderHash(r.target.unsubscribeOrderId)),
                  r.target.orderId ? h('small', {}, `line ${r.target.orderId}`) : null,
                )
              : named(link(r.target.accountId, accountHash(r.target.accountId)), 'account balance'),
          ]
        : []),
      h(
        'span',
        { className: 'named' },
        h('span', {}, snapshotText(r.before)),
        h('span', {}, `→ ${snapshotText(r.after)}`),
      ),
      h(
        'span',
        { className: 'named' },
        h('span', {}, reasonCode(r.reasonCode)),
        r.note ? h('small', { className: 'note' }, r.note) : null,
        h('span', { className: 'id' }, `request ${r.requestId}`),
      ),
    ]),
  );
}

const pageTokens = new Map<string, (string | undefined)[]>();

/** The page tokens of a paged list (kept while the page is open, so "back" finds the same page). */
export function pagesOf(list: string): (string | undefined)[] {
  let tokens = pageTokens.get(list);
  if (!tokens) {
    tokens = [undefined];
    pageTokens.set(list, tokens);
  }
  return tokens;
}
