/**
 * What the unsubscribe and renewal screens share: the instance's header, the quote's lines,
 * where and when the money arrives, its countdown and what happens when it runs out, and the
 * "Confirm Unsubscription Information" dialog that repeats what is about to happen and takes
 * the reason.
 */
import { type Instance, path, type Quote, type UnsubscribeOrder } from '../api.ts';
import type { App } from '../app.ts';
import { Attempt } from '../attempt.ts';
import { type Child, field, h, mount, uid } from '../dom.ts';
import { formatMoney } from '../money.ts';
import { refusalOf } from '../refusals.ts';
import { billingPeriod, countdown } from '../time.ts';
import { badge, button, named, refusalBox, summary, table, timeInline } from '../ui.ts';
import {
  confirmationText,
  destination,
  instanceStatus,
  purchaseType,
  REASONS,
  refundType,
} from '../words.ts';

export const RULES_TEXT = confirmationText('rulesAndAmountConfirmed');
export const BACKUP_TEXT = confirmationText('dataBackupConfirmed');
const MAX_REASON_TEXT = 500;

export const getInstance = (app: App, instanceId: string) =>
  app.api.get<Instance>(path`/instances/${instanceId}`);

/** The instance the screen is about: product and edition, its id, status and expiration. */
export function instanceHeader(instance: Instance): HTMLElement {
  return h(
    'div',
    { className: 'instance-header' },
    named(`${instance.product} (${instance.edition})`, instance.instanceId),
    badge(instance.status, instanceStatus(instance.status)),
  );
}

export function quoteLines(quote: Quote, instance: Instance): HTMLElement {
  return table(
    'Refund lines',
    ['Order', 'Cash paid', 'Voucher', 'Days used', 'Refund', 'Goes to'],
    quote.lines.map((l) => {
      const order = instance.orders.find((o) => o.orderId === l.orderId);
      return [
        order
          ? named(purchaseType(order.type), l.orderId, billingPeriod(order.periodStart, order.periodEnd))
          : named('', l.orderId),
        formatMoney(l.cashPaid, quote.currency),
        formatMoney(l.voucherPaid, quote.currency),
        `${l.usedDays} of ${l.termDays}`,
        h('strong', {}, formatMoney(l.refundAmount, quote.currency)),
        destination(l.destination),
      ];
    }),
  );
}

/** "$999.00 to your original payment method", one line per destination with money. */
export function moneyGoes(quote: Quote): HTMLElement {
  const totals = new Map<string, number>();
  for (const l of quote.lines) totals.set(l.destination, (totals.get(l.destination) ?? 0) + l.refundAmount);
  const parts = [...totals].filter(([, amount]) => amount > 0);
  if (parts.length === 0) return h('span', {}, 'Nothing is paid out.');
  return h(
    'ul',
    { className: 'plain' },
    parts.map(([to, amount]) =>
      h(
        'li',
        {},
        h('strong', {}, formatMoney(amount, quote.currency)),
        ` to your ${destination(to).toLowerCase()}`,
      ),
    ),
  );
}

/** When and where the money arrives, before the customer confirms (rows of a summary). */
export function arrival(quote: Quote): [string, HTMLElement][] {
  return [
    [
      'When it arrives',
      h('span', {}, 'Within two business days: by ', timeInline(quote.dueBy), ' at the latest.'),
    ],
    [
      'Where it goes',
      h(
        'div',
        {},
        moneyGoes(quote),
        h(
          'small',
          { className: 'note' },
          'Refunds go back to the original payment method. If it can no longer take them (for example, the card was closed), the amount is credited to your account balance instead.',
        ),
      ),
    ],
  ];
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
    { className: 'expiry' },
    'These amounts are held for you until ',
    timeInline(quote.expiresAt),
    h('span', {}, ' — ', timer, ' left.'),
  );
}

export interface ConfirmationOptions {
  /** What is about to happen, repeated in the dialog (built when it opens). */
  summary: () => HTMLElement;
  reasonRequired: boolean;
  /** Checked before the dialog opens: the message when a confirmation is missing, or none. */
  missing: () => string | undefined;
  proceedLabel: string;
  /** Sends the confirmation with its Idempotency-Key; `body` is what identifies the attempt. */
  body: (reason: { code: string; text?: string } | undefined) => unknown;
  send: (body: unknown, key: string) => Promise<UnsubscribeOrder>;
  requote: () => void;
}

/**
 * The confirming part of a quote screen: the button that opens the dialog, the status area,
 * and the dialog itself. Refusals that need a new quote close the dialog and offer one; so
 * does the quote running out (`expired`).
 */
export function confirmation(app: App, o: ConfirmationOptions) {
  const attempt = new Attempt();
  const status = h('div', { className: 'status-area', 'aria-live': 'polite' });
  const select = h(
    'select',
    // Checked by the form itself (a sentence in the dialog), not the browser's bubble.
    { name: 'reason', 'aria-required': String(o.reasonRequired) },
    h('option', { value: '' }, o.reasonRequired ? 'Choose a reason' : 'No reason given'),
    REASONS.map(([code, label]) => h('option', { value: code }, label)),
  );
  const text = h('textarea', { name: 'reasonText', maxLength: MAX_REASON_TEXT, rows: 3 });
  const message = h('div', { 'aria-live': 'assertive' });
  const ok = h('button', { type: 'submit', className: 'primary' }, 'OK');
  const titleId = uid('d');
  const dialog = h('dialog', { 'aria-labelledby': titleId });
  const summaryArea = h('div', {});
  const offerNewQuote = (error: unknown) => {
    if (dialog.open) dialog.close();
    mount(status, refusalBox(app, error, { requote: o.requote, back: null }));
    status.querySelector('button')?.focus();
  };
  const form = h(
    'form',
    {
      method: 'dialog',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const code = select.value;
        const reasonText = text.value.trim();
        const problem =
          o.reasonRequired && code === ''
            ? ['Please choose a reason for unsubscription.', select]
            : code === 'OTHER' && reasonText === ''
              ? ['Please describe your reason.', text]
              : undefined;
        if (problem) {
          mount(message, h('p', { className: 'refusal', role: 'alert' }, problem[0] as string));
          (problem[1] as HTMLElement).focus();
          return;
        }
        mount(message);
        const reason = code ? { code, ...(reasonText ? { text: reasonText } : {}) } : undefined;
        const body = o.body(reason);
        ok.setAttribute('aria-busy', 'true');
        ok.disabled = true;
        attempt
          .run(body, (key) => o.send(body, key))
          .then(
            (order) => {
              dialog.close();
              location.hash = `#/orders/${encodeURIComponent(order.unsubscribeOrderId)}`;
            },
            (error: unknown) => {
              if (refusalOf(error).action === 'requote') offerNewQuote(error);
              else mount(message, refusalBox(app, error, { back: null }));
            },
          )
          .finally(() => {
            ok.removeAttribute('aria-busy');
            ok.disabled = false;
          });
      },
    },
    h('h2', { id: titleId }, 'Confirm Unsubscription Information'),
    summaryArea,
    field(o.reasonRequired ? 'Reason for Unsubscription' : 'Reason for Unsubscription (optional)', select),
    field(`Details (required for Other, up to ${MAX_REASON_TEXT} characters)`, text),
    message,
    h(
      'p',
      { className: 'actions' },
      ok,
      button('Cancel', () => dialog.close()),
    ),
  );
  // A second click while the first is being sent joins it (see Attempt).
  ok.addEventListener('dblclick', (event) => event.preventDefault());
  dialog.append(form);
  const proceed = button(
    o.proceedLabel,
    () => {
      const missing = o.missing();
      if (missing) {
        mount(status, h('p', { className: 'refusal', role: 'alert' }, missing));
        return;
      }
      mount(status);
      mount(summaryArea, o.summary());
      dialog.showModal();
    },
    'primary',
  );
  return {
    proceed,
    status,
    dialog,
    /** The quote ran out: close the dialog, disable confirming, offer (and focus) a new quote. */
    expired: () => {
      proceed.disabled = true;
      offerNewQuote({ code: 'QUOTE_EXPIRED' });
    },
  };
}

/** The dialog's summary: the instance and the money, then what else changes. */
export function dialogSummary(instance: Instance, quote: Quote, more: [string, Child | Child[]][]) {
  return summary(
    [
      ['Instance', named(`${instance.product} (${instance.edition})`, instance.instanceId)],
      ['Refund type', refundType(quote.refundType)],
      ['Refund amount', h('strong', {}, formatMoney(quote.refundAmount, quote.currency)), 'dialogAmount'],
      ['Where it goes', moneyGoes(quote)],
      ['When it arrives', h('span', {}, 'Within two business days, by ', timeInline(quote.dueBy))],
      ...more,
    ],
    'dialog-summary',
  );
}
