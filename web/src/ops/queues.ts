/**
 * `#/queues` (the work queues with their counts, the search, and the orders that need
 * attention), `#/queues/<name>` (one queue, paged: `needs-attention`, `due`, `submitted`) and
 * `#/find` (an order by id, an account by id).
 */
import type { Page } from '../api.ts';
import type { App } from '../app.ts';
import { field, h } from '../dom.ts';
import { formatMoney } from '../money.ts';
import { badge, heading, link, pager, refusalBox, table, timeOf } from '../ui.ts';
import { orderStatus } from '../words.ts';
import { accountHash, orderHash, outcomeBox, pagesOf, QUEUES } from './common.ts';
import type { OrderSummary, Queues, SubmittedLine } from './types.ts';

/** The queues' windows: "about to breach" and "sent too long ago" mean within / over 24 hours. */
const WINDOW_MINUTES = '1440';

/** A search box that opens what it finds: an order by its id, an account by its id. */
function finder(label: string, name: string, hint: string, go: (id: string) => string): HTMLElement {
  const input = h('input', { name, autocomplete: 'off', spellcheck: false, required: true });
  return h(
    'form',
    {
      className: 'finder',
      role: 'search',
      'aria-label': label,
      onsubmit: (event: Event) => {
        event.preventDefault();
        const id = input.value.trim();
        if (id) location.hash = go(id);
      },
    },
    field(label, input, hint),
    h('button', { type: 'submit' }, 'Open'),
  );
}

export function finders(): HTMLElement {
  return h(
    'section',
    { className: 'panel finders', 'aria-labelledby': 'find-h' },
    h('h2', { id: 'find-h' }, 'Find'),
    finder('Unsubscribe order ID', 'unsubscribeOrderId', 'For example uo-…', orderHash),
    finder('Account ID', 'accountId', 'Its instances, orders, balance and ledger', accountHash),
  );
}

export function showFind(app: App): void {
  app.show(heading('Find an order or an account'), finders());
}

function orderRows(items: OrderSummary[]) {
  return items.map((o) => [
    h(
      'span',
      { className: 'named' },
      link(o.unsubscribeOrderId, orderHash(o.unsubscribeOrderId), 'open the order'),
      h('small', {}, 'account ', link(o.accountId, accountHash(o.accountId), 'open the account')),
    ),
    badge(o.status, orderStatus(o.status)),
    h(
      'span',
      { className: 'named' },
      h('strong', {}, formatMoney(o.unsettledAmount, o.currency)),
      h('small', {}, `${o.openLines} open of ${formatMoney(o.refundAmount, o.currency)}`),
    ),
    h(
      'span',
      { className: 'named' },
      timeOf(o.dueBy),
      o.slaBreached || Date.parse(o.dueBy) < Date.now() ? h('strong', { className: 'late' }, 'Late') : null,
    ),
    o.needsAttentionSince ? timeOf(o.needsAttentionSince) : timeOf(o.createdAt),
  ]);
}

const ORDER_HEAD = ['Order', 'Status', 'Still to pay', 'Due by', 'Since'];

function ordersTable(caption: string, items: OrderSummary[], empty: string): HTMLElement {
  return items.length === 0
    ? h('p', { className: 'empty' }, empty)
    : table(caption, ORDER_HEAD, orderRows(items));
}

export async function showQueues(app: App): Promise<void> {
  const title = 'Work queues';
  const screen = app.show(heading(title), h('p', {}, 'Loading…'));
  try {
    const windows = { dueWithinMinutes: WINDOW_MINUTES, submittedForMinutes: WINDOW_MINUTES };
    const [counts, stuck] = await Promise.all([
      app.api.get<Queues>('/ops/queues', windows),
      app.api.get<Page<OrderSummary>>('/ops/queues/needs-attention', { limit: '20' }),
    ]);
    const count = (n: number, label: string, hash: string, key: string, more?: string) =>
      h(
        'li',
        { dataset: { queue: key } },
        h('a', { href: hash }, h('span', { className: 'count' }, String(n)), ' ', label),
        more ? h('small', { className: 'note' }, more) : null,
      );
    app.render(
      screen,
      heading(title),
      outcomeBox(),
      h(
        'section',
        { className: 'panel', 'aria-labelledby': 'counts-h' },
        h('h2', { id: 'counts-h' }, 'Queues'),
        h(
          'ul',
          { className: 'counts' },
          count(counts.needsAttention, 'orders need attention', '#/queues/needs-attention', 'needsAttention'),
          count(
            counts.breached + counts.dueSoon,
            'orders late or due within 24 hours',
            '#/queues/due',
            'due',
            `${counts.breached} late, ${counts.dueSoon} due soon`,
          ),
          count(
            counts.submittedLines,
            'lines with the provider for over 24 hours',
            '#/queues/submitted',
            'submitted',
          ),
          count(counts.pendingApprovals, 'requests waiting for approval', '#/approvals', 'approvals'),
        ),
        h('p', { className: 'note' }, 'As of ', timeOf(counts.asOf)),
      ),
      finders(),
      h(
        'section',
        { 'aria-labelledby': 'stuck-h' },
        h('h2', { id: 'stuck-h' }, 'Need attention'),
        ordersTable('Orders that need attention, oldest first', stuck.items, 'No order needs attention.'),
        stuck.nextToken ? link('All orders that need attention', '#/queues/needs-attention') : null,
      ),
    );
  } catch (error) {
    app.render(
      screen,
      heading(title),
      refusalBox(app, error, { retry: () => void showQueues(app), back: null }),
    );
  }
}

const QUEUE_SCREENS: Record<string, { title: string; path: string; query: Record<string, string> }> = {
  'needs-attention': { title: 'Orders that need attention', path: '/ops/queues/needs-attention', query: {} },
  due: {
    title: 'Orders late or due within 24 hours',
    path: '/ops/queues/due-orders',
    query: { withinMinutes: WINDOW_MINUTES },
  },
  submitted: {
    title: 'Lines with the provider for over 24 hours',
    path: '/ops/queues/submitted-lines',
    query: { forMinutes: WINDOW_MINUTES },
  },
};

export async function showQueue(app: App, name: string): Promise<void> {
  const queue = QUEUE_SCREENS[name];
  if (!queue) {
    location.hash = '#/queues';
    return;
  }
  const screen = app.show(heading(queue.title), h('p', {}, 'Loading…'));
  const again = () => void showQueue(app, name);
  const tokens = pagesOf(`queue/${name}`);
  try {
    const query = { ...queue.query, limit: '20', nextToken: tokens[tokens.length - 1] };
    const back = h('p', { className: 'actions' }, link(QUEUES[0], QUEUES[1]));
    if (name === 'submitted') {
      const page = await app.api.get<Page<SubmittedLine>>(queue.path, query);
      app.render(
        screen,
        heading(queue.title),
        page.items.length === 0
          ? h('p', { className: 'empty' }, 'No line has waited that long for the provider.')
          : table(
              'Lines sent to the payment provider, oldest first',
              ['Order', 'Line', 'Provider refund', 'Sent'],
              page.items.map((l) => [
                link(l.unsubscribeOrderId, orderHash(l.unsubscribeOrderId), 'open the order'),
                h('span', { className: 'id' }, l.orderId),
                h('span', { className: 'id' }, l.providerRefundId),
                timeOf(l.since),
              ]),
            ),
        pager(tokens, page.nextToken, again),
        back,
      );
      return;
    }
    const page = await app.api.get<Page<OrderSummary>>(queue.path, query);
    app.render(
      screen,
      heading(queue.title),
      ordersTable(
        `${queue.title}, ${name === 'due' ? 'earliest due' : 'oldest'} first`,
        page.items,
        'None: this queue is empty.',
      ),
      pager(tokens, page.nextToken, again),
      back,
    );
  } catch (error) {
    app.render(screen, heading(queue.title), refusalBox(app, error, { retry: again, back: QUEUES }));
  }
}
