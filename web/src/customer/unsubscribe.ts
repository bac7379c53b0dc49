/**
 * `#/unsubscribe/<id>` (Unsubscribe Resource): the refund quote — amount, refund type, where
 * and when the money arrives, how long the data is kept —, the Unsubscription Rules and the
 * two confirmations, then "Confirm Unsubscription Information".
 */
import { type Instance, path, type Quote, type UnsubscribeOrder } from '../api.ts';
import type { App } from '../app.ts';
import { h } from '../dom.ts';
import { disclosure } from '../explain.ts';
import { formatMoney } from '../money.ts';
import { checkbox, heading, link, refusalBox, summary, timeOf } from '../ui.ts';
import { refundType, refundTypeHint } from '../words.ts';
import {
  arrival,
  BACKUP_TEXT,
  confirmation,
  deadlineOf,
  dialogSummary,
  expiry,
  getInstance,
  instanceHeader,
  quoteLines,
  RULES_TEXT,
} from './quote.ts';

const TITLE = 'Unsubscribe Resource';
const BACK: [string, string] = ['Back to Unsubscription Management', '#/resources'];

export async function showUnsubscribe(app: App, instanceId: string): Promise<void> {
  const screen = app.show(heading(TITLE), h('p', { 'aria-live': 'polite' }, 'Getting a refund quote…'));
  const requote = () => void showUnsubscribe(app, instanceId);
  let instance: Instance;
  let quote: Quote;
  let receivedAt: number;
  try {
    [quote, instance] = await Promise.all([
      app.api.post<Quote>(path`/instances/${instanceId}/refund-quotes`, { kind: 'UNSUBSCRIBE' }),
      getInstance(app, instanceId),
    ]);
    receivedAt = Date.now();
  } catch (error) {
    app.render(screen, heading(TITLE), refusalBox(app, error, { retry: requote, requote, back: BACK }));
    return;
  }
  const rules = checkbox(RULES_TEXT, 'rulesAndAmountConfirmed');
  const backup = checkbox(BACKUP_TEXT, 'dataBackupConfirmed');
  const retention = quote.retention;
  const flow = confirmation(app, {
    proceedLabel: 'Unsubscribe',
    reasonRequired: true,
    missing: () =>
      rules.box.checked && backup.box.checked ? undefined : 'Please tick both confirmations first.',
    summary: () =>
      dialogSummary(instance, quote, [
        ['Instance after unsubscribing', 'Stopped now; it cannot be used any more.'],
        ...(retention
          ? ([
              ['Configuration data kept until', timeOf(retention.configDataPurgeAt)],
              ['Log analysis data kept until', timeOf(retention.logDataPurgeAt)],
            ] as [string, HTMLElement][])
          : []),
      ]),
    body: (reason) => ({
      quoteId: quote.quoteId,
      refundType: quote.refundType,
      confirmations: { rulesAndAmountConfirmed: rules.box.checked, dataBackupConfirmed: backup.box.checked },
      reason,
    }),
    send: (body, key) =>
      app.api.post<UnsubscribeOrder>(path`/instances/${instanceId}/unsubscriptions`, body, key),
    requote,
  });
  app.render(
    screen,
    heading(TITLE),
    instanceHeader(instance),
    h(
      'section',
      { className: 'panel', 'aria-labelledby': 'quote-h' },
      h('h2', { id: 'quote-h' }, 'Refund quote'),
      h(
        'p',
        { className: 'amount', dataset: { field: 'refundAmount' } },
        formatMoney(quote.refundAmount, quote.currency),
      ),
      summary([
        [
          'Refund type',
          h(
            'span',
            {},
            refundType(quote.refundType),
            h('small', { className: 'note' }, refundTypeHint(quote.refundType)),
          ),
          'refundType',
        ],
        ['Vouchers (not refunded)', formatMoney(quote.nonRefundableVoucherAmount, quote.currency)],
        ...arrival(quote),
        retention ? ['Configuration data kept until', timeOf(retention.configDataPurgeAt)] : null,
        retention ? ['Log analysis data kept until', timeOf(retention.logDataPurgeAt)] : null,
      ]),
      quoteLines(quote, instance),
      quote.derivation ? disclosure(quote.derivation) : null,
      expiry(app, quote, deadlineOf(quote, receivedAt), flow.expired),
    ),
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
          'Within 5 days of purchase, the first unsubscription of this product in a calendar year (UTC+8) refunds all the cash paid.',
        ),
        h(
          'li',
          {},
          'Otherwise the unused part of the cash paid is refunded, counting every started day as used; renewals that have not started are refunded in full.',
        ),
        h('li', {}, 'Vouchers are never refunded.'),
        h(
          'li',
          {},
          'The instance stops at once. Its configuration data is kept for 7 days and its log analysis data until the end of the day (UTC+8), then both are deleted; renewing before then restores what is left.',
        ),
      ),
      h('fieldset', {}, h('legend', {}, 'Confirmations'), rules.el, backup.el),
    ),
    flow.status,
    h('p', { className: 'actions' }, flow.proceed, link(BACK[0], BACK[1])),
    flow.dialog,
  );
}
