import type * as z from 'zod/mini';
import type { StoredResponse } from '#ports/stores.ts';
import { instancePathSchema } from '#schema/api.ts';
import { parseOrThrow } from '#schema/common.ts';
import { callerAccount, idempotencyKey, type RouteHandler } from './handler.ts';

/**
 * The route shape shared by unsubscribing and cancelling renewals: the instance from the
 * path, the body from `schema`, the account from the token, the Idempotency-Key header; the
 * use case answers with the (possibly replayed) stored order, which is a 202 Accepted.
 */
export function quotedExecutionRoute<S extends z.ZodMiniType>(
  schema: S,
  execute: (input: {
    accountId: string;
    instanceId: string;
    idempotencyKey: string;
    request: z.infer<S>;
    now: number;
  }) => Promise<StoredResponse>,
): RouteHandler {
  return async (request) => {
    const { instanceId } = parseOrThrow(instancePathSchema, request.pathParameters);
    const body = parseOrThrow(schema, request.body);
    const response = await execute({
      accountId: callerAccount(request),
      instanceId,
      idempotencyKey: idempotencyKey(request),
      request: body,
      now: request.now,
    });
    // Accepted: the refund settles in the background (a replay answers the same).
    return { statusCode: 202, rawBody: response.body };
  };
}
