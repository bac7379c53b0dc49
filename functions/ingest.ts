/** Internal routes for billing: ingest paid orders (creating, renewing, restoring instances) and set abnormal flags. */

import { httpFunction } from '#http/handler.ts';
import type { InstanceStore } from '#ports/stores.ts';
import { ingestOrderRequestSchema, instancePathSchema, setFlagsRequestSchema } from '#schema/api.ts';
import { parseOrThrow } from '#schema/common.ts';
import { serviceClock } from '#shared/clock.ts';
import { presentInstance } from '#shared/present.ts';
import { apiDeps } from '#shared/wiring.ts';
import { ingestOrder } from '#use-cases/ingest-order.ts';
import { setFlags } from '#use-cases/set-flags.ts';

/** 201 when the order was recorded now, 200 for an identical replay. */
const INGEST_STATUS = { RECORDED: 201, REPLAYED: 200 } as const;

export function createHandler(deps: { instances: InstanceStore }, clock: () => number = serviceClock.now) {
  return httpFunction(
    {
      'POST /internal/orders': async (request) => {
        const body = parseOrThrow(ingestOrderRequestSchema, request.body);
        const result = await ingestOrder(deps, { ...body, now: request.now });
        return { statusCode: INGEST_STATUS[result.outcome], json: presentInstance(result.instance) };
      },
      'PUT /internal/instances/{instanceId}/flags': async (request) => {
        const { instanceId } = parseOrThrow(instancePathSchema, request.pathParameters);
        const { accountId, ...flags } = parseOrThrow(setFlagsRequestSchema, request.body);
        const instance = await setFlags(deps, { accountId, instanceId, flags });
        return { statusCode: 200, json: presentInstance(instance) };
      },
    },
    clock,
  );
}

export const handler = createHandler(apiDeps());
