/**
 * `#/approvals`: the approval inbox — every request waiting for a second person, oldest first.
 * An approver approves (the action happens then, once) or rejects a request of someone else;
 * one's own requests say so and can only be cancelled.
 */
import { type Page, path } from '../api.ts';
import type { App } from '../app.ts';
import { h } from '../dom.ts';
import { formatMoney } from '../money.ts';
import { button, heading, link, pager, refusalBox, table, timeOf } from '../ui.ts';
import { openAction } from './action.ts';
import { accountHash, orderHash, outcomeBox, personHash, QUEUES, remember, whoAmI } from './common.ts';
import type { ActionResult, Approval } from './types.ts';
import { commandText, reasonCode } from './words.ts';

const tokens: (string | undefined)[] = [undefined];

type Decision = 'approve' | 'reject' | 'cancel';

const DECISIONS: Record<Decision, { title: string; label: string; effect: string }> = {
  approve: {
    title: 'Approve the request',
    label: 'Approve',
    effect: 'Approving carries it out now, once, in your name: ',
  },
  reject: {
    title: 'Reject the request',
    label: 'Reject',
    effect: 'Rejecting closes the request and nothing is done: ',
  },
  cancel: {
    title: 'Cancel the request',
    label: 'Cancel request',
    effect: 'Cancelling withdraws the request and nothing is done: ',
  },
};

function decide(app: App, approval: Approval, decision: Decision): void {
  const d = DECISIONS[decision];
  openAction(app, {
    title: d.title,
    confirmLabel: d.label,
    effect: () => [
      d.effect,
      h('strong', {}, commandText(approval.command, approval.currency, approval.amount)),
      '.',
    ],
    send: (body, key) =>
      app.api.post<ActionResult>(path`/ops/approvals/${approval.approvalId}/${decision}`, body, key),
    done: (result) => {
      remember(result);
      void showApprovals(app);
    },
    reload: () => void showApprovals(app),
  });
}

function target(approval: Approval): HTMLElement {
  const c = approval.command;
  return c.kind === 'RESOLVE_LINE'
    ? link(`Order ${c.unsubscribeOrderId}`, orderHash(c.unsubscribeOrderId))
    : link(`Account ${c.accountId}`, accountHash(c.accountId));
}

export async function showApprovals(app: App): Promise<void> {
  const title = 'Approvals';
  const screen = app.show(heading(title), h('p', {}, 'Loading…'));
  const again = () => void showApprovals(app);
  try {
    const [me, page] = await Promise.all([
      whoAmI(app),
      app.api.get<Page<Approval>>('/ops/queues/approvals', {
        limit: '20',
        nextToken: tokens[tokens.length - 1],
      }),
    ]);
    app.render(
      screen,
      heading(title),
      outcomeBox(),
      h(
        'p',
        { className: 'lead' },
        me.approver
          ? 'Resolutions and adjustments above the four-eyes limit wait here for a second person. You can approve or reject the requests of others.'
          : 'Resolutions and adjustments above the four-eyes limit wait here for an approver. You are not an approver: you can cancel your own requests.',
      ),
      page.items.length === 0
        ? h('p', { className: 'empty' }, 'No request is waiting for approval.')
        : table(
            'Requests waiting for approval, oldest first',
            ['Request', 'Amount', 'Asked by', 'Why', 'Expires', 'Decision'],
            page.items.map((a) => {
              const mine = a.requestedBy === me.operator;
              return [
                h(
                  'span',
                  { className: 'named', dataset: { approval: a.approvalId } },
                  h('span', {}, commandText(a.command, a.currency, a.amount)),
                  h('small', {}, target(a)),
                ),
                h('strong', {}, formatMoney(a.amount, a.currency)),
                h(
                  'span',
                  { className: 'named' },
                  mine
                    ? h('strong', {}, 'You')
                    : link(a.requestedBy, personHash(a.requestedBy), 'audit trail'),
                  timeOf(a.requestedAt),
                ),
                h(
                  'span',
                  { className: 'named' },
                  h('span', {}, reasonCode(a.reasonCode)),
                  h('small', { className: 'note' }, a.note),
                ),
                timeOf(a.expiresAt),
                h(
                  'span',
                  { className: 'decision' },
                  mine
                    ? h(
                        'span',
                        { className: 'note own', dataset: { field: 'notApprovable' } },
                        'Your own request: another approver must decide.',
                      )
                    : null,
                  !mine && me.approver ? button('Approve', () => decide(app, a, 'approve'), 'primary') : null,
                  !mine && me.approver ? button('Reject', () => decide(app, a, 'reject')) : null,
                  !mine && !me.approver ? h('span', { className: 'note' }, 'Waiting for an approver.') : null,
                  mine || me.approver ? button('Cancel request', () => decide(app, a, 'cancel')) : null,
                ),
              ];
            }),
          ),
      pager(tokens, page.nextToken, again),
      h('p', { className: 'actions' }, link(QUEUES[0], QUEUES[1])),
    );
  } catch (error) {
    app.render(screen, heading(title), refusalBox(app, error, { retry: again, back: QUEUES }));
  }
}
