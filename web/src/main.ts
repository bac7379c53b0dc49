/**
 * The console's entry: reads `config.json`, signs in, and routes hashes to screens.
 *
 * Customer screens live in `customer/` (one module a screen); the shared pieces beside this
 * file (`api`, `auth`, `app` — the header and router —, `ui`, `words`, `money`, `time`). A
 * console for other people (an operator console) gets its own folder and its own `Routes`,
 * built from the same pieces.
 */
import type { ConsoleConfig } from '../hosting.ts';
import { createApi } from './api.ts';
import { createApp, type LocalClock, type Routes } from './app.ts';
import { loadAuth } from './auth.ts';
import { showBalance } from './customer/balance.ts';
import { showList } from './customer/instances.ts';
import { showOrder, showOrders } from './customer/orders.ts';
import { showRenewal } from './customer/renewal.ts';
import { showUnsubscribe } from './customer/unsubscribe.ts';
import { append, h } from './dom.ts';

const CUSTOMER: Routes = {
  home: 'resources',
  screens: {
    resources: (app) => showList(app, 'resources'),
    renewals: (app) => showList(app, 'renewals'),
    'unsubscribe/:id': (app, { id = '' }) => showUnsubscribe(app, id),
    'renewal/:id': (app, { id = '' }) => showRenewal(app, id),
    orders: (app) => showOrders(app),
    'orders/:id': (app, { id = '' }) => showOrder(app, id),
    balance: (app) => showBalance(app),
  },
  nav: [
    ['Unsubscription Management', '#/resources', ['resources', 'renewals', 'unsubscribe', 'renewal']],
    ['Unsubscribe Orders', '#/orders', ['orders']],
    ['Account Balance', '#/balance', ['balance']],
  ],
};

const root = document.getElementById('app') as HTMLElement;

async function start(): Promise<void> {
  const config = (await (await fetch('config.json')).json()) as ConsoleConfig;
  const auth = await loadAuth(config);
  const api = createApi(config.apiUrl, () => auth.token());
  // The local runtime's movable clock, shown in the header when moved; never asked in the cloud.
  const localClock = config.auth.kind === 'local' ? () => api.get<LocalClock>('/local/clock') : undefined;
  const { route } = createApp(root, api, auth, CUSTOMER, { localClock });
  window.addEventListener('hashchange', route);
  route();
  document.body.dataset.ready = 'true';
}

start().catch((error: unknown) => {
  append(root, [
    h(
      'div',
      { className: 'refusal', role: 'alert' },
      h('p', {}, `The console could not start: ${String(error)}`),
    ),
  ]);
});
