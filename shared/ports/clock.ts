import type { Millis } from '#shared/domain.ts';

/**
 * The only way use cases learn the time; the policy itself always receives `now`. The
 * functions are wired with `serviceClock` (`#shared/clock.ts`); tests pass their own.
 */
export interface Clock {
  now(): Millis;
}
