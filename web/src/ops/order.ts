/**
 * `#/orders/<id>`: any unsubscribe order as operators see it — its lines with the provider's
 * refund ids, the whole history with the receive counts, its ledger entries, its domain events
 * and its audit trail — and the actions on it: retry the settlement now, and resolve a line
 * by hand (refunded outside the service with a reference, or credited to the balance). Read
 * again while the page is open, until the order is refunded: each refresh patches only what
 * changed, so keyboard focus, a screen reader's place and the page behind an open confirmation
 * dialog stay as they are.
 */
import { path } from '../api.ts';
import type { App } from '../app.ts';
import { field, h, patch, uid } from '../dom.ts';
import { formatMoney } from '../money.ts';
import { badge, heading, link, refusalBox, summary, table, timeInline, timeOf } from '../ui.ts';
import { destination, failureReason, lineStatus, orderStatus, orderType, refundType } from '../words.ts';
import { openAction } from './action.ts';
import { accountHash, auditTable, outcomeBox, QUEUES, remember } from './common.ts';
import type { ActionResult, OrderLineView, OrderView } from './types.ts';
import { eventName, historyNote, ledgerCause, paymentMethod, resolution } from './words.ts';

const TITLE = 'Unsubscribe order';
/** Waits between refreshes: soon at first (most refunds settle in seconds), then every 5 s. */
const REFRESH_MS = [1000, 2000, 5000] as const;
/**
 * The only status an order never leaves. Needs attention is read on too: another operator's
 * retry or resolution (or an approval) moves it on, and the page should show that.
 */
const FINAL = 'SUCCEEDED';

function retryAction(app: App, view: OrderView): HTMLDialogElement {
  const id = view.order.unsubscribeOrderId;
  const open = view.lines.filter((l) => l.status !== 'SETTLED');
  const unsettled = open.reduce((sum, l) => sum + l.refundAmount, 0);
  return openAction(app, {
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

function resolveAction(app: App, view: OrderView, line: OrderLineView): HTMLDialogElement {
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
  return openAction(app, {
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

/**
 * An action's button: no listener of its own (the page is patched, which carries none over);
 * a click on the page finds the action by `data-action` and acts on the order as shown.
 */
const actionButton = (label: string, action: string, line?: string, className = '') =>
  h('button', { type: 'button', className, dataset: { action, ...(line ? { line } : {}) } }, label);

function lineCells(view: OrderView, l: OrderLineView, canAct: boolean) {
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
      ? actionButton('Resolve by hand', 'resolve', l.orderId)
      : h('span', { className: 'note' }, l.status === 'SUBMITTED' ? 'Waiting for the provider' : '—'),
  ];
}

/**
 * What a refresh can change; patched into the page, so it holds no listeners. Parts that come
 * and go (the fix panel, the ledger, the refresh note) keep a place of their own, so the parts
 * after them stay the same nodes.
 */
function render(view: OrderView): HTMLElement[] {
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
    h(
      'div',
      {},
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
              actionButton('Retry settlement now', 'retry', undefined, 'primary'),
            ),
          )
        : null,
    ),
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
      view.lines.map((l) => lineCells(view, l, stuck)),
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
    h(
      'div',
      {},
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
    h(
      'div',
      {},
      order.status === FINAL
        ? null
        : h('p', { className: 'note' }, 'This page refreshes until the order is refunded.'),
    ),
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
  // Patched on every refresh; its action buttons are answered here, by the order as shown.
  const body = h('div', {});
  let shown: OrderView | undefined;
  let shownText = '';
  /** Read while a confirmation dialog was open: drawn once it closes. */
  let waiting: OrderView | undefined;
  const draw = (view: OrderView): void => {
    // The page behind an open dialog stays what the dialog describes; the dialog is never touched.
    if (screen.querySelector('dialog[open]')) {
      waiting = view;
      return;
    }
    waiting = undefined;
    const text = JSON.stringify(view);
    if (text === shownText) return;
    const focused = document.activeElement;
    const inBody = focused instanceof HTMLElement && body.contains(focused);
    shown = view;
    shownText = text;
    patch(body, render(view));
    // The control that had focus went away (e.g. the line got resolved): the heading takes it.
    if (inBody && !focused.isConnected) screen.querySelector<HTMLElement>('h1')?.focus();
  };
  body.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest('button[data-action]') : null;
    if (!(target instanceof HTMLButtonElement) || !shown) return;
    const line = shown.lines.find((l) => l.orderId === target.dataset.line);
    const dialog =
      target.dataset.action === 'retry'
        ? retryAction(app, shown)
        : line
          ? resolveAction(app, shown, line)
          : undefined;
    dialog?.addEventListener('close', () => {
      if (waiting && screen.isConnected) draw(waiting);
    });
  });
  let refreshes = 0;
  const load = async (): Promise<void> => {
    try {
      const view = await app.api.get<OrderView>(path`/ops/orders/${orderId}`);
      // The first answer focuses the heading; later ones patch the body only (focus stays put).
      if (shownText === '' && !waiting) app.render(screen, heading(TITLE), flash, body);
      draw(view);
      if (view.order.status === FINAL) return;
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
    const wait = REFRESH_MS[Math.min(refreshes++, REFRESH_MS.length - 1)];
    app.keepTimer(window.setTimeout(() => void load(), wait));
  };
  await load();
}
