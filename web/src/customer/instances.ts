/**
 * `#/resources` and `#/renewals`: the two tabs of Unsubscription Management, each a filtered,
 * paged list of the account's instances. The filters and the page survive moving between tabs.
 */
import type { Instance, Page } from '../api.ts';
import type { App } from '../app.ts';
import { field, h, mount } from '../dom.ts';
import { fromLocalInput, toLocalInput } from '../time.ts';
import { both, button, heading, link, refusalBox, table } from '../ui.ts';

export type Tab = 'resources' | 'renewals';
const TABS: [Tab, string][] = [
  ['resources', 'Unsubscribe Resource'],
  ['renewals', 'Unsubscribe Renewal That Does Not Take Effect'],
];

interface ListQuery {
  instanceId?: string;
  orderTimeFrom?: string;
  orderTimeTo?: string;
  status?: string;
}
const listState: { query: ListQuery; tokens: (string | undefined)[] } = { query: {}, tokens: [undefined] };

const hasPendingRenewal = (instance: Instance, now: number) =>
  instance.status === 'ACTIVE' &&
  instance.orders.some((o) => o.type === 'RENEW' && o.status === 'PAID' && Date.parse(o.periodStart) > now);

function tabList(active: Tab): HTMLElement {
  const tabs = TABS.map(([id, label]) =>
    h(
      'a',
      {
        role: 'tab',
        id: `tab-${id}`,
        href: `#/${id}`,
        'aria-selected': String(id === active),
        'aria-controls': 'tab-panel',
        tabIndex: id === active ? 0 : -1,
      },
      label,
    ),
  );
  const list = h('div', { role: 'tablist', 'aria-label': 'Unsubscription type' }, tabs);
  list.addEventListener('keydown', (event) => {
    const index = TABS.findIndex(([id]) => id === active);
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = TABS[(index + step + TABS.length) % TABS.length];
    if (next) location.hash = `#/${next[0]}`;
  });
  return list;
}

export async function showList(app: App, tab: Tab): Promise<void> {
  const { query } = listState;
  const idInput = h('input', { type: 'search', name: 'instanceId', value: query.instanceId ?? '' });
  const fromInput = h('input', {
    type: 'datetime-local',
    name: 'orderTimeFrom',
    value: toLocalInput(query.orderTimeFrom),
  });
  const toInput = h('input', {
    type: 'datetime-local',
    name: 'orderTimeTo',
    value: toLocalInput(query.orderTimeTo),
  });
  const statusSelect = h(
    'select',
    { name: 'status' },
    [
      ['', 'Any'],
      ['ACTIVE', 'Active'],
      ['UNSUBSCRIBED', 'Unsubscribed'],
      ['RELEASED', 'Released'],
    ].map(([value, label]) => h('option', { value, selected: value === (query.status ?? '') }, label)),
  );
  const form = h(
    'form',
    {
      className: 'filters',
      'aria-label': 'Filter instances',
      onsubmit: (event: Event) => {
        event.preventDefault();
        listState.query = {
          instanceId: idInput.value.trim() || undefined,
          orderTimeFrom: fromInput.value ? fromLocalInput(fromInput.value) : undefined,
          orderTimeTo: toInput.value ? fromLocalInput(toInput.value) : undefined,
          status: statusSelect.value || undefined,
        };
        listState.tokens = [undefined];
        void showList(app, tab);
      },
    },
    field('Instance ID', idInput),
    field('Order time from', fromInput),
    field('Order time to', toInput),
    field('Status', statusSelect),
    h('button', { type: 'submit' }, 'Search'),
  );
  const results = h('div', { 'aria-live': 'polite' }, h('p', {}, 'Loading…'));
  app.show(
    heading('Unsubscription Management'),
    tabList(tab),
    h('section', { id: 'tab-panel', role: 'tabpanel', 'aria-labelledby': `tab-${tab}` }, form, results),
  );
  const nextToken = listState.tokens[listState.tokens.length - 1];
  try {
    const page = await app.api.get<Page<Instance>>('/instances', { ...query, limit: '10', nextToken });
    const now = Date.now();
    const items = tab === 'renewals' ? page.items.filter((i) => hasPendingRenewal(i, now)) : page.items;
    const rows = items.map((instance) => [
      instance.instanceId,
      `${instance.product} (${instance.edition})`,
      h('span', { className: `status status-${instance.status.toLowerCase()}` }, instance.status),
      h('span', {}, both(instance.expiresAt)),
      tab === 'resources'
        ? instance.status === 'ACTIVE'
          ? link(
              `Unsubscribe ${instance.instanceId}`,
              `#/unsubscribe/${encodeURIComponent(instance.instanceId)}`,
            )
          : ''
        : link(
            `Cancel renewal of ${instance.instanceId}`,
            `#/renewal/${encodeURIComponent(instance.instanceId)}`,
          ),
    ]);
    const pager = h(
      'nav',
      { className: 'pager', 'aria-label': 'Pages' },
      listState.tokens.length > 1
        ? button('Previous page', () => {
            listState.tokens.pop();
            void showList(app, tab);
          })
        : null,
      h('span', {}, `Page ${listState.tokens.length}`),
      page.nextToken
        ? button('Next page', () => {
            listState.tokens.push(page.nextToken ?? undefined);
            void showList(app, tab);
          })
        : null,
    );
    mount(
      results,
      rows.length === 0
        ? h(
            'p',
            {},
            tab === 'renewals' ? 'No instance on this page has a pending renewal.' : 'No instances found.',
          )
        : table('Instances', ['Instance ID', 'Product', 'Status', 'Expires', 'Action'], rows),
      pager,
    );
  } catch (error) {
    mount(results, refusalBox(app, error, [button('Try again', () => void showList(app, tab))]));
  }
}
