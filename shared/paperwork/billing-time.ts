/** Instants as documents print them: in the billing time zone (UTC+8). */
import { BILLING_OFFSET_MS } from '#policy/time.ts';
import type { Millis } from '#shared/domain.ts';

/** `2026-03-05 18:00` in UTC+8. */
export function billingDateTime(t: Millis): string {
  return new Date(t + BILLING_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}
