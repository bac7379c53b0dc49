/**
 * The console's entry: reads `config.json`, signs in, and routes hashes to screens.
 *
 * Customer screens live in `customer/` (one module a screen); the shared pieces beside this
 * file (`api`, `auth`, `app` — the header and router —, `ui`, `words`, `money`, `time`). A
 * console for other people (an operator console) gets its own folder and its own `Routes`,
 * built from the same pieces.
 */
import type { Routes } from './app.ts';
import { bootConsole } from './boot.ts';
import { showBalance } from './customer/balance.ts';
import { showList } from './customer/instances.ts';
import { showOrder, showOrders } from './customer/orders.ts';
import { showRenewal } from './customer/renewal.ts';
import { showUnsubscribe } from './customer/unsubscribe.ts';

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

bootConsole(CUSTOMER, 'customer', 'The console');
