/** The read routes: instances, unsubscribe orders and the account balance (SPEC 4.2). */

import { keys } from '#adapters/dynamo/keys.ts';
import { DynamoLedger } from '#adapters/dynamo/ledger.ts';
import { pageTokenKeys } from '#adapters/page-token-secret.ts';
import { httpFunction } from '#http/handler.ts';
import type { KeyringSource } from '#http/page-token-keys.ts';
import { decodeNextToken, encodeNextToken } from '#http/pagination.ts';
import { callerAccount } from '#http/request.ts';
import type { LedgerReader } from '#ports/ledger.ts';
import type { InstanceStore, UnsubscribeOrderStore } from '#ports/stores.ts';
import {
  instancePathSchema,
  listInstancesQuerySchema,
  listUnsubscribeOrdersQuerySchema,
  unsubscribeOrderPathSchema,
} from '#schema/api.ts';
import { parseOrThrow } from '#schema/common.ts';
import { serviceClock } from '#shared/clock.ts';
import { readConfig, readPageTokenConfig } from '#shared/config.ts';
import { notFound } from '#shared/errors.ts';
import { presentBalance, presentInstance, presentUnsubscribeOrder } from '#shared/present.ts';
import { apiStores, tableRef } from '#shared/wiring.ts';
import { getBalance } from '#use-cases/get-balance.ts';

export interface ReadDeps {
  instances: InstanceStore;
  unsubscribeOrders: UnsubscribeOrderStore;
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
        const page = await deps.instances.list(accountId, {
          ...query,
          ...(pendingRenewal === undefined
            ? {}
            : { pendingRenewal: { present: pendingRenewal, now: request.now } }),
          cursor,
        });
        return {
          statusCode: 200,
          json: {
            items: page.items.map(presentInstance),
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
