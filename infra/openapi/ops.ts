/**
 * The OpenAPI operations of the back office (`/ops/...`), merged into the document by
 * `document.ts`: request schemas from `#schema/ops.ts`, answers by component name.
 */
import type * as z from 'zod/mini';
import {
  accountInstancesQuerySchema,
  accountOrdersQuerySchema,
  actionResultSchema,
  adjustBalanceRequestSchema,
  approvalPageSchema,
  approvalSchema,
  approveRequestSchema,
  auditPageSchema,
  auditQuerySchema,
  decisionRequestSchema,
  dueOrdersQuerySchema,
  operatorResponseSchema,
  opsBalanceSchema,
  opsOrderViewSchema,
  orderSummaryPageSchema,
  pageQuerySchema,
  queuesQuerySchema,
  queuesResponseSchema,
  resolveLineRequestSchema,
  retrySettlementRequestSchema,
  submittedLinePageSchema,
  submittedLinesQuerySchema,
} from '#schema/ops.ts';
import { instancePageResponseSchema, unsubscribeOrderPageResponseSchema } from '#schema/responses.ts';
import type { ErrorCode } from '#shared/errors.ts';

interface Operation {
  summary: string;
  query?: z.ZodMiniType;
  body?: z.ZodMiniType;
  idempotent?: boolean;
  success: Record<number, string>;
  errors: ErrorCode[];
}

export const OPS_BODIES: Record<string, z.ZodMiniType> = {
  Operator: operatorResponseSchema,
  Queues: queuesResponseSchema,
  OrderSummaryPage: orderSummaryPageSchema,
  SubmittedLinePage: submittedLinePageSchema,
  ApprovalPage: approvalPageSchema,
  Approval: approvalSchema,
  OpsOrderView: opsOrderViewSchema,
  OpsBalance: opsBalanceSchema,
  AuditPage: auditPageSchema,
  ActionResult: actionResultSchema,
  InstancePage: instancePageResponseSchema,
  UnsubscribeOrderPage: unsubscribeOrderPageResponseSchema,
};

/** Every action: replays, a key still running or reused, the state moved on. */
const ACTION: ErrorCode[] = ['IDEMPOTENCY_IN_PROGRESS', 'IDEMPOTENCY_KEY_REUSED', 'NOT_FOUND'];
const DECISION: ErrorCode[] = [...ACTION, 'APPROVAL_NOT_PENDING', 'APPROVAL_EXPIRED'];

export const OPS_OPERATIONS: Record<string, Operation> = {
  'GET /ops/me': { summary: 'The signed-in operator', success: { 200: 'Operator' }, errors: [] },
  'GET /ops/queues': {
    summary: 'How many items each work queue holds',
    query: queuesQuerySchema,
    success: { 200: 'Queues' },
    errors: [],
  },
  'GET /ops/queues/needs-attention': {
    summary: 'Orders in NEEDS_ATTENTION, longest waiting first',
    query: pageQuerySchema,
    success: { 200: 'OrderSummaryPage' },
    errors: [],
  },
  'GET /ops/queues/submitted-lines': {
    summary: 'Lines SUBMITTED to the provider for at least forMinutes, oldest first',
    query: submittedLinesQuerySchema,
    success: { 200: 'SubmittedLinePage' },
    errors: [],
  },
  'GET /ops/queues/due-orders': {
    summary: 'Unsettled orders due within withinMinutes (breached ones first)',
    query: dueOrdersQuerySchema,
    success: { 200: 'OrderSummaryPage' },
    errors: [],
  },
  'GET /ops/queues/approvals': {
    summary: 'Approval requests waiting for an approver, oldest first',
    query: pageQuerySchema,
    success: { 200: 'ApprovalPage' },
    errors: [],
  },
  'GET /ops/orders/{unsubscribeOrderId}': {
    summary: 'Any unsubscribe order by id, with provider ids, history, ledger entries, audit and events',
    success: { 200: 'OpsOrderView' },
    errors: ['NOT_FOUND'],
  },
  'GET /ops/accounts/{accountId}/instances': {
    summary: "An account's instances",
    query: accountInstancesQuerySchema,
    success: { 200: 'InstancePage' },
    errors: [],
  },
  'GET /ops/accounts/{accountId}/orders': {
    summary: "An account's unsubscribe orders by instance, status and creation time",
    query: accountOrdersQuerySchema,
    success: { 200: 'UnsubscribeOrderPage' },
    errors: [],
  },
  'GET /ops/accounts/{accountId}/balance': {
    summary: "An account's balance and ledger",
    success: { 200: 'OpsBalance' },
    errors: [],
  },
  'GET /ops/audit-records': {
    summary: 'The audit trail of an order, an account, a person, or a time range (newest first)',
    query: auditQuerySchema,
    success: { 200: 'AuditPage' },
    errors: [],
  },
  'GET /ops/approvals/{approvalId}': {
    summary: 'One approval request',
    success: { 200: 'Approval' },
    errors: ['NOT_FOUND'],
  },
  'POST /ops/orders/{unsubscribeOrderId}/settlement-retries': {
    summary: 'Retry settlement now (NEEDS_ATTENTION → PENDING, enqueued again)',
    body: retrySettlementRequestSchema,
    idempotent: true,
    success: { 200: 'ActionResult' },
    errors: [...ACTION, 'STATE_CHANGED'],
  },
  'POST /ops/orders/{unsubscribeOrderId}/lines/{orderId}/resolutions': {
    summary: 'Resolve a stuck line by hand (settled outside with a reference, or credited to the balance)',
    body: resolveLineRequestSchema,
    idempotent: true,
    success: { 200: 'ActionResult', 202: 'ActionResult' },
    errors: [...ACTION, 'STATE_CHANGED'],
  },
  'POST /ops/accounts/{accountId}/balance-adjustments': {
    summary: 'A goodwill credit, or a correcting debit that never takes the balance below zero',
    body: adjustBalanceRequestSchema,
    idempotent: true,
    success: { 200: 'ActionResult', 202: 'ActionResult' },
    errors: [...ACTION, 'STATE_CHANGED', 'INSUFFICIENT_BALANCE'],
  },
  'POST /ops/approvals/{approvalId}/approve': {
    summary: "Approve another person's request: its action runs now, exactly once",
    body: approveRequestSchema,
    idempotent: true,
    success: { 200: 'ActionResult' },
    errors: [...DECISION, 'SELF_APPROVAL', 'STATE_CHANGED', 'INSUFFICIENT_BALANCE'],
  },
  'POST /ops/approvals/{approvalId}/reject': {
    summary: "Reject another person's request",
    body: decisionRequestSchema,
    idempotent: true,
    success: { 200: 'ActionResult' },
    errors: [...DECISION, 'SELF_APPROVAL'],
  },
  'POST /ops/approvals/{approvalId}/cancel': {
    summary: 'Cancel a pending request (its requester, or an approver)',
    body: decisionRequestSchema,
    idempotent: true,
    success: { 200: 'ActionResult' },
    errors: DECISION,
  },
};
