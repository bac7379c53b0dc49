/**
 * `#/renewal/<id>` (Unsubscribe from Renewal): cancel paid renewals that have not taken
 * effect. The screen quotes every allowed Updated Expiration Time once, shows the current
 * and the updated expiration time with the refund of each choice and the lines of the one
 * chosen, and the rules the customer confirms.
 */
import { type Instance, path, type Quote, type UnsubscribeOrder } from '../api.ts';
import type { App } from '../app.ts';
import { h, mount, uid } from '../dom.ts';
import { disclosure } from '../explain.ts';
import { formatMoney } from '../money.ts';
import { checkbox, heading, link, refusalBox, summary, timeOf } from '../ui.ts';
import {
  arrival,
  confirmation,
  deadlineOf,
  dialogSummary,
  expiry,
  getInstance,
  instanceHeader,
  quoteLines,
  RULES_TEXT,
} from './quote.ts';

const TITLE = 'Unsubscribe from Renewal';
const BACK: [string, string] = ['Back to renewals', '#/renewals'];

const quoteAt = (app: App, instanceId: string, updatedExpirationTime?: string) =>
  app.api.post<Quote>(path`/instances/${instanceId}/refund-quotes`, {
    kind: 'CANCEL_RENEWAL',
    ...(updatedExpirationTime ? { updatedExpirationTime } : {}),
  });

const updatedTime = (q: Quote) => q.updatedExpirationTime ?? '';

export async function showRenewal(app: App, instanceId: string): Promise<void> {
  const screen = app.show(heading(TITLE), h('p', { 'aria-live': 'polite' }, 'Getting a refund quote…'));
  const requote = () => void showRenewal(app, instanceId);
  let instance: Instance;
  let quotes: Quote[];
  let receivedAt: number;
  try {
    const [first, found] = await Promise.all([quoteAt(app, instanceId), getInstance(app, instanceId)]);
    instance = found;
    const others = (first.allowedExpirationTimes ?? []).filter((t) => t !== first.updatedExpirationTime);
    quotes = [first, ...(await Promise.all(others.map((t) => quoteAt(app, instanceId, t))))].sort(
      (a, b) => Date.parse(updatedTime(a)) - Date.parse(updatedTime(b)),
    );
    receivedAt = Date.now();
  } catch (error) {
    app.render(screen, heading(TITLE), refusalBox(app, error, { retry: requote, requote, back: BACK }));
    return;
  }
  const rules = checkbox(RULES_TEXT, 'rulesAndAmountConfirmed');
  const radios = quotes.map((q, i) => {
    const input = h('input', {
      type: 'radio',
      name: 'updatedExpirationTime',
      value: q.quoteId,
      id: uid('r'),
      checked: i === quotes.length - 1,
    });
    const cancelled = q.lines.length;
    return {
      quote: q,
      input,
      el: h(
        'div',
        { className: 'check choice' },
        input,
        h(
          'label',
          { htmlFor: input.id },
          timeOf(updatedTime(q)),
          h(
            'span',
            { className: 'choice-detail' },
            `${cancelled} renewal${cancelled === 1 ? '' : 's'} cancelled, refund `,
            h('strong', {}, formatMoney(q.refundAmount, q.currency)),
          ),
        ),
      ),
    };
  });
  const chosen = (): Quote => (radios.find((r) => r.input.checked) ?? radios[0])?.quote as Quote;
  // The amount, arrival and lines of the time chosen, redrawn when the choice changes.
  const details = h('div', {});
  const drawDetails = () => {
    const q = chosen();
    mount(
      details,
      h(
        'p',
        { className: 'amount', dataset: { field: 'refundAmount' } },
        formatMoney(q.refundAmount, q.currency),
      ),
      summary([
        ['Vouchers (not refunded)', formatMoney(q.nonRefundableVoucherAmount, q.currency)],
        ...arrival(q),
      ]),
      quoteLines(q, instance),
      q.derivation ? disclosure(q.derivation) : null,
    );
  };
  drawDetails();
  for (const r of radios) r.input.addEventListener('change', drawDetails);
  // The quotes expire together: the page counts down to the first of them.
  const soonest = quotes.reduce((a, q) => (deadlineOf(q, receivedAt) < deadlineOf(a, receivedAt) ? q : a));
  const flow = confirmation(app, {
    proceedLabel: 'Unsubscribe from Renewal',
    reasonRequired: false,
    missing: () => (rules.box.checked ? undefined : 'Please tick the confirmation first.'),
    summary: () =>
      dialogSummary(instance, chosen(), [
        ['Current Expiration Time', instance.expiresAt ? timeOf(instance.expiresAt) : '—'],
        ['Updated Expiration Time', timeOf(updatedTime(chosen()))],
        ['Data', 'Nothing is deleted: the instance keeps running until the updated expiration time.'],
      ]),
    body: (reason) => ({
      quoteId: chosen().quoteId,
      updatedExpirationTime: chosen().updatedExpirationTime,
      confirmations: { rulesAndAmountConfirmed: rules.box.checked },
      ...(reason ? { reason } : {}),
    }),
    send: (body, key) =>
      app.api.post<UnsubscribeOrder>(path`/instances/${instanceId}/renewal-cancellations`, body, key),
    requote,
  });
  app.render(
    screen,
    heading(TITLE),
    instanceHeader(instance),
    h(
      'section',
      { className: 'panel', 'aria-labelledby': 'rules-h' },
      h('h2', { id: 'rules-h' }, 'Unsubscription Rules'),
      h(
        'ul',
        {},
        h(
          'li',
          {},
          'Only renewals that have not taken effect are cancelled; the current period is not affected.',
        ),
        h(
          'li',
          {},
          'Every renewal starting at or after the Updated Expiration Time is cancelled and its cash refunded in full; vouchers are not refunded.',
        ),
        h('li', {}, 'The instance keeps running, with its data, until the Updated Expiration Time.'),
        h('li', {}, 'A renewal can be cancelled only before it starts.'),
      ),
    ),
    h(
      'section',
      { className: 'panel', 'aria-labelledby': 'quote-h' },
      h('h2', { id: 'quote-h' }, 'Refund quote'),
      summary([
        [
          'Current Expiration Time',
          instance.expiresAt ? timeOf(instance.expiresAt) : '—',
          'currentExpiration',
        ],
      ]),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Updated Expiration Time'),
        radios.map((r) => r.el),
      ),
      details,
      expiry(app, soonest, deadlineOf(soonest, receivedAt), flow.expired),
      h('fieldset', {}, h('legend', {}, 'Confirmation'), rules.el),
    ),
    flow.status,
    h('p', { className: 'actions' }, flow.proceed, link(BACK[0], BACK[1])),
    flow.dialog,
  );
}
