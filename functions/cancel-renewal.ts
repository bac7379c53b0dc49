/** `POST /instances/{instanceId}/renewal-cancellations`: cancel paid renewals that have not started, exactly once. */

import { httpFunction } from '#http/handler.ts';
import { quotedExecutionRoute } from '#http/quoted-route.ts';
import { renewalCancellationRequestSchema } from '#schema/api.ts';
import { serviceClock } from '#shared/clock.ts';
import { quotedExecutionDeps } from '#shared/wiring.ts';
import { cancelRenewal } from '#use-cases/cancel-renewal.ts';
import type { QuotedExecutionDeps } from '#use-cases/quoted-execution.ts';

export function createHandler(deps: QuotedExecutionDeps, clock: () => number = serviceClock.now) {
  return httpFunction(
    {
      'POST /instances/{instanceId}/renewal-cancellations': quotedExecutionRoute(
        renewalCancellationRequestSchema,
        (input) => cancelRenewal(deps, input),
      ),
    },
    clock,
  );
}

export const handler = createHandler(quotedExecutionDeps());
