/**
 * Every HTTP route, the function that serves it and how callers are authorized. The CDK
 * stack builds API Gateway from this list and the local runtime routes requests with it,
 * so the cloud and `npm start` cannot disagree.
 */
import { APPROVER_SCOPE, OPERATOR_SCOPE, OPS_ROUTES } from './ops-routes.ts';

export type FunctionName =
  | 'quote'
  | 'unsubscribe'
  | 'cancel-renewal'
  | 'reads'
  | 'ingest'
  | 'stripe-webhook'
  | 'ops'
  | 'paperwork';

/**
 * `public`: JWT (the account is the token's `sub`); `internal`: IAM in the cloud, scope
 * `refunds/internal` locally; `none`: no authorizer, the function authenticates the request
 * itself (the Stripe webhook checks Stripe's signature); `operator` / `approver`: JWT with the
 * scope `refunds/operator` (and `refunds/approver`), `sub` is the person (`ops-routes.ts`).
 */
export type RouteAuth = 'public' | 'internal' | 'none' | 'operator' | 'approver';

export interface Route {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  fn: FunctionName;
  auth: RouteAuth;
}

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/instances', fn: 'reads', auth: 'public' },
  { method: 'GET', path: '/instances/{instanceId}', fn: 'reads', auth: 'public' },
  { method: 'POST', path: '/instances/{instanceId}/refund-quotes', fn: 'quote', auth: 'public' },
  { method: 'POST', path: '/instances/{instanceId}/unsubscriptions', fn: 'unsubscribe', auth: 'public' },
  {
    method: 'POST',
    path: '/instances/{instanceId}/renewal-cancellations',
    fn: 'cancel-renewal',
    auth: 'public',
  },
  { method: 'GET', path: '/unsubscribe-orders', fn: 'reads', auth: 'public' },
  { method: 'GET', path: '/unsubscribe-orders/{unsubscribeOrderId}', fn: 'reads', auth: 'public' },
  { method: 'GET', path: '/account/balance', fn: 'reads', auth: 'public' },
  {
    method: 'GET',
    path: '/unsubscribe-orders/{unsubscribeOrderId}/credit-note',
    fn: 'paperwork',
    auth: 'public',
  },
  { method: 'POST', path: '/internal/orders', fn: 'ingest', auth: 'internal' },
  { method: 'PUT', path: '/internal/accounts/{accountId}/contact', fn: 'paperwork', auth: 'internal' },
  { method: 'PUT', path: '/internal/instances/{instanceId}/flags', fn: 'ingest', auth: 'internal' },
  { method: 'GET', path: '/internal/journal/exports/{day}', fn: 'paperwork', auth: 'internal' },
  { method: 'GET', path: '/internal/unsubscribe-orders/export', fn: 'reads', auth: 'internal' },
  { method: 'POST', path: '/webhooks/stripe', fn: 'stripe-webhook', auth: 'none' },
  ...OPS_ROUTES,
];

/** The scope a local token needs for internal routes (SPEC 4.1). */
export const INTERNAL_SCOPE = 'refunds/internal';

/** The scopes a token must carry for a route (every one of them); none for public routes. */
export function requiredScopes(auth: RouteAuth): readonly string[] {
  switch (auth) {
    case 'internal':
      return [INTERNAL_SCOPE];
    case 'operator':
      return [OPERATOR_SCOPE];
    case 'approver':
      return [OPERATOR_SCOPE, APPROVER_SCOPE];
    default:
      return [];
  }
}

/** API Gateway's route key, e.g. `GET /instances/{instanceId}`. */
export const routeKey = (route: Pick<Route, 'method' | 'path'>): string => `${route.method} ${route.path}`;
