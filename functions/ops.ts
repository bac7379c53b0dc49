/**
 * The operators' back office (`/ops/...`): work queues, any order or account, the audit trail,
 * and the actions on stuck money with four-eyes approval. Parse → one use case → answer; the
 * identity (an operator's token, `sub` = the person) comes from the shared middy stack.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoIdempotencyStore } from '#adapters/dynamo/idempotency.ts';
import { DynamoInstanceStore } from '#adapters/dynamo/instances.ts';
import { keys } from '#adapters/dynamo/keys.ts';
import { DynamoLedger } from '#adapters/dynamo/ledger.ts';
import { DynamoOps } from '#adapters/dynamo/ops.ts';
import { pageTokenKeys } from '#adapters/page-token-secret.ts';
import { SqsRefundQueue } from '#adapters/sqs-refund-queue.ts';
import { type HttpAnswer, type HttpRequest, httpFunction } from '#http/handler.ts';
import { APPROVER_SCOPE } from '#http/ops-routes.ts';
import type { KeyringSource } from '#http/page-token-keys.ts';
import { decodeNextToken, encodeNextToken, type PageScope } from '#http/pagination.ts';
import { idempotencyKey } from '#http/request.ts';
import { parseOrThrow } from '#schema/common.ts';
import {
  accountInstancesQuerySchema,
  accountOrdersQuerySchema,
  adjustBalanceRequestSchema,
  approveRequestSchema,
  auditQuerySchema,
  decisionRequestSchema,
  dueOrdersQuerySchema,
  opsAccountPathSchema,
  opsApprovalPathSchema,
  opsLinePathSchema,
  opsOrderPathSchema,
  pageQuerySchema,
  queuesQuerySchema,
  resolveLineRequestSchema,
  retrySettlementRequestSchema,
  submittedLinesQuerySchema,
} from '#schema/ops.ts';
import { serviceClock } from '#shared/clock.ts';
import { readConfig, readPageTokenConfig, requireQueueUrl } from '#shared/config.ts';
import { RefundError } from '#shared/errors.ts';
import { newTimedId } from '#shared/ids.ts';
import { logger } from '#shared/logger.ts';
import { readOpsConfig } from '#shared/ops-config.ts';
import {
  presentAccountBalance,
  presentApproval,
  presentAudit,
  presentOrderSummary,
  presentOrderView,
} from '#shared/ops-present.ts';
import { presentInstance, presentUnsubscribeOrder } from '#shared/present.ts';
import { tableRef } from '#shared/wiring.ts';
import { adjustBalance, resolveLine, retrySettlement } from '#use-cases/ops/actions.ts';
import { approve, cancel, reject } from '#use-cases/ops/approvals.ts';
import type { ActionContext, OpsDeps } from '#use-cases/ops/common.ts';
import * as queries from '#use-cases/ops/queries.ts';

/** The person behind an operator route (the middy stack checked the scopes). */
function operatorOf(request: HttpRequest) {
  if (request.accountId === null) throw new RefundError('UNAUTHORIZED', 'A valid token is required');
  return { id: request.accountId, approver: request.scopes.includes(APPROVER_SCOPE) };
}

function actionContext(request: HttpRequest): ActionContext {
  return {
    operator: operatorOf(request),
    idempotencyKey: idempotencyKey(request),
    requestId: request.requestId,
    now: request.now,
  };
}

/** An action's stored answer: 202 while it waits for an approver, 200 otherwise. */
function actionAnswer(body: string): HttpAnswer {
  const outcome = (JSON.parse(body) as { outcome?: string }).outcome;
  return { statusCode: outcome === 'APPROVAL_REQUESTED' ? 202 : 200, rawBody: body };
}

/** What a page token is bound to: the list (route), the operator, the path and the query. */
const scopeOf = (request: HttpRequest): PageScope => ({
  list: `ops:${request.routeKey}`,
  accountId: operatorOf(request).id,
  query: { ...request.pathParameters, ...request.query },
});

export function createHandler(
  deps: OpsDeps & { pageTokens: KeyringSource },
  clock: () => number = serviceClock.now,
) {
  /** A page answer, its cursor signed for this operator and query (a token from elsewhere is a 400). */
  const paged = async <T, W>(
    request: HttpRequest,
    page: { items: T[]; cursor: string | null },
    present: (item: T) => W,
  ) => ({
    statusCode: 200,
    json: {
      items: page.items.map(present),
      nextToken: await encodeNextToken(page.cursor, scopeOf(request), deps.pageTokens, request.now),
    },
  });
  const cursorOf = (request: HttpRequest, nextToken: string | undefined, prefix = '') =>
    decodeNextToken(nextToken, scopeOf(request), deps.pageTokens, request.now, (after) =>
      after.startsWith(prefix),
    );
  return httpFunction(
    {
      'GET /ops/me': async (request) => {
        const operator = operatorOf(request);
        return { statusCode: 200, json: { operator: operator.id, approver: operator.approver } };
      },
      'GET /ops/queues': async (request) => {
        operatorOf(request);
        const windows = parseOrThrow(queuesQuerySchema, request.query);
        return { statusCode: 200, json: await queries.queueCounts(deps, request.now, windows) };
      },
      'GET /ops/queues/needs-attention': async (request) => {
        const { limit, nextToken } = parseOrThrow(pageQuerySchema, request.query);
        const cursor = await cursorOf(request, nextToken, '{');
        const page = await queries.needsAttention(deps, { limit, ...(cursor ? { cursor } : {}) });
        return paged(request, page, presentOrderSummary);
      },
      'GET /ops/queues/due-orders': async (request) => {
        const { withinMinutes, limit, nextToken } = parseOrThrow(dueOrdersQuerySchema, request.query);
        const cursor = await cursorOf(request, nextToken, '{');
        const page = await queries.dueOrders(deps, request.now, withinMinutes, {
          limit,
          ...(cursor ? { cursor } : {}),
        });
        return paged(request, page, presentOrderSummary);
      },
      'GET /ops/queues/submitted-lines': async (request) => {
        const { forMinutes, limit, nextToken } = parseOrThrow(submittedLinesQuerySchema, request.query);
        const cursor = await cursorOf(request, nextToken, '{');
        const page = await queries.submittedLines(deps, request.now, forMinutes, {
          limit,
          ...(cursor ? { cursor } : {}),
        });
        return paged(request, page, (line) => ({ ...line, since: new Date(line.since).toISOString() }));
      },
      'GET /ops/queues/approvals': async (request) => {
        const { limit, nextToken } = parseOrThrow(pageQuerySchema, request.query);
        const cursor = await cursorOf(request, nextToken, '{');
        const page = await queries.pendingApprovals(deps, { limit, ...(cursor ? { cursor } : {}) });
        return paged(request, page, presentApproval);
      },
      'GET /ops/orders/{unsubscribeOrderId}': async (request) => {
        operatorOf(request);
        const { unsubscribeOrderId } = parseOrThrow(opsOrderPathSchema, request.pathParameters);
        return { statusCode: 200, json: presentOrderView(await queries.orderView(deps, unsubscribeOrderId)) };
      },
      'GET /ops/accounts/{accountId}/instances': async (request) => {
        const { accountId } = parseOrThrow(opsAccountPathSchema, request.pathParameters);
        const { nextToken, pendingRenewal, ...query } = parseOrThrow(
          accountInstancesQuerySchema,
          request.query,
        );
        const cursor = await cursorOf(request, nextToken, keys.instancePrefix);
        const page = await queries.accountInstances(deps, accountId, {
          ...query,
          ...(pendingRenewal === undefined
            ? {}
            : { pendingRenewal: { present: pendingRenewal, now: request.now } }),
          ...(cursor ? { cursor } : {}),
        });
        return paged(request, page, presentInstance);
      },
      'GET /ops/accounts/{accountId}/orders': async (request) => {
        const { accountId } = parseOrThrow(opsAccountPathSchema, request.pathParameters);
        const { nextToken, ...query } = parseOrThrow(accountOrdersQuerySchema, request.query);
        const cursor = await cursorOf(request, nextToken, keys.unsubscribeOrderPrefix);
        const page = await queries.accountOrders(deps, accountId, {
          ...query,
          ...(cursor ? { cursor } : {}),
        });
        return paged(request, page, presentUnsubscribeOrder);
      },
      'GET /ops/accounts/{accountId}/balance': async (request) => {
        operatorOf(request);
        const { accountId } = parseOrThrow(opsAccountPathSchema, request.pathParameters);
        return {
          statusCode: 200,
          json: presentAccountBalance(accountId, await queries.accountBalance(deps, accountId)),
        };
      },
      'GET /ops/audit-records': async (request) => {
        const q = parseOrThrow(auditQuerySchema, request.query);
        const cursor = await cursorOf(request, q.nextToken);
        const by =
          q.unsubscribeOrderId !== undefined
            ? await orderTarget(deps, q.unsubscribeOrderId)
            : q.accountId !== undefined
              ? { kind: 'ACCOUNT' as const, accountId: q.accountId }
              : q.actor !== undefined
                ? { kind: 'ACTOR' as const, actor: q.actor }
                : { kind: 'TIME' as const, from: q.from ?? 0, to: q.to ?? 0 };
        if (!by) return paged(request, { items: [], cursor: null }, presentAudit);
        const page = await queries.auditTrail(deps, { by, limit: q.limit, ...(cursor ? { cursor } : {}) });
        return paged(request, page, presentAudit);
      },
      'GET /ops/approvals/{approvalId}': async (request) => {
        operatorOf(request);
        const { approvalId } = parseOrThrow(opsApprovalPathSchema, request.pathParameters);
        return { statusCode: 200, json: presentApproval(await queries.approval(deps, approvalId)) };
      },
      'POST /ops/orders/{unsubscribeOrderId}/settlement-retries': async (request) => {
        const { unsubscribeOrderId } = parseOrThrow(opsOrderPathSchema, request.pathParameters);
        const body = parseOrThrow(retrySettlementRequestSchema, request.body);
        return actionAnswer(
          await retrySettlement(deps, actionContext(request), { unsubscribeOrderId, ...body }),
        );
      },
      'POST /ops/orders/{unsubscribeOrderId}/lines/{orderId}/resolutions': async (request) => {
        const path = parseOrThrow(opsLinePathSchema, request.pathParameters);
        const body = parseOrThrow(resolveLineRequestSchema, request.body);
        return actionAnswer(await resolveLine(deps, actionContext(request), { ...path, ...body }));
      },
      'POST /ops/accounts/{accountId}/balance-adjustments': async (request) => {
        const { accountId } = parseOrThrow(opsAccountPathSchema, request.pathParameters);
        const body = parseOrThrow(adjustBalanceRequestSchema, request.body);
        return actionAnswer(await adjustBalance(deps, actionContext(request), { accountId, ...body }));
      },
      'POST /ops/approvals/{approvalId}/approve': async (request) => {
        const { approvalId } = parseOrThrow(opsApprovalPathSchema, request.pathParameters);
        const body = parseOrThrow(approveRequestSchema, request.body);
        return actionAnswer(await approve(deps, actionContext(request), { approvalId, ...body }));
      },
      'POST /ops/approvals/{approvalId}/reject': async (request) => {
        const { approvalId } = parseOrThrow(opsApprovalPathSchema, request.pathParameters);
        const body = parseOrThrow(decisionRequestSchema, request.body);
        return actionAnswer(await reject(deps, actionContext(request), { approvalId, ...body }));
      },
      'POST /ops/approvals/{approvalId}/cancel': async (request) => {
        const { approvalId } = parseOrThrow(opsApprovalPathSchema, request.pathParameters);
        const body = parseOrThrow(decisionRequestSchema, request.body);
        return actionAnswer(await cancel(deps, actionContext(request), { approvalId, ...body }));
      },
    },
    clock,
  );
}

/** An order's audit records are under its account: an unknown order has none. */
async function orderTarget(deps: OpsDeps, unsubscribeOrderId: string) {
  const order = await deps.reader.findOrder(unsubscribeOrderId);
  return order ? { kind: 'ORDER' as const, accountId: order.accountId, unsubscribeOrderId } : null;
}

/** The back office's adapters over one table and the refund queue. */
export function opsDeps(
  table: ReturnType<typeof tableRef>,
  queue: OpsDeps['queue'],
  settings = readOpsConfig(),
): OpsDeps {
  const ops = new DynamoOps(table);
  return {
    reader: ops,
    writer: ops,
    idempotency: new DynamoIdempotencyStore(table, keys.operatorIdempotency),
    queue,
    ledger: new DynamoLedger(table),
    instances: new DynamoInstanceStore(table),
    thresholds: settings.thresholds,
    approvalTtlMs: settings.approvalTtlMs,
    newId: newTimedId,
    onEnqueueFailure: (error) =>
      logger.warn('operator retry: enqueue failed; the reconciler will enqueue it again', {
        error: error instanceof Error ? error.name : 'unknown',
      }),
  };
}

const config = readConfig();
export const handler = createHandler({
  ...opsDeps(tableRef(config), new SqsRefundQueue(new SQSClient({}), requireQueueUrl(config))),
  pageTokens: pageTokenKeys(readPageTokenConfig()),
});
