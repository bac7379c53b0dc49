/** `#/orders` (the unsubscribe orders) and `#/orders/<id>` (one order, refreshed until settled). */
import { type Page, path, type UnsubscribeOrder } from '../api.ts';
import type { App } from '../app.ts';
import { h, mount } from '../dom.ts';
import { formatMoney } from '../money.ts';
import { localTime } from '../time.ts';
import { both, button, heading, link, refusalBox, table } from '../ui.ts';
import { DESTINATIONS } from '../words.ts';

const REFRESH_MS = 1000;
const SETTLED = new Set(['SUCCEEDED', 'NEEDS_ATTENTION']);

export async function showOrder(app: App, orderId: string): Promise<void> {
  const main = app.show(heading('Unsubscribe order details'), h('p', {}, 'Loading…'));
  const body = h('div', {});
  mount(main, heading('Unsubscribe order details'), body);
  const render = (order: UnsubscribeOrder) =>
    mount(
      body,
      h(
        'dl',
        {},
        h('dt', {}, 'Order'),
        h('dd', {}, order.unsubscribeOrderId),
        h('dt', {}, 'Instance'),
        h('dd', {}, order.instanceId),
        h('dt', {}, 'Status'),
        h('dd', { 'aria-live': 'polite', dataset: { field: 'status' } }, order.status),
        h('dt', {}, 'Refund amount'),
        h('dd', {}, formatMoney(order.refundAmount, order.currency)),
        h('dt', {}, 'Due by'),
        h('dd', {}, both(order.dueBy)),
        h('dt', {}, 'Within the service level'),
        h('dd', {}, order.slaBreached ? 'No — the refund is late' : 'Yes'),
      ),
      table(
        'Refund lines',
        ['Order', 'Refund', 'Status', 'Destination', 'Settled at'],
        order.lines.map((l) => [
          l.orderId,
          formatMoney(l.refundAmount, order.currency),
          l.status,
          DESTINATIONS[l.destination] ?? l.destination,
          l.settledAt ? localTime(l.settledAt) : '—',
        ]),
      ),
      h('h2', {}, 'History'),
      h(
        'ol',
        { className: 'timeline' },
        order.history.map((e) =>
          h(
            'li',
            {},
            h('strong', {}, e.status),
            ' ',
            h('time', { dateTime: e.at }, localTime(e.at)),
            e.note
              ? ` (${[e.note, e.orderId && `order ${e.orderId}`, e.failureReason].filter(Boolean).join(', ')})`
              : '',
          ),
        ),
      ),
      h('p', {}, SETTLED.has(order.status) ? '' : 'Refreshing until the refund is settled…'),
      h(
        'p',
        { className: 'actions' },
        link('All unsubscribe orders', '#/orders'),
        link('Account balance', '#/balance'),
      ),
    );
  const load = async (): Promise<void> => {
    try {
      const order = await app.api.get<UnsubscribeOrder>(path`/unsubscribe-orders/${orderId}`);
      render(order);
      if (SETTLED.has(order.status)) return;
    } catch (error) {
      mount(body, refusalBox(app, error, [button('Try again', () => void showOrder(app, orderId))]));
      return;
    }
    const id = window.setTimeout(() => void load(), REFRESH_MS);
    app.keepTimer(id);
  };
  await load();
}

export async function showOrders(app: App): Promise<void> {
  const main = app.show(heading('Unsubscribe orders'), h('p', {}, 'Loading…'));
  try {
    const page = await app.api.get<Page<UnsubscribeOrder>>('/unsubscribe-orders', { limit: '20' });
    mount(
      main,
      heading('Unsubscribe orders'),
      page.items.length === 0
        ? h('p', {}, 'No unsubscribe orders yet.')
        : table(
            'Unsubscribe orders',
            ['Order', 'Instance', 'Type', 'Status', 'Refund', 'Created'],
            page.items.map((o) => [
              link(o.unsubscribeOrderId, `#/orders/${encodeURIComponent(o.unsubscribeOrderId)}`),
              o.instanceId,
              o.type,
              o.status,
              formatMoney(o.refundAmount, o.currency),
              localTime(o.createdAt),
            ]),
          ),
    );
  } catch (error) {
    mount(main, heading('Unsubscribe orders'), refusalBox(app, error));
  }
}
