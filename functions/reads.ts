/**
 * The read routes: instances, unsubscribe orders and the account balance (SPEC 4.2), and the
 * internal export of past unsubscribe orders for the policy backtest (JSON Lines).
 */

import { keys } from '#adapters/dynamo/keys.ts';
import { DynamoLedger } from '#adapters/dynamo/ledger.ts';
import { pageTokenKeys } from '#adapters/page-token-secret.ts';
import { httpFunction } from '#http/handler.ts';
import type { KeyringSource } from '#http/page-token-keys.ts';
import { decodeNextToken, encodeNextToken } from '#http/pagination.ts';
import { callerAccount } from '#http/request.ts';
import type { PolicyRegistry } from '#policy/index.ts';
import type { LedgerReader } from '#ports/ledger.ts';
import type { InstanceStore, OrderExport, QuotaStore, UnsubscribeOrderStore } from '#ports/stores.ts';
import {
  exportUnsubscribeOrdersQuerySchema,
  instancePathSchema,
  listInstancesQuerySchema,
  listUnsubscribeOrdersQuerySchema,
  unsubscribeOrderPathSchema,
} from '#schema/api.ts';
import { parseOrThrow } from '#schema/common.ts';
import { serviceClock } from '#shared/clock.ts';
import { readConfig, readPageTokenConfig } from '#shared/config.ts';
import { notFound } from '#shared/errors.ts';
import type { UnsubscribeOrder } from '#shared/model.ts';
import {
  presentBalance,
  presentExportedOrder,
  presentInstance,
  presentListedInstance,
  presentUnsubscribeOrder,
} from '#shared/present.ts';
import { apiStores, tableRef } from '#shared/wiring.ts';
import { getBalance } from '#use-cases/get-balance.ts';
import { listInstances } from '#use-cases/list-instances.ts';

export interface ReadDeps {
  instances: InstanceStore;
  quota: QuotaStore;
  unsubscribeOrders: UnsubscribeOrderStore;
  orderExport: OrderExport;
  /** The released policies (the repository's unless a test brings its own). */
  policies?: PolicyRegistry;
  ledger: LedgerReader;
  /** The keys that sign and verify `nextToken` values. */
  pageTokens: KeyringSource;
}

/** The positions a list can continue from: the sort key of an instance, of an unsubscribe order. */
const ID = '[A-Za-z0-9._-]{1,128}';
const INSTANCE_CURSOR = new RegExp(`^${keys.instancePrefix}${ID}$`);
const UNSUBSCRIBE_ORDER_CURSOR = new RegExp(`^${keys.unsubscribeOrderPrefix}uo-${ID}$`);
const isInstanceCursor = (after: string) => INSTANCE_CURSOR.test(after);
const isUnsubscribeOrderCursor = (after: string) => UNSUBSCRIBE_ORDER_CURSOR.test(after);

/** The export's media type: one JSON object a line (`npm run policy -- backtest` reads it). */
export const EXPORT_MEDIA_TYPE = 'application/x-ndjson';
/**
 * The most body one export page carries, counted as it travels inside Lambda's JSON answer
 * (escaped): under Lambda's 6 MB response limit. A page stops early at it, its token going on
 * right after the last line sent.
 */
export const EXPORT_BODY_BYTES = 5_000_000;
/** Internal callers share one scope: every one of them may read every account's orders. */
const INTERNAL_CALLER = '(internal)';

/** The export page's JSON Lines, at most EXPORT_BODY_BYTES, and where the next page starts. */
function exportLines(
  orders: UnsubscribeOrder[],
  cursor: string | null,
  cursorAfter: (order: UnsubscribeOrder) => string,
): { body: string; cursor: string | null } {
  let body = '';
  let bytes = 0;
  for (const [i, order] of orders.entries()) {
    const line = `${JSON.stringify(presentExportedOrder(order))}\n`;
    const size = Buffer.byteLength(JSON.stringify(line));
    const previous = orders[i - 1];
    if (previous && bytes + size > EXPORT_BODY_BYTES) return { body, cursor: cursorAfter(previous) };
    body += line;
    bytes += size;
  }
  return { body, cursor };
}

export function createHandler(deps: ReadDeps, clock: () => number = serviceClock.now) {
  return httpFunction(
    {
      'GET /instances': async (request) => {
        const accountId = callerAccount(request);
        const { nextToken, pendingRenewal, ...query } = parseOrThrow(listInstancesQuerySchema, request.query);
        const scope = { list: 'instances', accountId, query: request.query } as const;
        const cursor = await decodeNextToken(
          nextToken,
          scope,
          deps.pageTokens,
          request.now,
          isInstanceCursor,
        );
        const page = await listInstances(
          deps,
          accountId,
          {
            ...query,
            ...(pendingRenewal === undefined
              ? {}
              : { pendingRenewal: { present: pendingRenewal, now: request.now } }),
            cursor,
          },
          request.now,
        );
        return {
          statusCode: 200,
          json: {
            items: page.items.map((i) => presentListedInstance(i.instance, i.fullRefundUntil)),
            nextToken: await encodeNextToken(page.cursor, scope, deps.pageTokens, request.now),
          },
        };
      },
      'GET /instances/{instanceId}': async (request) => {
        const { instanceId } = parseOrThrow(instancePathSchema, request.pathParameters);
        const instance = await deps.instances.get(callerAccount(request), instanceId);
        if (!instance) throw notFound('Instance');
        return { statusCode: 200, json: presentInstance(instance) };
      },
      'GET /unsubscribe-orders': async (request) => {
        const accountId = callerAccount(request);
        const { nextToken, ...query } = parseOrThrow(listUnsubscribeOrdersQuerySchema, request.query);
        const scope = { list: 'unsubscribe-orders', accountId, query: request.query } as const;
        const cursor = await decodeNextToken(
          nextToken,
          scope,
          deps.pageTokens,
          request.now,
          isUnsubscribeOrderCursor,
        );
        const page = await deps.unsubscribeOrders.list(accountId, { ...query, cursor });
        return {
          statusCode: 200,
          json: {
            items: page.items.map(presentUnsubscribeOrder),
            nextToken: await encodeNextToken(page.cursor, scope, deps.pageTokens, request.now),
          },
        };
      },
      'GET /unsubscribe-orders/{unsubscribeOrderId}': async (request) => {
        const { unsubscribeOrderId } = parseOrThrow(unsubscribeOrderPathSchema, request.pathParameters);
        const order = await deps.unsubscribeOrders.get(callerAccount(request), unsubscribeOrderId);
        if (!order) throw notFound('Unsubscribe order');
        return { statusCode: 200, json: presentUnsubscribeOrder(order) };
      },
      'GET /internal/unsubscribe-orders/export': async (request) => {
        const { nextToken, ...query } = parseOrThrow(exportUnsubscribeOrdersQuerySchema, request.query);
        const scope = {
          list: 'unsubscribe-orders-export',
          accountId: INTERNAL_CALLER,
          query: request.query,
        } as const;
        const cursor = await decodeNextToken(nextToken, scope, deps.pageTokens, request.now, (after) =>
          deps.orderExport.isCursor(after),
        );
        const page = await deps.orderExport.created({ ...query, cursor });
        const lines = exportLines(page.items, page.cursor, (order) => deps.orderExport.cursorAfter(order));
        const token = await encodeNextToken(lines.cursor, scope, deps.pageTokens, request.now);
        const headers: Record<string, string> = token === null ? {} : { 'next-token': token };
        return {
          statusCode: 200,
          contentType: EXPORT_MEDIA_TYPE,
          // The token in a header keeps every line of the body an order: `curl | backtest` reads it as is.
          headers,
          rawBody: lines.body,
        };
      },
      'GET /account/balance': async (request) => {
        const balance = await getBalance(deps, callerAccount(request));
        return { statusCode: 200, json: presentBalance(balance) };
      },
    },
    clock,
  );
}

const table = tableRef(readConfig());
export const handler = createHandler({
  ...apiStores(table),
  ledger: new DynamoLedger(table),
  pageTokens: pageTokenKeys(readPageTokenConfig()),
});
