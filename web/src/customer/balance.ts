/** `#/balance` (Account Balance): what is on the balance, and each credit with its reason. */
import type { Balance } from '../api.ts';
import type { App } from '../app.ts';
import { h } from '../dom.ts';
import { formatMoney } from '../money.ts';
import { heading, idText, link, refusalBox, table, timeOf } from '../ui.ts';
import { balanceCause } from '../words.ts';

/** The entry's order (only called for entries that have one). */
const orderIdOf = (e: { unsubscribeOrderId: string | null }): string => e.unsubscribeOrderId ?? '';

export async function showBalance(app: App): Promise<void> {
  const main = app.show(heading('Account Balance'), h('p', {}, 'Loading…'));
  try {
    const balance = await app.api.get<Balance>('/account/balance');
    app.render(
      main,
      heading('Account Balance'),
      balance.balances.length === 0
        ? h('p', { className: 'empty' }, 'Your balance is empty.')
        : h(
            'ul',
            { className: 'balances', 'aria-label': 'Balance by currency' },
            balance.balances.map((b) =>
              h(
                'li',
                { className: 'amount', dataset: { currency: b.currency } },
                formatMoney(b.amount, b.currency),
              ),
            ),
          ),
      h(
        'p',
        { className: 'lead' },
        'Refunds that cannot go back to their original payment method are credited here.',
      ),
      balance.entries.length === 0
        ? null
        : table(
            'Credits',
            ['Date', 'Amount', 'Why', 'Unsubscribe order'],
            balance.entries.map((e) => [
              timeOf(e.createdAt),
              formatMoney(e.amount, e.currency),
              balanceCause(e.cause),
              e.unsubscribeOrderId === null
                ? 'Adjustment by our support team'
                : h(
                    'span',
                    { className: 'named' },
                    link('View order', `#/orders/${encodeURIComponent(orderIdOf(e))}`, orderIdOf(e)),
                    idText(orderIdOf(e)),
                  ),
            ]),
          ),
    );
  } catch (error) {
    app.render(
      main,
      heading('Account Balance'),
      refusalBox(app, error, { retry: () => void showBalance(app), back: null }),
    );
  }
}
