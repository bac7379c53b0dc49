/**
 * The service's clock: the one place a function learns the time (the HTTP handlers'
 * `request.now`, settlement, the webhook). The scheduled functions take theirs from their
 * schedule's event, which the schedule stamps with the same time.
 *
 * In the cloud it is the system clock, and nothing can move it. Locally it can run ahead of the
 * real time (`POST /local/clock`, `infra/local/clock.ts`), so a quote can expire, the five-day
 * window close or a retention deadline pass without waiting: the local runtime loads the real
 * handler modules into its own process, so they read this very module. Two locks keep that
 * out of the cloud: `runLocalClockAhead` refuses to run inside Lambda (which always sets
 * `AWS_LAMBDA_FUNCTION_NAME`, a reserved variable no configuration can unset), and no function
 * imports it, so esbuild leaves it out of every bundle (`test/unit/config/clock.test.ts`).
 */

import type { Clock } from '#ports/clock.ts';
import type { Millis } from '#shared/domain.ts';

/** How far the clock runs ahead of the system's; 0 except under the local runtime. */
let aheadMs = 0;

export const serviceClock: Clock = { now: () => Date.now() + aheadMs };

/** The real time, for what others stamp with theirs (a webhook signature's timestamp). */
export const realClock: Clock = { now: () => Date.now() };

/** Only the local runtime calls this; see above. */
export class ClockNotMovableError extends Error {
  constructor() {
    super('The service clock cannot be moved inside AWS Lambda');
    this.name = 'ClockNotMovableError';
  }
}

/**
 * Local runtime only: from now on the service clock reads the real time plus `ms` (a whole,
 * non-negative number of milliseconds; 0 is the real time again). Throws inside Lambda.
 */
export function runLocalClockAhead(ms: Millis, env: NodeJS.ProcessEnv = process.env): void {
  if (env.AWS_LAMBDA_FUNCTION_NAME !== undefined) throw new ClockNotMovableError();
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError('The lead must be whole milliseconds ≥ 0');
  aheadMs = ms;
}
