/** `#/renewal/<id>`: cancel paid renewals that have not started, from a chosen expiration time. */
import { path, type Quote, type UnsubscribeOrder } from '../api.ts';
import type { App } from '../app.ts';
import { Attempt } from '../attempt.ts';
import { h, mount, uid } from '../dom.ts';
import { formatMoney } from '../money.ts';
import { refusalOf } from '../refusals.ts';
import { billingTime, localTime } from '../time.ts';
import { button, checkbox, heading, link, refusalBox } from '../ui.ts';
import { deadlineOf, expiry, quoteExpired, quoteLines, RULES_TEXT, reasonDialog } from './quote.ts';

export async function showRenewal(app: App, instanceId: string): Promise<void> {
  const main = app.show(
    heading(`Cancel the renewal of ${instanceId}`),
    h('p', { 'aria-live': 'polite' }, 'Getting a refund quote…'),
  );
  const title = () => heading(`Cancel the renewal of ${instanceId}`);
  const requote = () => void showRenewal(app, instanceId);
  let quotes: Quote[];
  let receivedAt: number;
  try {
    const first = await app.api.post<Quote>(path`/instances/${instanceId}/refund-quotes`, {
      kind: 'CANCEL_RENEWAL',
    });
    const others = (first.allowedExpirationTimes ?? []).filter((t) => t !== first.updatedExpirationTime);
    quotes = [
      first,
      ...(await Promise.all(
        others.map((t) =>
          app.api.post<Quote>(path`/instances/${instanceId}/refund-quotes`, {
            kind: 'CANCEL_RENEWAL',
            updatedExpirationTime: t,
          }),
        ),
      )),
    ].sort((a, b) => Date.parse(a.updatedExpirationTime ?? '') - Date.parse(b.updatedExpirationTime ?? ''));
    receivedAt = Date.now();
  } catch (error) {
    app.show(
      title(),
      refusalBox(app, error, [button('Get a new quote', requote), link('Back to renewals', '#/renewals')]),
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
          h('strong', {}, formatMoney(q.refundAmount, q.currency)),
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
  const { dialog, open } = reasonDialog(app, {
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
          app.api.post<UnsubscribeOrder>(path`/instances/${instanceId}/renewal-cancellations`, body, key),
        )
        .then(
          (order) => {
            done();
            location.hash = `#/orders/${encodeURIComponent(order.unsubscribeOrderId)}`;
          },
          (error: unknown) => {
            if (refusalOf(error).requote) {
              dialog.close();
              mount(status, refusalBox(app, error, [button('Get a new quote', requote)]));
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
      expiry(app, soonest, deadlineOf(soonest, receivedAt), () =>
        quoteExpired(app, dialog, proceed, status, requote),
      ),
      h('fieldset', {}, h('legend', {}, 'Confirmation'), rules.el),
    ),
    status,
    h('p', { className: 'actions' }, proceed, link('Back to renewals', '#/renewals')),
    dialog,
  );
}
