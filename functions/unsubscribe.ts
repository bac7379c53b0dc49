/** `POST /instances/{instanceId}/unsubscriptions`: unsubscribe with a quote, exactly once. */
import { callerAccount, httpFunction, idempotencyKey } from '#http/handler.ts';
import { instancePathSchema, unsubscribeRequestSchema } from '#schema/api.ts';
import { parseOrThrow } from '#schema/common.ts';
import { quotedExecutionDeps } from '#shared/wiring.ts';
import type { QuotedExecutionDeps } from '#use-cases/quoted-execution.ts';
import { unsubscribe } from '#use-cases/unsubscribe.ts';

export function createHandler(deps: QuotedExecutionDeps, clock: () => number = Date.now) {
  return httpFunction(
    {
      'POST /instances/{instanceId}/unsubscriptions': async (request) => {
        const { instanceId } = parseOrThrow(instancePathSchema, request.pathParameters);
        const body = parseOrThrow(unsubscribeRequestSchema, request.body);
        const response = await unsubscribe(deps, {
          accountId: callerAccount(request),
          instanceId,
          idempotencyKey: idempotencyKey(request),
          request: body,
          now: request.now,
        });
        return { statusCode: response.statusCode, rawBody: response.body };
      },
    },
    clock,
  );
}

export const handler = createHandler(quotedExecutionDeps());
