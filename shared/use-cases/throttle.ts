/**
 * Backoff on throttling, shared by the purger's dispatcher and workers: a call the store
 * refused for lack of capacity (`ThrottledError`: nothing was changed) is made again after a
 * jittered wait that doubles with each attempt ("full jitter"), up to `THROTTLE_BACKOFF.attempts`
 * calls in all or until the caller says to stop; then the error is thrown.
 */
import { ThrottledError } from '#ports/purges.ts';

/** Waits after a throttled call: random in [0, min(maxMs, baseMs × 2^attempt)); `attempts` calls in all. */
export const THROTTLE_BACKOFF = { baseMs: 25, maxMs: 2_000, attempts: 12 } as const;

export interface ThrottleOptions {
  sleep?: (ms: number) => Promise<void>;
  /** True when the caller is out of time: no more attempts. */
  shouldStop?: () => boolean;
  /** Called on each throttled call that will be made again. */
  onThrottle?: () => void;
}

const timer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function withThrottleRetry<T>(
  send: () => Promise<T>,
  options: ThrottleOptions = {},
): Promise<T> {
  const sleep = options.sleep ?? timer;
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof ThrottledError)) throw error;
      if (attempt + 1 >= THROTTLE_BACKOFF.attempts || options.shouldStop?.()) throw error;
      options.onThrottle?.();
      const ceiling = Math.min(THROTTLE_BACKOFF.maxMs, THROTTLE_BACKOFF.baseMs * 2 ** attempt);
      await sleep(Math.random() * ceiling);
    }
  }
}
