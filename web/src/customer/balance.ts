/** `#/balance`: the account balance and its entries. */
import type { Balance } from '../api.ts';
import type { App } from '../app.ts';
import { h, mount } from '../dom.ts';
import { formatMoney } from '../money.ts';
import { localTime } from '../time.ts';
import { heading, link, refusalBox, table } from '../ui.ts';

export async function showBalance(app: App): Promise<void> {
  const main = app.show(heading('Account balance'), h('p', {}, 'Loading…'));
  try {
    const balance = await app.api.get<Balance>('/account/balance');
    mount(
      main,
      heading('Account balance'),
      balance.balances.length === 0
        ? h('p', {}, 'Your balance is empty.')
        : h(
            'ul',
            {},
            balance.balances.map((b) =>
              h('li', { dataset: { currency: b.currency } }, formatMoney(b.amount, b.currency)),
            ),
          ),
      balance.entries.length === 0
        ? null
        : table(
            'Balance entries',
            ['Date', 'Amount', 'Why', 'Unsubscribe order'],
            balance.entries.map((e) => [
              localTime(e.createdAt),
              formatMoney(e.amount, e.currency),
              e.cause === 'PROVIDER_REFUSED' ? 'The payment method refused the refund' : 'Refund to balance',
              link(e.unsubscribeOrderId, `#/orders/${encodeURIComponent(e.unsubscribeOrderId)}`),
            ]),
          ),
    );
  } catch (error) {
    mount(main, heading('Account balance'), refusalBox(app, error));
  }
}
