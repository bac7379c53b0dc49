import type { Millis } from '#shared/domain.ts';

/** The only way use cases learn the time; the policy itself always receives `now`. */
export interface Clock {
  now(): Millis;
}

export const systemClock: Clock = { now: () => Date.now() };
