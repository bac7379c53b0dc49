/** `POST /instances/{instanceId}/renewal-cancellations`: cancel paid renewals that have not started, exactly once. */
import { callerAccount, httpFunction, idempotencyKey } from '#http/handler.ts';
import { instancePathSchema, renewalCancellationRequestSchema } from '#schema/api.ts';
import { parseOrThrow } from '#schema/common.ts';
import { quotedExecutionDeps } from '#shared/wiring.ts';
import { cancelRenewal } from '#use-cases/cancel-renewal.ts';
import type { QuotedExecutionDeps } from '#use-cases/quoted-execution.ts';

export function createHandler(deps: QuotedExecutionDeps, clock: () => number = Date.now) {
  return httpFunction(
    {
      'POST /instances/{instanceId}/renewal-cancellations': async (request) => {
        const { instanceId } = parseOrThrow(instancePathSchema, request.pathParameters);
        const body = parseOrThrow(renewalCancellationRequestSchema, request.body);
        const response = await cancelRenewal(deps, {
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
