/**
 * The operator console's entry (`/ops/`): its own bundle (`ops/ops.js`), built from the same
 * pieces as the customer console (`../api`, `../auth`, `../app`, `../ui`, `../words`…), with
 * its own screens and routes. Operators sign in with their own session (a token with the
 * scope `refunds/operator`; approvers also `refunds/approver`).
 */
import type { ConsoleConfig } from '../../hosting.ts';
import { createApi } from '../api.ts';
import { createApp, type LocalClock, type Routes } from '../app.ts';
import { loadAuth } from '../auth.ts';
import { append, h } from '../dom.ts';
import { showAccount } from './account.ts';
import { showApprovals } from './approvals.ts';
import { showAudit, showAuditSearch } from './audit.ts';
import { showOrder } from './order.ts';
import { showFind, showQueue, showQueues } from './queues.ts';

const OPS: Routes = {
  brand: 'Refund back office',
  home: 'queues',
  screens: {
    queues: (app) => showQueues(app),
    'queues/:name': (app, { name = '' }) => showQueue(app, name),
    find: (app) => showFind(app),
    'orders/:id': (app, { id = '' }) => showOrder(app, id),
    'accounts/:id': (app, { id = '' }) => showAccount(app, id),
    approvals: (app) => showApprovals(app),
    audit: (app) => showAuditSearch(app),
    'audit/:kind/:id': (app, { kind = '', id = '' }) => showAudit(app, kind, id),
  },
  nav: [
    ['Work queues', '#/queues', ['queues', 'orders']],
    ['Find', '#/find', ['find', 'accounts']],
    ['Approvals', '#/approvals', ['approvals']],
    ['Audit trail', '#/audit', ['audit']],
  ],
};

const root = document.getElementById('app') as HTMLElement;

async function start(): Promise<void> {
  const config = (await (await fetch('config.json')).json()) as ConsoleConfig;
  const auth = await loadAuth(config, 'operator');
  const api = createApi(config.apiUrl, () => auth.token());
  const localClock = config.auth.kind === 'local' ? () => api.get<LocalClock>('/local/clock') : undefined;
  const { route } = createApp(root, api, auth, OPS, { localClock });
  window.addEventListener('hashchange', route);
  route();
  document.body.dataset.ready = 'true';
}

start().catch((error: unknown) => {
  append(root, [
    h(
      'div',
      { className: 'refusal', role: 'alert' },
      h('p', {}, `The back office could not start: ${String(error)}`),
    ),
  ]);
});
