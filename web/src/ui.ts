/**
 * The pieces every screen is built from: headings, buttons, links, tables, checkboxes, times
 * and the refusal box. Screens never build these by hand, so they look and behave alike.
 */
import type { App } from './app.ts';
import { h, uid } from './dom.ts';
import { refusalOf } from './refusals.ts';
import { billingTime, localTime } from './time.ts';

/** The screen's heading; focusable, so showing a screen can move focus to it. */
export function heading(text: string): HTMLHeadingElement {
  return h('h1', { tabIndex: -1 }, text);
}

export function button(label: string, onclick: () => void, className = ''): HTMLButtonElement {
  return h('button', { type: 'button', className, onclick }, label);
}

export function link(label: string, hash: string): HTMLAnchorElement {
  return h('a', { href: hash }, label);
}

export function table(caption: string, head: string[], rows: (Node | string)[][]): HTMLTableElement {
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

export function checkbox(label: string, name: string): { box: HTMLInputElement; el: HTMLElement } {
  const box = h('input', { type: 'checkbox', name, id: uid('c') });
  return { box, el: h('div', { className: 'check' }, box, h('label', { htmlFor: box.id }, label)) };
}

/** An instant in the customer's local time, with the billing time (UTC+8) under it. */
export const both = (iso: string) => [
  h('time', { dateTime: iso }, localTime(iso)),
  h('br'),
  h('small', {}, billingTime(iso)),
];

/** A refusal in words, with what the customer can do next; an expired session signs out. */
export function refusalBox(app: App, error: unknown, actions: HTMLElement[] = []): HTMLElement {
  const refusal = refusalOf(error);
  if (refusal.code === 'UNAUTHORIZED') app.auth.signOut();
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
