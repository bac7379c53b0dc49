/**
 * `#/accounts/<id>`: any account's instances, unsubscribe orders (paged), balance and ledger,
 * and the balance adjustment (a goodwill credit, or a correcting debit that never takes the
 * balance below zero).
 */
import { type Page, path } from '../api.ts';
import type { App } from '../app.ts';
import { field, h, uid } from '../dom.ts';
import { decimalToMinor, formatMoney, fractionDigits } from '../money.ts';
import { badge, button, heading, link, named, pager, refusalBox, table, timeOf } from '../ui.ts';
import { instanceStatus, orderStatus, orderType } from '../words.ts';
import { openAction } from './action.ts';
import { orderHash, outcomeBox, pagesOf, QUEUES, remember } from './common.ts';
import type { AccountBalance, ActionResult, Instance, UnsubscribeOrder } from './types.ts';
import { ledgerCause } from './words.ts';

function adjustAction(app: App, accountId: string, balance: AccountBalance, currencies: string[]): void {
  const name = uid('direction');
  const radio = (value: string, label: string, checked: boolean) => {
    const input = h('input', { type: 'radio', name, value, id: uid('r'), checked });
    return { input, el: h('div', { className: 'check' }, input, h('label', { htmlFor: input.id }, label)) };
  };
  const credit = radio('CREDIT', 'Goodwill credit: add to the balance', true);
  const debit = radio('DEBIT', 'Correcting debit: take from the balance', false);
  const currency = h(
    'select',
    { name: 'currency' },
    currencies.map((c) => h('option', { value: c }, c)),
  );
  const amount = h('input', { name: 'amount', inputMode: 'decimal', autocomplete: 'off' });
  const direction = () => (debit.input.checked ? 'DEBIT' : 'CREDIT');
  const minor = () => decimalToMinor(amount.value, fractionDigits(currency.value));
  const now = () => balance.balances.find((b) => b.currency === currency.value)?.amount ?? 0;
  openAction(app, {
    title: `Adjust the balance of ${accountId}`,
    confirmLabel: 'Adjust balance',
    reason: 'GOODWILL',
    fields: [
      h('fieldset', {}, h('legend', {}, 'Adjustment'), credit.el, debit.el),
      field('Currency', currency),
      field('Amount', amount, 'In the currency, e.g. 150.00'),
    ],
    effect: () => {
      const value = minor();
      const before = formatMoney(now(), currency.value);
      if (value === undefined) return `The ${currency.value} balance is ${before}. Enter the amount.`;
      const after = now() + (direction() === 'CREDIT' ? value : -value);
      const money = h('strong', {}, formatMoney(value, currency.value));
      return [
        direction() === 'CREDIT' ? 'Credits ' : 'Debits ',
        money,
        direction() === 'CREDIT' ? ' to ' : ' from ',
        `the ${currency.value} balance of ${accountId}: from ${before} to ${formatMoney(after, currency.value)}. `,
        after < 0 ? 'That is more than the balance, so the service will refuse it. ' : '',
        'If the amount is above the four-eyes limit of its currency, this files a request instead, and it happens only when another approver approves it.',
      ];
    },
    check: () =>
      minor() === undefined
        ? [`Enter a positive amount with at most ${fractionDigits(currency.value)} decimals.`, amount]
        : undefined,
    body: () => ({ direction: direction(), currency: currency.value, amount: minor() }),
    send: (body, key) =>
      app.api.post<ActionResult>(path`/ops/accounts/${accountId}/balance-adjustments`, body, key),
    done: (result) => {
      remember(result);
      void showAccount(app, accountId);
    },
    reload: () => void showAccount(app, accountId),
  });
}

export async function showAccount(app: App, accountId: string): Promise<void> {
  const title = `Account ${accountId}`;
  const screen = app.show(heading(title), h('p', {}, 'Loading…'));
  const again = () => void showAccount(app, accountId);
  const tokens = pagesOf(`account/${accountId}`);
  try {
    const [instances, orders, balance] = await Promise.all([
      app.api.get<Page<Instance>>(path`/ops/accounts/${accountId}/instances`, { limit: '50' }),
      app.api.get<Page<UnsubscribeOrder>>(path`/ops/accounts/${accountId}/orders`, {
        limit: '20',
        nextToken: tokens[tokens.length - 1],
      }),
      app.api.get<AccountBalance>(path`/ops/accounts/${accountId}/balance`),
    ]);
    const currencies = [
      ...new Set([...balance.balances.map((b) => b.currency), ...instances.items.map((i) => i.currency)]),
    ];
    app.render(
      screen,
      heading(title),
      outcomeBox(),
      h(
        'section',
        { className: 'panel', 'aria-labelledby': 'balance-h' },
        h('h2', { id: 'balance-h' }, 'Balance'),
        balance.balances.length === 0
          ? h('p', { className: 'empty' }, 'No balance yet.')
          : h(
              'ul',
              { className: 'balances', dataset: { field: 'balances' } },
              balance.balances.map((b) =>
                h(
                  'li',
                  { dataset: { currency: b.currency } },
                  h('strong', {}, formatMoney(b.amount, b.currency)),
                ),
              ),
            ),
        currencies.length > 0
          ? h(
              'p',
              { className: 'actions' },
              button(
                'Adjust the balance',
                () => adjustAction(app, accountId, balance, currencies),
                'primary',
              ),
              link('Audit trail of this account', `#/audit/account/${encodeURIComponent(accountId)}`),
            )
          : h('p', { className: 'note' }, 'An account without instances has no balance to adjust.'),
      ),
      instances.items.length === 0
        ? h('p', { className: 'empty' }, 'This account has no instances.')
        : table(
            'Instances',
            ['Instance', 'Status', 'Currency', 'Expires'],
            instances.items.map((i) => [
              named(`${i.product} (${i.edition})`, i.instanceId),
              badge(i.status, instanceStatus(i.status)),
              i.currency,
              i.expiresAt ? timeOf(i.expiresAt) : '—',
            ]),
          ),
      orders.items.length === 0
        ? h('p', { className: 'empty' }, 'No unsubscribe orders.')
        : table(
            'Unsubscribe orders, newest first',
            ['Order', 'Status', 'Refund', 'Created'],
            orders.items.map((o) => [
              named(
                link(o.unsubscribeOrderId, orderHash(o.unsubscribeOrderId)),
                o.instanceId,
                orderType(o.type),
              ),
              badge(o.status, orderStatus(o.status)),
              formatMoney(o.refundAmount, o.currency),
              timeOf(o.createdAt),
            ]),
          ),
      pager(tokens, orders.nextToken, again),
      balance.entries.length === 0
        ? null
        : table(
            'Ledger entries',
            ['When', 'Amount', 'Why', 'Order'],
            balance.entries.map((e) => [
              timeOf(e.createdAt),
              formatMoney(e.amount, e.currency),
              ledgerCause(e.cause),
              e.unsubscribeOrderId
                ? named(link(e.unsubscribeOrderId, orderHash(e.unsubscribeOrderId)), e.orderId ?? '')
                : 'Adjustment (no order)',
            ]),
          ),
      h('p', { className: 'actions' }, link(QUEUES[0], QUEUES[1])),
    );
  } catch (error) {
    app.render(
      screen,
      heading(title),
      refusalBox(app, error, { retry: again, back: QUEUES, notFound: `No account ${accountId} was found.` }),
    );
  }
}
