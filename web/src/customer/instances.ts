/**
 * `#/resources` and `#/renewals`: the two tabs of Unsubscription Management. "Unsubscribe
 * Resource" lists the account's instances (filtered by instance ID, order time and status);
 * "Unsubscribe Renewal That Does Not Take Effect" lists those with a paid renewal not yet
 * started, found by the API (`pendingRenewal=true`) across every page. The filters and the
 * page survive moving between the tabs.
 */
import type { Instance, Page } from '../api.ts';
import type { App } from '../app.ts';
import { field, h, mount } from '../dom.ts';
import { fromLocalInput, localZoneName, toLocalInput } from '../time.ts';
import { badge, heading, link, named, pager, refusalBox, table, timeInline, timeOf } from '../ui.ts';
import { instanceStatus } from '../words.ts';

export type Tab = 'resources' | 'renewals';
const TABS: [Tab, string][] = [
  ['resources', 'Unsubscribe Resource'],
  ['renewals', 'Unsubscribe Renewal That Does Not Take Effect'],
];
const PAGE_SIZE = '10';

interface ListQuery {
  instanceId?: string;
  orderTimeFrom?: string;
  orderTimeTo?: string;
  status?: string;
}
const listState: Record<Tab, (string | undefined)[]> & { query: ListQuery } = {
  query: {},
  resources: [undefined],
  renewals: [undefined],
};

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

function filters(app: App, tab: Tab): HTMLFormElement {
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
    ['', 'ACTIVE', 'UNSUBSCRIBED', 'RELEASED'].map((value) =>
      h('option', { value, selected: value === (query.status ?? '') }, value ? instanceStatus(value) : 'Any'),
    ),
  );
  const zone = localZoneName();
  return h(
    'form',
    {
      className: 'filters',
      'aria-label': 'Filter instances',
      onsubmit: (event: Event) => {
        event.preventDefault();
        listState.query = {
          instanceId: idInput.value.trim() || undefined,
          orderTimeFrom: fromLocalInput(fromInput.value),
          orderTimeTo: fromLocalInput(toInput.value),
          // The renewal tab lists active instances only: it keeps the status chosen on the other.
          status: tab === 'resources' ? statusSelect.value || undefined : query.status,
        };
        listState.resources = [undefined];
        listState.renewals = [undefined];
        void showList(app, tab);
      },
    },
    field('Instance ID', idInput),
    field(`Order time from (${zone})`, fromInput),
    field(`Order time to (${zone})`, toInput),
    tab === 'resources' ? field('Status', statusSelect) : null,
    h('button', { type: 'submit' }, 'Search'),
  );
}

const unsubscribeLink = (i: Instance) =>
  link('Unsubscribe', `#/unsubscribe/${encodeURIComponent(i.instanceId)}`, i.instanceId);
const renewalLink = (i: Instance) =>
  link('Unsubscribe from Renewal', `#/renewal/${encodeURIComponent(i.instanceId)}`, i.instanceId);
const product = (i: Instance) => named(`${i.product} (${i.edition})`, i.instanceId);
const expires = (i: Instance) => (i.expiresAt ? timeOf(i.expiresAt) : '—');
/** While it applies (the API decides it as a quote would): until when unsubscribing refunds everything. */
const fullRefund = (i: Instance) =>
  i.fullRefundUntil
    ? h('small', { className: 'note' }, 'Full refund available until ', timeInline(i.fullRefundUntil))
    : null;

/** The renewals of an instance that have not started: their count and the earliest start. */
function pending(i: Instance, now: number) {
  const renewals = i.orders.filter(
    (o) => o.type === 'RENEW' && o.status === 'PAID' && Date.parse(o.periodStart) > now,
  );
  const first = renewals.map((o) => o.periodStart).sort()[0];
  return h(
    'span',
    {},
    `${renewals.length} renewal${renewals.length === 1 ? '' : 's'}`,
    first ? [h('small', { className: 'note' }, 'the first starts'), timeOf(first)] : null,
  );
}

export async function showList(app: App, tab: Tab): Promise<void> {
  const results = h('div', { className: 'results', 'aria-live': 'polite' }, h('p', {}, 'Loading…'));
  app.show(
    heading('Unsubscription Management'),
    tabList(tab),
    h(
      'section',
      { id: 'tab-panel', role: 'tabpanel', 'aria-labelledby': `tab-${tab}` },
      h(
        'p',
        { className: 'lead' },
        tab === 'resources'
          ? 'Stop an instance now and get back the unused part of what you paid.'
          : 'Cancel renewals you paid for that have not started yet; the current period runs on.',
      ),
      filters(app, tab),
      results,
    ),
  );
  const tokens = listState[tab];
  const again = () => void showList(app, tab);
  try {
    const page = await app.api.get<Page<Instance>>('/instances', {
      ...listState.query,
      ...(tab === 'renewals' ? { status: undefined, pendingRenewal: 'true' } : {}),
      limit: PAGE_SIZE,
      nextToken: tokens[tokens.length - 1],
    });
    const now = app.now();
    const rows =
      tab === 'resources'
        ? page.items.map((i) => [
            product(i),
            badge(i.status, instanceStatus(i.status)),
            expires(i),
            i.status === 'ACTIVE' ? [unsubscribeLink(i), fullRefund(i)] : '',
          ])
        : page.items.map((i) => [product(i), expires(i), pending(i, now), renewalLink(i)]);
    mount(
      results,
      rows.length === 0
        ? h(
            'p',
            { className: 'empty' },
            tab === 'renewals'
              ? 'No instance has a renewal that has not taken effect.'
              : 'No instances match these filters.',
          )
        : tab === 'resources'
          ? table('Instances', ['Instance', 'Status', 'Expiration Time', 'Action'], rows)
          : table(
              'Instances with renewals that have not taken effect',
              ['Instance', 'Current Expiration Time', 'Not yet in effect', 'Action'],
              rows,
            ),
      pager(tokens, page.nextToken, again),
    );
  } catch (error) {
    mount(results, refusalBox(app, error, { retry: again, back: null }));
  }
}
