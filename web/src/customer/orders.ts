/**
 * `#/orders` (Unsubscribe Orders, paged) and `#/orders/<id>` (Unsubscribe Order Details:
 * what was asked, where each part of the money went and why, and the history; refreshed until
 * settled, each refresh patching only what changed so focus, open disclosures and a screen
 * reader's place stay where they are).
 */
import {
  ApiError,
  type Balance,
  type CreditNoteLink,
  type Instance,
  type Page,
  path,
  type UnsubscribeOrder,
} from '../api.ts';
import type { App } from '../app.ts';
import { h, mount, patch } from '../dom.ts';
import { disclosure } from '../explain.ts';
import { formatMoney } from '../money.ts';
import { billingPeriod } from '../time.ts';
import {
  badge,
  button,
  heading,
  link,
  named,
  pager,
  refusalBox,
  summary,
  table,
  timeInline,
  timeOf,
} from '../ui.ts';
import {
  balanceCause,
  destination,
  failureReason,
  historyNote,
  lineStatus,
  orderStatus,
  orderStatusHint,
  orderType,
  purchaseType,
  reason,
  refundType,
} from '../words.ts';
import { getInstance } from './quote.ts';

/** Waits between refreshes: soon at first (most refunds settle in seconds), then every 5 s. */
const REFRESH_MS = [1000, 2000, 5000] as const;
const SETTLED = new Set(['SUCCEEDED', 'NEEDS_ATTENTION']);
const ORDERS: [string, string] = ['All unsubscribe orders', '#/orders'];
const orderHash = (id: string) => `#/orders/${encodeURIComponent(id)}`;

/** Why each line of the order that went to the balance went there, from the ledger entries. */
async function balanceCauses(app: App, orderId: string): Promise<Map<string, string>> {
  const balance = await app.api.get<Balance>('/account/balance');
  return new Map(
    balance.entries.flatMap((e) =>
      e.unsubscribeOrderId === orderId && e.orderId !== null ? [[e.orderId, e.cause] as const] : [],
    ),
  );
}

/** What a refresh can change; patched into the page, so it holds no listeners. */
function render(order: UnsubscribeOrder, instance: Instance | undefined, causes: Map<string, string>) {
  const purchase = (orderId: string) => instance?.orders.find((o) => o.orderId === orderId);
  const money = (minor: number) => formatMoney(minor, order.currency);
  return [
    // Kept across refreshes, so the status and its hint are announced when they change only.
    h(
      'div',
      { className: 'status-line', 'aria-live': 'polite', 'aria-atomic': 'true' },
      h('span', { dataset: { field: 'status' } }, badge(order.status, orderStatus(order.status))),
      h('span', {}, orderStatusHint(order.status)),
    ),
    h(
      'section',
      { className: 'panel', 'aria-labelledby': 'order-h' },
      h('h2', { id: 'order-h' }, 'Order'),
      summary([
        ['Order ID', h('span', { className: 'id' }, order.unsubscribeOrderId)],
        ['Type', orderType(order.type)],
        [
          'Instance',
          instance ? named(`${instance.product} (${instance.edition})`, order.instanceId) : order.instanceId,
        ],
        ['Refund type', refundType(order.refundType)],
        ['Refund amount', h('strong', {}, money(order.refundAmount))],
        [
          'Reason for Unsubscription',
          order.reason
            ? h(
                'span',
                {},
                reason(order.reason.code),
                order.reason.text ? h('small', { className: 'note' }, order.reason.text) : null,
              )
            : 'No reason given',
        ],
        ['Created', timeOf(order.createdAt)],
        ['Due by', timeOf(order.dueBy)],
        order.settledAt ? ['Refunded at', timeOf(order.settledAt)] : null,
        ['On time', order.slaBreached ? 'No: the refund was later than promised.' : 'Yes'],
      ]),
    ),
    table(
      'Where the money goes',
      ['Order', 'Refund', 'Status', 'Goes to', 'Paid out at'],
      order.lines.map((l) => {
        const bought = purchase(l.orderId);
        const why =
          l.destination === 'ACCOUNT_BALANCE' && l.status === 'SETTLED'
            ? (causes.get(l.orderId) ??
              (l.predictedDestination === 'ACCOUNT_BALANCE' ? 'REFUND_TO_BALANCE' : undefined))
            : undefined;
        return [
          bought
            ? named(purchaseType(bought.type), l.orderId, billingPeriod(bought.periodStart, bought.periodEnd))
            : named('', l.orderId),
          money(l.refundAmount),
          lineStatus(l.status),
          h(
            'span',
            {},
            destination(l.destination),
            why ? h('small', { className: 'note why' }, balanceCause(why)) : null,
          ),
          l.settledAt ? timeOf(l.settledAt) : '—',
        ];
      }),
    ),
    order.derivation ? disclosure(order.derivation) : null,
    h(
      'section',
      { className: 'panel', 'aria-labelledby': 'history-h' },
      h('h2', { id: 'history-h' }, 'History'),
      h(
        'ol',
        { className: 'timeline' },
        order.history.map((e) =>
          h(
            'li',
            { dataset: { status: e.status } },
            h('strong', {}, orderStatus(e.status)),
            ' ',
            timeInline(e.at),
            e.note
              ? h(
                  'span',
                  { className: 'note' },
                  historyNote(e.note),
                  e.orderId
                    ? ` (order ${e.orderId}${e.failureReason ? `: ${failureReason(e.failureReason)}` : ''})`
                    : '',
                )
              : null,
          ),
        ),
      ),
    ),
    SETTLED.has(order.status)
      ? null
      : h('p', { className: 'note' }, 'This page refreshes until the refund is settled.'),
  ];
}

/**
 * The order's credit note: its link is asked for when the customer wants it (a link works for
 * five minutes), then opened; the note is issued moments after the order, so until then the
 * customer is told to try again shortly. Built once per visit and kept across refreshes.
 */
function creditNotePanel(app: App, orderId: string): HTMLElement {
  const status = h('div', { className: 'credit-note-status', 'aria-live': 'polite' });
  const download = button('Download credit note', () => void fetchNote());
  async function fetchNote(): Promise<void> {
    download.disabled = true;
    mount(status, h('p', {}, 'Preparing your credit note…'));
    try {
      const note = await app.api.get<CreditNoteLink>(path`/unsubscribe-orders/${orderId}/credit-note`);
      const file = h(
        'a',
        { href: note.url, target: '_blank', rel: 'noopener', download: `${note.number}.pdf` },
        `Credit note ${note.number} (PDF)`,
      );
      mount(
        status,
        h('p', {}, 'Your credit note is opening. If it does not, use this link: ', file, '.'),
        h(
          'p',
          { className: 'note' },
          'Issued ',
          timeInline(note.issuedAt),
          '. The link works for 5 minutes; after that, select Download credit note again.',
        ),
      );
      file.click();
    } catch (error) {
      mount(
        status,
        error instanceof ApiError && error.code === 'NOT_FOUND'
          ? h(
              'p',
              { role: 'status' },
              'Your credit note is not ready yet: it is issued within a minute of the order. Please try again shortly.',
            )
          : refusalBox(app, error, { retry: () => void fetchNote(), back: null }),
      );
    } finally {
      download.disabled = false;
    }
  }
  return h(
    'section',
    { className: 'panel', 'aria-labelledby': 'credit-note-h' },
    h('h2', { id: 'credit-note-h' }, 'Credit note'),
    h(
      'p',
      {},
      'The numbered document of this refund, with every refunded order and amount, for your records (PDF).',
    ),
    h('p', { className: 'actions' }, download),
    status,
  );
}

export async function showOrder(app: App, orderId: string): Promise<void> {
  const main = app.show(heading('Unsubscribe Order Details'), h('p', {}, 'Loading…'));
  // `body` is patched on every refresh; the credit note and the links (which have listeners
  // and state of their own) are built once and never moved, so focus on them stays too.
  const body = h('div', {});
  const rest = h(
    'div',
    { hidden: true },
    creditNotePanel(app, orderId),
    h('p', { className: 'actions' }, link(ORDERS[0], ORDERS[1]), link('Account balance', '#/balance')),
  );
  app.render(main, heading('Unsubscribe Order Details'), body, rest);
  let instance: Instance | undefined;
  let causes = new Map<string, string>();
  let refreshes = 0;
  const load = async (): Promise<void> => {
    try {
      const order = await app.api.get<UnsubscribeOrder>(path`/unsubscribe-orders/${orderId}`);
      // The instance names the product and the orders; a refusal there leaves the ids shown.
      instance ??= await getInstance(app, order.instanceId).catch(() => undefined);
      const unexplained = order.lines.some(
        (l) => l.destination === 'ACCOUNT_BALANCE' && l.status === 'SETTLED' && !causes.has(l.orderId),
      );
      if (unexplained) causes = await balanceCauses(app, order.unsubscribeOrderId).catch(() => causes);
      patch(body, render(order, instance, causes));
      rest.hidden = false;
      if (SETTLED.has(order.status)) return;
    } catch (error) {
      rest.hidden = true;
      mount(
        body,
        refusalBox(app, error, {
          retry: () => void showOrder(app, orderId),
          back: ORDERS,
          subject: 'This unsubscribe order',
        }),
      );
      return;
    }
    const wait = REFRESH_MS[Math.min(refreshes++, REFRESH_MS.length - 1)];
    app.keepTimer(window.setTimeout(() => void load(), wait));
  };
  await load();
}

const ordersState: { tokens: (string | undefined)[] } = { tokens: [undefined] };

export async function showOrders(app: App): Promise<void> {
  const main = app.show(heading('Unsubscribe Orders'), h('p', {}, 'Loading…'));
  const again = () => void showOrders(app);
  const { tokens } = ordersState;
  try {
    const page = await app.api.get<Page<UnsubscribeOrder>>('/unsubscribe-orders', {
      limit: '20',
      nextToken: tokens[tokens.length - 1],
    });
    app.render(
      main,
      heading('Unsubscribe Orders'),
      page.items.length === 0
        ? h('p', { className: 'empty' }, 'No unsubscribe orders yet.')
        : table(
            'Unsubscribe orders',
            ['Order', 'Instance', 'Status', 'Refund', 'Created', 'Details'],
            page.items.map((o) => [
              named(orderType(o.type), o.unsubscribeOrderId),
              h('span', { className: 'id' }, o.instanceId),
              badge(o.status, orderStatus(o.status)),
              formatMoney(o.refundAmount, o.currency),
              timeOf(o.createdAt),
              link('View details', orderHash(o.unsubscribeOrderId), o.unsubscribeOrderId),
            ]),
          ),
      pager(tokens, page.nextToken, again),
    );
  } catch (error) {
    app.render(main, heading('Unsubscribe Orders'), refusalBox(app, error, { retry: again, back: null }));
  }
}
