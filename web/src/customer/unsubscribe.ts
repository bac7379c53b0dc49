/** `#/unsubscribe/<id>`: the refund quote, the rules and confirmations, then the dialog. */
import { path, type Quote, type UnsubscribeOrder } from '../api.ts';
import type { App } from '../app.ts';
import { Attempt } from '../attempt.ts';
import { h, mount } from '../dom.ts';
import { formatMoney } from '../money.ts';
import { refusalOf } from '../refusals.ts';
import { both, button, checkbox, heading, link, refusalBox } from '../ui.ts';
import { REFUND_TYPES } from '../words.ts';
import {
  BACKUP_TEXT,
  deadlineOf,
  expiry,
  quoteExpired,
  quoteLines,
  RULES_TEXT,
  reasonDialog,
} from './quote.ts';

export async function showUnsubscribe(app: App, instanceId: string): Promise<void> {
  const main = app.show(
    heading(`Unsubscribe ${instanceId}`),
    h('p', { 'aria-live': 'polite' }, 'Getting a refund quote…'),
  );
  let quote: Quote;
  let receivedAt: number;
  try {
    quote = await app.api.post<Quote>(path`/instances/${instanceId}/refund-quotes`, { kind: 'UNSUBSCRIBE' });
    receivedAt = Date.now();
  } catch (error) {
    app.show(
      heading(`Unsubscribe ${instanceId}`),
      refusalBox(app, error, [
        button('Get a new quote', () => void showUnsubscribe(app, instanceId)),
        link('Back to instances', '#/resources'),
      ]),
    );
    return;
  }
  const attempt = new Attempt();
  const rules = checkbox(RULES_TEXT, 'rulesAndAmountConfirmed');
  const backup = checkbox(BACKUP_TEXT, 'dataBackupConfirmed');
  const status = h('div', { 'aria-live': 'polite' });
  const requote = () => void showUnsubscribe(app, instanceId);
  const { dialog, open } = reasonDialog(app, {
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
          app.api.post<UnsubscribeOrder>(path`/instances/${instanceId}/unsubscriptions`, body, key),
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
              mount(status, refusalBox(app, error, [button('Get a new quote', requote)]));
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
        h('dd', { dataset: { field: 'refundAmount' } }, formatMoney(quote.refundAmount, quote.currency)),
        h('dt', {}, 'Voucher amount not refunded'),
        h('dd', {}, formatMoney(quote.nonRefundableVoucherAmount, quote.currency)),
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
      expiry(app, quote, deadlineOf(quote, receivedAt), () =>
        quoteExpired(app, dialog, proceed, status, requote),
      ),
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
