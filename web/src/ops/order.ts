/**
 * `#/orders/<id>`: any unsubscribe order as operators see it — its lines with the provider's
 * refund ids, the whole history with the receive counts, its ledger entries, its domain events
 * and its audit trail — and the actions on it: retry the settlement now, and resolve a line
 * by hand (refunded outside the service with a reference, or credited to the balance). Shown
 * again while settlement is under way, until the order is refunded or needs attention.
 */
import { path } from '../api.ts';
import type { App } from '../app.ts';
import { field, h, mount, uid } from '../dom.ts';
import { formatMoney } from '../money.ts';
import { badge, button, heading, link, refusalBox, summary, table, timeInline, timeOf } from '../ui.ts';
import { destination, failureReason, lineStatus, orderStatus, orderType, refundType } from '../words.ts';
import { openAction } from './action.ts';
import { accountHash, auditTable, outcomeBox, QUEUES, remember } from './common.ts';
import type { ActionResult, OrderLineView, OrderView } from './types.ts';
import { eventName, historyNote, ledgerCause, paymentMethod, resolution } from './words.ts';

const TITLE = 'Unsubscribe order';
const REFRESH_MS = 1000;
const SETTLED = new Set(['SUCCEEDED', 'NEEDS_ATTENTION']);

function retryAction(app: App, view: OrderView): void {
  const id = view.order.unsubscribeOrderId;
  const open = view.lines.filter((l) => l.status !== 'SETTLED');
  const unsettled = open.reduce((sum, l) => sum + l.refundAmount, 0);
  openAction(app, {
    title: 'Retry settlement now',
    confirmLabel: 'Retry settlement',
    reason: 'PROVIDER_OUTAGE',
    effect: () => [
      `The order goes back to Pending and is sent to settlement again now: ${open.length} open line${open.length === 1 ? '' : 's'}, `,
      h('strong', {}, formatMoney(unsettled, view.order.currency)),
      '. Lines already paid out are skipped, and each line keeps its provider key, so nothing is paid twice.',
    ],
    send: (body, key) => app.api.post<ActionResult>(path`/ops/orders/${id}/settlement-retries`, body, key),
    done: (result) => finish(app, id, result),
    reload: () => void showOrder(app, id),
  });
}

function resolveAction(app: App, view: OrderView, line: OrderLineView): void {
  const id = view.order.unsubscribeOrderId;
  const name = uid('resolution');
  const radio = (value: string, label: string, checked: boolean) => {
    const input = h('input', { type: 'radio', name, value, id: uid('r'), checked });
    return { input, el: h('div', { className: 'check' }, input, h('label', { htmlFor: input.id }, label)) };
  };
  const outside = radio('SETTLED_EXTERNALLY', 'Refunded outside the service (I have its reference)', true);
  const balance = radio('CREDITED_TO_BALANCE', 'Credit it to the account balance', false);
  const reference = h('input', { name: 'externalReference', autocomplete: 'off', spellcheck: false });
  const referenceField = field(
    'External reference',
    reference,
    "The refund's id where it was made, e.g. in the provider's dashboard",
  );
  const chosen = () => (balance.input.checked ? 'CREDITED_TO_BALANCE' : 'SETTLED_EXTERNALLY');
  const money = h('strong', {}, formatMoney(line.refundAmount, view.order.currency));
  const last = view.lines.filter((l) => l.status !== 'SETTLED').length === 1;
  openAction(app, {
    title: `Resolve line ${line.orderId} by hand`,
    confirmLabel: 'Resolve line',
    reason: 'REFUNDED_OUTSIDE',
    fields: [
      h('fieldset', {}, h('legend', {}, 'How it was resolved'), outside.el, balance.el),
      referenceField,
    ],
    effect: () => {
      referenceField.hidden = chosen() !== 'SETTLED_EXTERNALLY';
      const then = last
        ? ' It is the last open line: the order becomes Refunded.'
        : ' The order still needs attention for its other open lines.';
      const approval =
        ' If the amount is above the four-eyes limit of its currency, this files a request instead, and it happens only when another approver approves it.';
      return chosen() === 'SETTLED_EXTERNALLY'
        ? [
            'Line ',
            line.orderId,
            ' (',
            money.cloneNode(true),
            ') is marked as refunded to the original payment method outside the service, with the reference you give. The service pays nothing.',
            then,
            approval,
          ]
        : [
            money.cloneNode(true),
            ` is credited to the balance of ${view.accountId} for line ${line.orderId}; the customer sees it in their balance.`,
            then,
            approval,
          ];
    },
    check: () =>
      chosen() === 'SETTLED_EXTERNALLY' && !/^[\x21-\x7E]{1,200}$/.test(reference.value.trim())
        ? ['Give the external reference: 1–200 letters, digits or signs, no spaces.', reference]
        : undefined,
    body: () => ({
      resolution: chosen(),
      ...(chosen() === 'SETTLED_EXTERNALLY' ? { externalReference: reference.value.trim() } : {}),
    }),
    send: (body, key) =>
      app.api.post<ActionResult>(path`/ops/orders/${id}/lines/${line.orderId}/resolutions`, body, key),
    done: (result) => finish(app, id, result),
    reload: () => void showOrder(app, id),
  });
}

function finish(app: App, id: string, result: ActionResult): void {
  remember(result);
  void showOrder(app, id);
}

/** Who resolved a line: `resolvedBy` is the id of the audit record of the resolution. */
const resolver = (view: OrderView, auditId: string): string =>
  view.audit.find((a) => a.auditId === auditId)?.actor ?? `audit record ${auditId}`;

function lineCells(app: App, view: OrderView, l: OrderLineView, canAct: boolean) {
  const money = (minor: number) => formatMoney(minor, view.order.currency);
  return [
    h('span', { className: 'id' }, l.orderId),
    money(l.refundAmount),
    badge(l.status, lineStatus(l.status)),
    h(
      'span',
      { className: 'named' },
      h('span', {}, destination(l.settledTo ?? l.predictedDestination)),
      h('small', {}, paymentMethod(l.paymentMethodType)),
    ),
    h(
      'span',
      { className: 'named' },
      l.providerRefundId ? h('span', { className: 'id' }, l.providerRefundId) : h('span', {}, '—'),
      l.submittedAt ? h('small', {}, 'sent ', timeInline(l.submittedAt)) : null,
      l.providerFailure ? h('small', {}, `failed: ${failureReason(l.providerFailure)}`) : null,
    ),
    l.settledAt
      ? h(
          'span',
          { className: 'named' },
          timeOf(l.settledAt),
          l.resolvedBy
            ? h(
                'small',
                {},
                `${resolution(l.externalReference ? 'SETTLED_EXTERNALLY' : 'CREDITED_TO_BALANCE')}, by ${resolver(view, l.resolvedBy)}`,
              )
            : null,
          l.externalReference ? h('small', { className: 'id' }, `reference ${l.externalReference}`) : null,
        )
      : '—',
    canAct && l.status === 'PENDING'
      ? button('Resolve by hand', () => resolveAction(app, view, l))
      : h('span', { className: 'note' }, l.status === 'SUBMITTED' ? 'Waiting for the provider' : '—'),
  ];
}

function render(app: App, view: OrderView): (HTMLElement | null)[] {
  const order = view.order;
  const money = (minor: number) => formatMoney(minor, order.currency);
  const stuck = order.status === 'NEEDS_ATTENTION';
  const r = view.receives;
  return [
    h(
      'div',
      { className: 'status-line' },
      h(
        'span',
        { dataset: { field: 'status' }, 'aria-live': 'polite' },
        badge(order.status, orderStatus(order.status)),
      ),
      h('span', { className: 'id' }, order.unsubscribeOrderId),
    ),
    stuck
      ? h(
          'section',
          { className: 'panel attention', 'aria-labelledby': 'act-h' },
          h('h2', { id: 'act-h' }, 'Fix it'),
          h(
            'p',
            {},
            'Settlement gave up on this order. Retry it once the cause is gone (a provider outage), or resolve each open line by hand below.',
          ),
          h(
            'p',
            { className: 'actions' },
            button('Retry settlement now', () => retryAction(app, view), 'primary'),
          ),
        )
      : null,
    h(
      'section',
      { className: 'panel', 'aria-labelledby': 'order-h' },
      h('h2', { id: 'order-h' }, 'Order'),
      summary([
        ['Account', link(view.accountId, accountHash(view.accountId), 'open the account')],
        ['Instance', h('span', { className: 'id' }, order.instanceId)],
        ['Type', `${orderType(order.type)}, ${refundType(order.refundType).toLowerCase()}`],
        ['Refund amount', h('strong', {}, money(order.refundAmount))],
        ['Created', timeOf(order.createdAt)],
        ['Due by', timeOf(order.dueBy)],
        order.settledAt ? ['Refunded at', timeOf(order.settledAt)] : null,
        ['On time', order.slaBreached ? 'No: later than promised.' : order.settledAt ? 'Yes' : 'Yes so far'],
        [
          'Deliveries',
          `Last receive count ${r.lastReceiveCount ?? '—'}; dead-lettered ${r.deadLettered}×, redriven ${r.redriven}×, retried by an operator ${r.operatorRetries}×`,
          'receives',
        ],
      ]),
    ),
    table(
      'Lines',
      ['Line', 'Refund', 'Status', 'Goes to', 'Provider refund', 'Paid out', 'Action'],
      view.lines.map((l) => lineCells(app, view, l, stuck)),
    ),
    h(
      'section',
      { className: 'panel', 'aria-labelledby': 'history-h' },
      h('h2', { id: 'history-h' }, 'Timeline'),
      h(
        'ol',
        { className: 'timeline' },
        view.history.map((e) =>
          h(
            'li',
            { dataset: { status: e.status } },
            h('strong', {}, orderStatus(e.status)),
            ' ',
            timeInline(e.at),
            e.note || e.receiveCount !== null
              ? h(
                  'span',
                  { className: 'note' },
                  historyNote(e.note),
                  e.orderId ? ` Line ${e.orderId}.` : '',
                  e.failureReason ? ` Provider said: ${failureReason(e.failureReason)}.` : '',
                  e.receiveCount !== null ? ` Receive count ${e.receiveCount}.` : '',
                )
              : null,
          ),
        ),
      ),
    ),
    view.ledger.length === 0
      ? null
      : table(
          'Ledger entries of this order',
          ['When', 'Amount', 'Why', 'Line'],
          view.ledger.map((e) => [
            timeOf(e.createdAt),
            formatMoney(e.amount, e.currency),
            ledgerCause(e.cause),
            h('span', { className: 'id' }, e.orderId ?? '—'),
          ]),
        ),
    h(
      'section',
      { 'aria-labelledby': 'audit-h' },
      h('h2', { id: 'audit-h' }, 'Audit trail'),
      auditTable('What operators did to this order, newest first', view.audit, false),
    ),
    table(
      'Domain events',
      ['When', 'Event', 'Event ID'],
      view.events.map((e) => [
        timeOf(e.occurredAt),
        `${eventName(e.type)} (version ${e.version})`,
        h('span', { className: 'id' }, e.id),
      ]),
    ),
    SETTLED.has(order.status)
      ? null
      : h('p', { className: 'note' }, 'This page refreshes until the order settles.'),
    h(
      'p',
      { className: 'actions' },
      link(QUEUES[0], QUEUES[1]),
      link('Account', accountHash(view.accountId), view.accountId),
    ),
  ];
}

export async function showOrder(app: App, orderId: string): Promise<void> {
  const screen = app.show(heading(TITLE), h('p', {}, 'Loading…'));
  const flash = outcomeBox();
  const body = h('div', {});
  let shown = '';
  const load = async (): Promise<void> => {
    try {
      const view = await app.api.get<OrderView>(path`/ops/orders/${orderId}`);
      const text = JSON.stringify(view);
      if (text !== shown) {
        // The first answer focuses the heading; later ones change the body only (focus stays put).
        if (shown === '') app.render(screen, heading(TITLE), flash, body);
        // An action's dialog open over the page stays as it is; the next refresh redraws.
        if (!screen.querySelector('dialog[open]')) {
          shown = text;
          mount(body, render(app, view));
        }
      }
      if (SETTLED.has(view.order.status)) return;
    } catch (error) {
      app.render(
        screen,
        heading(TITLE),
        refusalBox(app, error, {
          retry: () => void showOrder(app, orderId),
          back: QUEUES,
          notFound: `No unsubscribe order ${orderId} was found.`,
        }),
      );
      return;
    }
    app.keepTimer(window.setTimeout(() => void load(), REFRESH_MS));
  };
  await load();
}
