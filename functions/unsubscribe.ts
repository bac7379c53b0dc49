/** `POST /instances/{instanceId}/unsubscriptions`: unsubscribe with a quote, exactly once. */

import { httpFunction } from '#http/handler.ts';
import { quotedExecutionRoute } from '#http/quoted-route.ts';
import { unsubscribeRequestSchema } from '#schema/api.ts';
import { serviceClock } from '#shared/clock.ts';
import { quotedExecutionDeps } from '#shared/wiring.ts';
import type { QuotedExecutionDeps } from '#use-cases/quoted-execution.ts';
import { unsubscribe } from '#use-cases/unsubscribe.ts';

export function createHandler(deps: QuotedExecutionDeps, clock: () => number = serviceClock.now) {
  return httpFunction(
    {
      'POST /instances/{instanceId}/unsubscriptions': quotedExecutionRoute(
        unsubscribeRequestSchema,
        (input) => unsubscribe(deps, input),
      ),
    },
    clock,
  );
}

export const handler = createHandler(quotedExecutionDeps());
