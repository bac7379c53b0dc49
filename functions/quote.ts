/** `POST /instances/{instanceId}/refund-quotes`: what would this customer get back? */

import { httpFunction } from '#http/handler.ts';
import { callerAccount } from '#http/request.ts';
import { instancePathSchema, quoteRequestSchema } from '#schema/api.ts';
import { parseOrThrow } from '#schema/common.ts';
import { serviceClock } from '#shared/clock.ts';
import { readConfig } from '#shared/config.ts';
import { presentStoredQuote } from '#shared/present.ts';
import { apiDeps } from '#shared/wiring.ts';
import { type CreateQuoteDeps, createQuote } from '#use-cases/create-quote.ts';

/** The stores, and the non-business days that set a quote's `dueBy`. */
export type QuoteFunctionDeps = CreateQuoteDeps & { holidays: readonly string[] };

export function createHandler(deps: QuoteFunctionDeps, clock: () => number = serviceClock.now) {
  return httpFunction(
    {
      'POST /instances/{instanceId}/refund-quotes': async (request) => {
        const { instanceId } = parseOrThrow(instancePathSchema, request.pathParameters);
        const body = parseOrThrow(quoteRequestSchema, request.body ?? {});
        const quote = await createQuote(deps, {
          accountId: callerAccount(request),
          instanceId,
          kind: body.kind,
          updatedExpirationTime: body.updatedExpirationTime,
          now: request.now,
        });
        return { statusCode: 201, json: presentStoredQuote(quote, deps.holidays) };
      },
    },
    clock,
  );
}

const config = readConfig();
export const handler = createHandler({ ...apiDeps(config), holidays: config.holidays });
