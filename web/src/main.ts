/**
 * The customer console: Unsubscription Management over the public HTTP API. Hash routes:
 * `#/resources` and `#/renewals` (the two tabs), `#/unsubscribe/<id>`, `#/renewal/<id>`,
 * `#/orders`, `#/orders/<id>`, `#/balance`. Every screen focuses its heading when shown.
 */

import type { ConsoleConfig } from '../hosting.ts';
import {
  type Api,
  type Balance,
  createApi,
  type Instance,
  type Page,
  path,
  type Quote,
  type UnsubscribeOrder,
} from './api.ts';
import { Attempt } from './attempt.ts';
import { type Auth, loadAuth } from './auth.ts';
import { append, field, h, mount, uid } from './dom.ts';
import { formatMoney } from './money.ts';
import { refusalOf } from './refusals.ts';
import { billingTime, countdown, fromLocalInput, localTime, toLocalInput } from './time.ts';

export const RULES_TEXT = 'I have read the Unsubscription Rules and confirmed the refund amount';
export const BACKUP_TEXT = 'Data has been backed up and migrated';
export const REASONS: [string, string][] = [
  ['NO_LONGER_NEEDED', 'No longer needed'],
  ['TOO_EXPENSIVE', 'Too expensive'],
  ['SWITCHING_PRODUCT', 'Switching to another product'],
  ['PURCHASED_BY_MISTAKE', 'Purchased by mistake'],
  ['SERVICE_ISSUES', 'Service issues'],
  ['OTHER', 'Other'],
];
const MAX_REASON_TEXT = 500;
const REFRESH_MS = 1000;
const SETTLED = new Set(['SUCCEEDED', 'NEEDS_ATTENTION']);

const REFUND_TYPES: Record<string, string> = {
  FULL_REFUND: 'Full refund',
  PARTIAL_REFUND: 'Partial refund',
  RENEWAL_CANCELLATION: 'Renewal cancellation',
};
const DESTINATIONS: Record<string, string> = {
  ORIGINAL_PAYMENT_METHOD: 'Original payment method',
  ACCOUNT_BALANCE: 'Account balance',
};

const root = document.getElementById('app') as HTMLElement;
let auth: Auth;
let api: Api;
/** Timers of the screen on show; cleared when the screen changes. */
let timers: number[] = [];

const money = (minor: number, currency: string) => formatMoney(minor, currency);
const both = (iso: string) => [
  h('time', { dateTime: iso }, localTime(iso)),
  h('br'),
  h('small', {}, billingTime(iso)),
];

function heading(text: string): HTMLHeadingElement {
  return h('h1', { tabIndex: -1 }, text);
}

function refusalBox(error: unknown, actions: HTMLElement[] = []): HTMLElement {
  const refusal = refusalOf(error);
  if (refusal.code === 'UNAUTHORIZED') auth.signOut();
  return h(
    'div',
    { className: 'refusal', role: 'alert', dataset: { code: refusal.code } },
    h('p', {}, h('strong', {}, refusal.title)),
    refusal.reasons.length > 0
      ? h(
          'ul',
          {},
          refusal.reasons.map((r) => h('li', {}, r)),
        )
      : null,
    actions.length > 0 ? h('p', { className: 'actions' }, actions) : null,
  );
}

function button(label: string, onclick: () => void, className = ''): HTMLButtonElement {
  return h('button', { type: 'button', className, onclick }, label);
}

function link(label: string, hash: string): HTMLAnchorElement {
  return h('a', { href: hash }, label);
}

function table(caption: string, head: string[], rows: (Node | string)[][]): HTMLTableElement {
  return h(
    'table',
    {},
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        head.map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          {},
          r.map((c) => h('td', {}, c)),
        ),
      ),
    ),
  );
}

/** Shows a screen: replaces the main area and moves focus to its heading. */
function show(...children: HTMLElement[]): HTMLElement {
  for (const timer of timers) clearInterval(timer);
  timers = [];
  const main = document.getElementById('main') as HTMLElement;
  mount(main, ...children);
  main.querySelector('h1')?.focus();
  return main;
}

// ---- the two tabs: instance list --------------------------------------------------

type Tab = 'resources' | 'renewals';
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

async function showList(tab: Tab): Promise<void> {
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
        void showList(tab);
      },
    },
    field('Instance ID', idInput),
    field('Order time from', fromInput),
    field('Order time to', toInput),
    field('Status', statusSelect),
    h('button', { type: 'submit' }, 'Search'),
  );
  const results = h('div', { 'aria-live': 'polite' }, h('p', {}, 'Loading…'));
  show(
    heading('Unsubscription Management'),
    tabList(tab),
    h('section', { id: 'tab-panel', role: 'tabpanel', 'aria-labelledby': `tab-${tab}` }, form, results),
  );
  const nextToken = listState.tokens[listState.tokens.length - 1];
  try {
    const page = await api.get<Page<Instance>>('/instances', { ...query, limit: '10', nextToken });
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
            void showList(tab);
          })
        : null,
      h('span', {}, `Page ${listState.tokens.length}`),
      page.nextToken
        ? button('Next page', () => {
            listState.tokens.push(page.nextToken ?? undefined);
            void showList(tab);
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
    mount(results, refusalBox(error, [button('Try again', () => void showList(tab))]));
  }
}

// ---- quotes and confirmation ------------------------------------------------------

function quoteLines(quote: Quote): HTMLElement {
  return table(
    'Refund lines',
    ['Order', 'Cash paid', 'Voucher', 'Used / term days', 'Refund', 'Destination'],
    quote.lines.map((l) => [
      l.orderId,
      money(l.cashPaid, quote.currency),
      money(l.voucherPaid, quote.currency),
      `${l.usedDays} / ${l.termDays}`,
      money(l.refundAmount, quote.currency),
      DESTINATIONS[l.destination] ?? l.destination,
    ]),
  );
}

/**
 * When a quote expires on the page's clock: as long after its receipt as the service gave it
 * (`expiresAt − asOf`), so a page whose clock differs from the service's (or a local runtime
 * whose clock was moved) counts the quote's real 15 minutes.
 */
function deadlineOf(quote: Quote, receivedAt: number): number {
  return receivedAt + Date.parse(quote.expiresAt) - Date.parse(quote.asOf);
}

/** The quote's validity and countdown; at zero, `onExpired` runs once. */
function expiry(quote: Quote, deadline: number, onExpired: () => void): HTMLElement {
  const left = () => countdown(deadline, Date.now());
  const timer = h('span', { role: 'timer', 'aria-live': 'off' }, left());
  const id = window.setInterval(() => {
    timer.textContent = left();
    if (Date.now() >= deadline) {
      clearInterval(id);
      onExpired();
    }
  }, 1000);
  timers.push(id);
  return h(
    'p',
    {},
    'This quote is valid until ',
    h('span', {}, both(quote.expiresAt)),
    ' — ',
    timer,
    ' left.',
  );
}

/**
 * The quote can no longer be confirmed: close the dialog if it is open and offer a new quote
 * (focused, so a keyboard or screen-reader user lands on it).
 */
function quoteExpired(
  dialog: HTMLDialogElement,
  proceed: HTMLButtonElement,
  status: HTMLElement,
  requote: () => void,
): void {
  if (dialog.open) dialog.close();
  proceed.disabled = true;
  mount(status, refusalBox({ code: 'QUOTE_EXPIRED' }, [button('Get a new quote', requote)]));
  status.querySelector('button')?.focus();
}

function checkbox(label: string, name: string): { box: HTMLInputElement; el: HTMLElement } {
  const box = h('input', { type: 'checkbox', name, id: uid('c') });
  return { box, el: h('div', { className: 'check' }, box, h('label', { htmlFor: box.id }, label)) };
}

/** The reason dialog: code select and text (required for OTHER, ≤ 500 characters). */
function reasonDialog(o: {
  title: string;
  confirmLabel: string;
  required: boolean;
  onConfirm: (reason: { code: string; text?: string } | undefined, done: (error?: unknown) => void) => void;
}): { dialog: HTMLDialogElement; open: () => void } {
  const select = h(
    'select',
    { name: 'reason', required: o.required },
    o.required ? null : h('option', { value: '' }, 'No reason given'),
    REASONS.map(([code, label]) => h('option', { value: code }, label)),
  );
  const text = h('textarea', { name: 'reasonText', maxLength: MAX_REASON_TEXT, rows: 3 });
  const message = h('div', { 'aria-live': 'assertive' });
  const confirm = h('button', { type: 'submit', className: 'primary' }, o.confirmLabel);
  const dialog = h('dialog', { 'aria-labelledby': uid('d') });
  const titleEl = h('h2', { id: dialog.getAttribute('aria-labelledby') ?? '' }, o.title);
  const form = h(
    'form',
    {
      method: 'dialog',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const code = select.value;
        const reasonText = text.value.trim();
        if (code === 'OTHER' && reasonText === '') {
          mount(message, h('p', { className: 'refusal', role: 'alert' }, 'Please describe your reason.'));
          text.focus();
          return;
        }
        mount(message);
        const reason = code ? { code, ...(reasonText ? { text: reasonText } : {}) } : undefined;
        confirm.setAttribute('aria-busy', 'true');
        confirm.disabled = true;
        o.onConfirm(reason, (error) => {
          confirm.removeAttribute('aria-busy');
          confirm.disabled = false;
          if (error) mount(message, refusalBox(error));
          else dialog.close();
        });
      },
    },
    titleEl,
    field('Reason', select),
    field(`Details (required for Other, up to ${MAX_REASON_TEXT} characters)`, text),
    message,
    h(
      'p',
      { className: 'actions' },
      confirm,
      button('Back', () => dialog.close()),
    ),
  );
  // A second click while the first is being sent joins it (see Attempt).
  confirm.addEventListener('dblclick', (event) => event.preventDefault());
  dialog.append(form);
  return { dialog, open: () => dialog.showModal() };
}

async function showUnsubscribe(instanceId: string): Promise<void> {
  const main = show(
    heading(`Unsubscribe ${instanceId}`),
    h('p', { 'aria-live': 'polite' }, 'Getting a refund quote…'),
  );
  let quote: Quote;
  let receivedAt: number;
  try {
    quote = await api.post<Quote>(path`/instances/${instanceId}/refund-quotes`, { kind: 'UNSUBSCRIBE' });
    receivedAt = Date.now();
  } catch (error) {
    show(
      heading(`Unsubscribe ${instanceId}`),
      refusalBox(error, [
        button('Get a new quote', () => void showUnsubscribe(instanceId)),
        link('Back to instances', '#/resources'),
      ]),
    );
    return;
  }
  const attempt = new Attempt();
  const rules = checkbox(RULES_TEXT, 'rulesAndAmountConfirmed');
  const backup = checkbox(BACKUP_TEXT, 'dataBackupConfirmed');
  const status = h('div', { 'aria-live': 'polite' });
  const requote = () => void showUnsubscribe(instanceId);
  const { dialog, open } = reasonDialog({
    title: 'Confirm unsubscription',
    confirmLabel: 'Confirm unsubscription',
    required: true,
    onConfirm: (reason, done) => {
      const body = {
        quoteId: quote.quoteId,
        refundType: quote.refundType,
        confirmations: {
          rulesAndAmountConfirmed: rules.box.checked,
          dataBackupConfirmed: backup.box.checked,
        },
        reason,
      };
      attempt
        .run(body, (key) =>
          api.post<UnsubscribeOrder>(path`/instances/${instanceId}/unsubscriptions`, body, key),
        )
        .then(
          (order) => {
            done();
            location.hash = `#/orders/${encodeURIComponent(order.unsubscribeOrderId)}`;
          },
          (error: unknown) => {
            const refusal = refusalOf(error);
            if (refusal.requote) {
              dialog.close();
              mount(status, refusalBox(error, [button('Get a new quote', requote)]));
              status.querySelector('button')?.focus();
              done();
            } else done(error);
          },
        );
    },
  });
  const proceed = button(
    'Unsubscribe',
    () => {
      if (!rules.box.checked || !backup.box.checked) {
        mount(
          status,
          h('p', { className: 'refusal', role: 'alert' }, 'Please tick both confirmations first.'),
        );
        return;
      }
      mount(status);
      open();
    },
    'primary',
  );
  mount(
    main,
    heading(`Unsubscribe ${instanceId}`),
    h(
      'section',
      { 'aria-labelledby': 'quote-h' },
      h('h2', { id: 'quote-h' }, 'Refund quote'),
      h(
        'dl',
        {},
        h('dt', {}, 'Refund type'),
        h('dd', { dataset: { field: 'refundType' } }, REFUND_TYPES[quote.refundType] ?? quote.refundType),
        h('dt', {}, 'Refund amount'),
        h('dd', { dataset: { field: 'refundAmount' } }, money(quote.refundAmount, quote.currency)),
        h('dt', {}, 'Voucher amount not refunded'),
        h('dd', {}, money(quote.nonRefundableVoucherAmount, quote.currency)),
        quote.retention
          ? [
              h('dt', {}, 'Configuration data deleted at'),
              h('dd', {}, both(quote.retention.configDataPurgeAt)),
              h('dt', {}, 'Log analysis data deleted at'),
              h('dd', {}, both(quote.retention.logDataPurgeAt)),
            ]
          : null,
      ),
      quoteLines(quote),
      expiry(quote, deadlineOf(quote, receivedAt), () => quoteExpired(dialog, proceed, status, requote)),
    ),
    h(
      'section',
      { 'aria-labelledby': 'rules-h' },
      h('h2', { id: 'rules-h' }, 'Unsubscription Rules'),
      h(
        'ul',
        {},
        h('li', {}, 'Within 5 days of purchase, one instance a year gets a full refund of the cash paid.'),
        h('li', {}, 'Otherwise the unused part of the cash paid is refunded; vouchers are never refunded.'),
        h(
          'li',
          {},
          'After unsubscribing, the instance data is kept until the deadlines above and then deleted.',
        ),
      ),
      h('fieldset', {}, h('legend', {}, 'Confirmations'), rules.el, backup.el),
    ),
    status,
    h('p', { className: 'actions' }, proceed, link('Back to instances', '#/resources')),
    dialog,
  );
}

async function showRenewal(instanceId: string): Promise<void> {
  const main = show(
    heading(`Cancel the renewal of ${instanceId}`),
    h('p', { 'aria-live': 'polite' }, 'Getting a refund quote…'),
  );
  const title = () => heading(`Cancel the renewal of ${instanceId}`);
  const requote = () => void showRenewal(instanceId);
  let quotes: Quote[];
  let receivedAt: number;
  try {
    const first = await api.post<Quote>(path`/instances/${instanceId}/refund-quotes`, {
      kind: 'CANCEL_RENEWAL',
    });
    const others = (first.allowedExpirationTimes ?? []).filter((t) => t !== first.updatedExpirationTime);
    quotes = [
      first,
      ...(await Promise.all(
        others.map((t) =>
          api.post<Quote>(path`/instances/${instanceId}/refund-quotes`, {
            kind: 'CANCEL_RENEWAL',
            updatedExpirationTime: t,
          }),
        ),
      )),
    ].sort((a, b) => Date.parse(a.updatedExpirationTime ?? '') - Date.parse(b.updatedExpirationTime ?? ''));
    receivedAt = Date.now();
  } catch (error) {
    show(
      title(),
      refusalBox(error, [button('Get a new quote', requote), link('Back to renewals', '#/renewals')]),
    );
    return;
  }
  const first = quotes[0] as Quote;
  const attempt = new Attempt();
  const rules = checkbox(RULES_TEXT, 'rulesAndAmountConfirmed');
  const status = h('div', { 'aria-live': 'polite' });
  const radios = quotes.map((q, i) => {
    const input = h('input', {
      type: 'radio',
      name: 'updatedExpirationTime',
      value: q.quoteId,
      id: uid('r'),
      checked: i === quotes.length - 1,
    });
    return {
      quote: q,
      input,
      el: h(
        'div',
        { className: 'check' },
        input,
        h(
          'label',
          { htmlFor: input.id },
          `Expire at ${localTime(q.updatedExpirationTime ?? '')} (${billingTime(q.updatedExpirationTime ?? '')}) — refund `,
          h('strong', {}, money(q.refundAmount, q.currency)),
        ),
      ),
    };
  });
  const chosen = () => (radios.find((r) => r.input.checked) ?? radios[0])?.quote ?? first;
  // The lines of the expiration time chosen, redrawn when the choice changes.
  const lines = h('div', {}, quoteLines(chosen()));
  for (const r of radios) r.input.addEventListener('change', () => mount(lines, quoteLines(chosen())));
  // The quotes expire together: the page counts down to the first of them.
  const soonest = quotes.reduce((a, q) => (deadlineOf(q, receivedAt) < deadlineOf(a, receivedAt) ? q : a));
  const { dialog, open } = reasonDialog({
    title: 'Confirm renewal cancellation',
    confirmLabel: 'Confirm cancellation',
    required: false,
    onConfirm: (reason, done) => {
      const quote = chosen();
      const body = {
        quoteId: quote.quoteId,
        updatedExpirationTime: quote.updatedExpirationTime,
        confirmations: { rulesAndAmountConfirmed: rules.box.checked },
        ...(reason ? { reason } : {}),
      };
      attempt
        .run(body, (key) =>
          api.post<UnsubscribeOrder>(path`/instances/${instanceId}/renewal-cancellations`, body, key),
        )
        .then(
          (order) => {
            done();
            location.hash = `#/orders/${encodeURIComponent(order.unsubscribeOrderId)}`;
          },
          (error: unknown) => {
            if (refusalOf(error).requote) {
              dialog.close();
              mount(status, refusalBox(error, [button('Get a new quote', requote)]));
              status.querySelector('button')?.focus();
              done();
            } else done(error);
          },
        );
    },
  });
  const proceed = button(
    'Cancel renewal',
    () => {
      if (!rules.box.checked) {
        mount(status, h('p', { className: 'refusal', role: 'alert' }, 'Please tick the confirmation first.'));
        return;
      }
      mount(status);
      open();
    },
    'primary',
  );
  mount(
    main,
    title(),
    h(
      'section',
      { 'aria-labelledby': 'quote-h' },
      h('h2', { id: 'quote-h' }, 'Refund quote'),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Updated expiration time'),
        radios.map((r) => r.el),
      ),
      lines,
      expiry(soonest, deadlineOf(soonest, receivedAt), () => quoteExpired(dialog, proceed, status, requote)),
      h('fieldset', {}, h('legend', {}, 'Confirmation'), rules.el),
    ),
    status,
    h('p', { className: 'actions' }, proceed, link('Back to renewals', '#/renewals')),
    dialog,
  );
}

// ---- orders and balance -----------------------------------------------------------

async function showOrder(orderId: string): Promise<void> {
  const main = show(heading('Unsubscribe order details'), h('p', {}, 'Loading…'));
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
        h('dd', {}, money(order.refundAmount, order.currency)),
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
          money(l.refundAmount, order.currency),
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
      const order = await api.get<UnsubscribeOrder>(path`/unsubscribe-orders/${orderId}`);
      render(order);
      if (SETTLED.has(order.status)) return;
    } catch (error) {
      mount(body, refusalBox(error, [button('Try again', () => void showOrder(orderId))]));
      return;
    }
    const id = window.setTimeout(() => void load(), REFRESH_MS);
    timers.push(id);
  };
  await load();
}

async function showOrders(): Promise<void> {
  const main = show(heading('Unsubscribe orders'), h('p', {}, 'Loading…'));
  try {
    const page = await api.get<Page<UnsubscribeOrder>>('/unsubscribe-orders', { limit: '20' });
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
              money(o.refundAmount, o.currency),
              localTime(o.createdAt),
            ]),
          ),
    );
  } catch (error) {
    mount(main, heading('Unsubscribe orders'), refusalBox(error));
  }
}

async function showBalance(): Promise<void> {
  const main = show(heading('Account balance'), h('p', {}, 'Loading…'));
  try {
    const balance = await api.get<Balance>('/account/balance');
    mount(
      main,
      heading('Account balance'),
      balance.balances.length === 0
        ? h('p', {}, 'Your balance is empty.')
        : h(
            'ul',
            {},
            balance.balances.map((b) =>
              h('li', { dataset: { currency: b.currency } }, money(b.amount, b.currency)),
            ),
          ),
      balance.entries.length === 0
        ? null
        : table(
            'Balance entries',
            ['Date', 'Amount', 'Why', 'Unsubscribe order'],
            balance.entries.map((e) => [
              localTime(e.createdAt),
              money(e.amount, e.currency),
              e.cause === 'PROVIDER_REFUSED' ? 'The payment method refused the refund' : 'Refund to balance',
              link(e.unsubscribeOrderId, `#/orders/${encodeURIComponent(e.unsubscribeOrderId)}`),
            ]),
          ),
    );
  } catch (error) {
    mount(main, heading('Account balance'), refusalBox(error));
  }
}

// ---- shell and routing ------------------------------------------------------------

function renderShell(): void {
  const account = auth.account();
  mount(
    root,
    h(
      'a',
      {
        className: 'skip',
        href: '#main',
        onclick: (e: Event) => {
          e.preventDefault();
          document.getElementById('main')?.querySelector('h1')?.focus();
        },
      },
      'Skip to content',
    ),
    h(
      'header',
      {},
      h('p', { className: 'brand' }, 'Refund console'),
      account
        ? h(
            'nav',
            { 'aria-label': 'Console' },
            link('Instances', '#/resources'),
            link('Unsubscribe orders', '#/orders'),
            link('Account balance', '#/balance'),
            h('span', { className: 'account' }, `Signed in as ${account}`),
            button('Sign out', () => {
              auth.signOut();
              route();
            }),
          )
        : null,
    ),
    h('main', { id: 'main' }),
  );
}

function showSignIn(): void {
  const form = auth.signInForm(() => {
    renderShell();
    location.hash = '#/resources';
    route();
  });
  show(heading('Sign in'), form);
}

function route(): void {
  if (!auth.account()) {
    renderShell();
    showSignIn();
    return;
  }
  if (!root.querySelector('header nav')) renderShell();
  const [, screen = 'resources', id] = location.hash.split('/').map(decodeURIComponent);
  if (screen === 'renewals') void showList('renewals');
  else if (screen === 'unsubscribe' && id) void showUnsubscribe(id);
  else if (screen === 'renewal' && id) void showRenewal(id);
  else if (screen === 'orders' && id) void showOrder(id);
  else if (screen === 'orders') void showOrders();
  else if (screen === 'balance') void showBalance();
  else void showList('resources');
}

async function start(): Promise<void> {
  const config = (await (await fetch('config.json')).json()) as ConsoleConfig;
  auth = await loadAuth(config);
  api = createApi(config.apiUrl, () => auth.token());
  window.addEventListener('hashchange', route);
  route();
  document.body.dataset.ready = 'true';
}

start().catch((error: unknown) => {
  append(root, [
    h(
      'div',
      { className: 'refusal', role: 'alert' },
      h('p', {}, `The console could not start: ${String(error)}`),
    ),
  ]);
});
