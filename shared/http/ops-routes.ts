/**
 * The operators' back office routes (`/ops/...`), served by the `ops` function. An operator is
 * a token with the scope `refunds/operator` and an approver one that also has
 * `refunds/approver`; `sub` is the person. In the cloud each route carries its scope on the
 * JWT authorizer (API Gateway answers 403 without it); the function checks it again.
 */
import type { Route } from './routes.ts';

export const OPERATOR_SCOPE = 'refunds/operator';
export const APPROVER_SCOPE = 'refunds/approver';

const op = (method: Route['method'], path: string): Route => ({ method, path, fn: 'ops', auth: 'operator' });
const approver = (path: string): Route => ({ method: 'POST', path, fn: 'ops', auth: 'approver' });

export const OPS_ROUTES: readonly Route[] = [
  op('GET', '/ops/me'),
  op('GET', '/ops/queues'),
  op('GET', '/ops/queues/needs-attention'),
  op('GET', '/ops/queues/submitted-lines'),
  op('GET', '/ops/queues/due-orders'),
  op('GET', '/ops/queues/approvals'),
  op('GET', '/ops/orders/{unsubscribeOrderId}'),
  op('GET', '/ops/accounts/{accountId}/instances'),
  op('GET', '/ops/accounts/{accountId}/orders'),
  op('GET', '/ops/accounts/{accountId}/balance'),
  op('GET', '/ops/audit-records'),
  op('GET', '/ops/approvals/{approvalId}'),
  op('POST', '/ops/orders/{unsubscribeOrderId}/settlement-retries'),
  op('POST', '/ops/orders/{unsubscribeOrderId}/lines/{orderId}/resolutions'),
  op('POST', '/ops/accounts/{accountId}/balance-adjustments'),
  op('POST', '/ops/approvals/{approvalId}/cancel'),
  approver('/ops/approvals/{approvalId}/approve'),
  approver('/ops/approvals/{approvalId}/reject'),
];
