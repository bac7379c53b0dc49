/**
 * The pieces every screen is built from: headings, buttons, links, tables, badges, times,
 * summaries and the refusal box. Screens never build these by hand, so they look and behave
 * alike (and the stylesheet has one class for each).
 */
import type { App } from './app.ts';
import { type Child, h, uid } from './dom.ts';
import { refusalOf } from './refusals.ts';
import { billingTime, billingTimeBare, inBillingZone, localTime } from './time.ts';

/** The screen's heading; focusable, so showing a screen can move focus to it. */
export function heading(text: string): HTMLHeadingElement {
  return h('h1', { tabIndex: -1 }, text);
}

export function button(label: string, onclick: () => void, className = ''): HTMLButtonElement {
  return h('button', { type: 'button', className, onclick }, label);
}

/** A link named by what it opens; `more` is read by screen readers only (e.g. which instance). */
export function link(label: string, hash: string, more?: string): HTMLAnchorElement {
  return h('a', { href: hash }, label, more ? h('span', { className: 'sr-only' }, ` ${more}`) : null);
}

/** An id, shown as secondary text under what it identifies. */
export const idText = (id: string): HTMLElement => h('span', { className: 'id' }, id);

/** A name with its id under it (and a detail between them, such as a period). */
export const named = (name: Child | Child[], id: string, detail?: string): HTMLElement =>
  h('span', { className: 'named' }, h('span', {}, name), detail ? h('small', {}, detail) : null, idText(id));

/** A status in words, coloured by its code (`badge-active`, `badge-succeeded`…). */
export const badge = (code: string, words: string): HTMLElement =>
  h(
    'span',
    { className: `badge badge-${code.toLowerCase().replaceAll('_', '-')}`, dataset: { code } },
    words,
  );

/**
 * A table whose cells carry their column's name, so narrow screens can show each row as a
 * card (label, value) instead of a table wider than the page.
 */
export function table(caption: string, head: string[], rows: (Child | Child[])[][]): HTMLTableElement {
  return h(
    'table',
    { className: 'cards' },
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
          r.map((c, i) => h('td', { dataset: { label: head[i] ?? '' } }, c)),
        ),
      ),
    ),
  );
}

/** A description list of label and value pairs (null pairs are left out). */
export function summary(pairs: ([string, Child | Child[], string?] | null)[], className = ''): HTMLElement {
  return h(
    'dl',
    { className: `summary ${className}`.trim() },
    ...pairs.map((pair) =>
      pair ? [h('dt', {}, pair[0]), h('dd', pair[2] ? { dataset: { field: pair[2] } } : {}, pair[1])] : null,
    ),
  );
}

export function checkbox(label: string, name: string): { box: HTMLInputElement; el: HTMLElement } {
  const box = h('input', { type: 'checkbox', name, id: uid('c') });
  return { box, el: h('div', { className: 'check' }, box, h('label', { htmlFor: box.id }, label)) };
}

/**
 * An instant with its zone: the customer's local time, and under it the billing time (UTC+8),
 * which decides calendar days and deadlines — one line when the two zones are the same.
 */
export const timeOf = (iso: string): HTMLElement =>
  h(
    'span',
    { className: 'when' },
    h('time', { dateTime: iso }, localTime(iso)),
    inBillingZone(iso) ? null : h('small', {}, billingTime(iso)),
  );

/** An instant inside a sentence: the local time with its zone, the billing time in brackets. */
export const timeInline = (iso: string): HTMLElement =>
  h(
    'time',
    { dateTime: iso },
    localTime(iso),
    inBillingZone(iso) ? null : h('small', {}, ` (${billingTimeBare(iso)})`),
  );

/** What a screen can offer after a refusal; the refusal's own next step picks among them. */
export interface Offers {
  /** Get a new quote (quote screens). */
  requote?: () => void;
  /** Send the same request again (what failed was the network or the service). */
  retry?: () => void;
  /** The way back: label and hash (default: Unsubscription Management; null: none, as in a dialog). */
  back?: [string, string] | null;
  /** What was looked up ("This unsubscribe order"), to say exactly what was not found. */
  subject?: string;
  /** The whole sentence for NOT_FOUND where "in your account" does not fit (the back office). */
  notFound?: string;
}

/** A refusal in words: what happened, why, and what to do next; an expired session signs out. */
export function refusalBox(app: App, error: unknown, offers: Offers = {}): HTMLElement {
  const refusal = refusalOf(error);
  if (refusal.code === 'UNAUTHORIZED') app.auth.signOut();
  const back: [string, string] | null =
    offers.back === undefined ? ['Back to Unsubscription Management', '#/resources'] : offers.back;
  const actions: HTMLElement[] = [];
  if (refusal.action === 'requote' && offers.requote)
    actions.push(button('Get a new quote', offers.requote, 'primary'));
  if (refusal.action === 'retry' && offers.retry) actions.push(button('Try again', offers.retry, 'primary'));
  if (refusal.action === 'orders') actions.push(link('Unsubscribe orders', '#/orders'));
  if (back && refusal.code !== 'UNAUTHORIZED') actions.push(link(back[0], back[1]));
  return h(
    'div',
    { className: 'refusal', role: 'alert', dataset: { code: refusal.code } },
    h(
      'p',
      { className: 'refusal-title' },
      h(
        'strong',
        {},
        refusal.code === 'NOT_FOUND' && offers.notFound
          ? offers.notFound
          : refusal.code === 'NOT_FOUND' && offers.subject
            ? `${offers.subject} was not found in your account.`
            : refusal.title,
      ),
    ),
    refusal.reasons.length > 0
      ? h(
          'ul',
          {},
          refusal.reasons.map((r) => h('li', {}, r)),
        )
      : null,
    refusal.next.map((n) => h('p', { className: 'next' }, n)),
    actions.length > 0 ? h('p', { className: 'actions' }, actions) : null,
  );
}

/** A "previous / page n / next" pager over a list of page tokens. */
export function pager(tokens: (string | undefined)[], next: string | null, go: () => void): HTMLElement {
  return h(
    'nav',
    { className: 'pager', 'aria-label': 'Pages' },
    tokens.length > 1
      ? button('Previous page', () => {
          tokens.pop();
          go();
        })
      : null,
    h('span', {}, `Page ${tokens.length}`),
    next
      ? button('Next page', () => {
          tokens.push(next);
          go();
        })
      : null,
  );
}
