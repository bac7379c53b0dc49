/**
 * What the unsubscribe and renewal screens share: the quote's lines, its countdown and what
 * happens when it expires, and the confirmation dialog with the reason.
 */
import type { Quote } from '../api.ts';
import type { App } from '../app.ts';
import { field, h, mount, uid } from '../dom.ts';
import { formatMoney } from '../money.ts';
import { countdown } from '../time.ts';
import { both, button, refusalBox, table } from '../ui.ts';
import { DESTINATIONS } from '../words.ts';

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

export function quoteLines(quote: Quote): HTMLElement {
  return table(
    'Refund lines',
    ['Order', 'Cash paid', 'Voucher', 'Used / term days', 'Refund', 'Destination'],
    quote.lines.map((l) => [
      l.orderId,
      formatMoney(l.cashPaid, quote.currency),
      formatMoney(l.voucherPaid, quote.currency),
      `${l.usedDays} / ${l.termDays}`,
      formatMoney(l.refundAmount, quote.currency),
      DESTINATIONS[l.destination] ?? l.destination,
    ]),
  );
}

/**
 * When a quote expires on the page's clock: as long after its receipt as the service gave it
 * (`expiresAt − asOf`), so a page whose clock differs from the service's (or a local runtime
 * whose clock was moved) counts the quote's real 15 minutes.
 */
export function deadlineOf(quote: Quote, receivedAt: number): number {
  return receivedAt + Date.parse(quote.expiresAt) - Date.parse(quote.asOf);
}

/** The quote's validity and countdown; at zero, `onExpired` runs once. */
export function expiry(app: App, quote: Quote, deadline: number, onExpired: () => void): HTMLElement {
  const left = () => countdown(deadline, Date.now());
  const timer = h('span', { role: 'timer', 'aria-live': 'off' }, left());
  const id = window.setInterval(() => {
    timer.textContent = left();
    if (Date.now() >= deadline) {
      clearInterval(id);
      onExpired();
    }
  }, 1000);
  app.keepTimer(id);
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
export function quoteExpired(
  app: App,
  dialog: HTMLDialogElement,
  proceed: HTMLButtonElement,
  status: HTMLElement,
  requote: () => void,
): void {
  if (dialog.open) dialog.close();
  proceed.disabled = true;
  mount(status, refusalBox(app, { code: 'QUOTE_EXPIRED' }, [button('Get a new quote', requote)]));
  status.querySelector('button')?.focus();
}

/** The reason dialog: code select and text (required for OTHER, ≤ 500 characters). */
export function reasonDialog(
  app: App,
  o: {
    title: string;
    confirmLabel: string;
    required: boolean;
    onConfirm: (reason: { code: string; text?: string } | undefined, done: (error?: unknown) => void) => void;
  },
): { dialog: HTMLDialogElement; open: () => void } {
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
          if (error) mount(message, refusalBox(app, error));
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
