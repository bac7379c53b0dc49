/**
 * The operator console's entry (`/ops/`): its own bundle (`ops/ops.js`), built from the same
 * pieces as the customer console (`../api`, `../auth`, `../app`, `../ui`, `../words`…), with
 * its own screens and routes. Operators sign in with their own session (a token with the
 * scope `refunds/operator`; approvers also `refunds/approver`).
 */
import type { Routes } from '../app.ts';
import { bootConsole } from '../boot.ts';
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

bootConsole(OPS, 'operator', 'The back office');
