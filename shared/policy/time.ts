/**
 * Instants and the billing calendar (SPEC 1): UTC+8 with a fixed offset and no daylight
 * saving, so a calendar day is found by shifting the instant by 8 h and counting whole days
 * since the epoch. Pure integer arithmetic: no Date objects, no Intl, no time-zone data.
 */
import type { Millis } from '#shared/domain.ts';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
/** The billing time zone is UTC+8 (Asia/Shanghai has had no DST since 1991). */
export const BILLING_OFFSET_MS = 8 * HOUR_MS;

/** Day number (days since 1970-01-01) of the UTC+8 calendar day that contains `t`. */
export function billingDay(t: Millis, offsetMs: number = BILLING_OFFSET_MS): number {
  return Math.floor((t + offsetMs) / DAY_MS);
}

/** The instant of 00:00:00.000 UTC+8 that starts UTC+8 day number `day`. */
export function startOfBillingDay(day: number, offsetMs: number = BILLING_OFFSET_MS): Millis {
  return day * DAY_MS - offsetMs;
}

/** The first 00:00 UTC+8 strictly after `t` (`t` exactly at midnight → the following midnight). */
export function nextBillingMidnight(t: Millis, offsetMs: number = BILLING_OFFSET_MS): Millis {
  return startOfBillingDay(billingDay(t, offsetMs) + 1, offsetMs);
}

/** 0 = Sunday … 6 = Saturday, of a day number (1970-01-01 was a Thursday). */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/**
 * Calendar year of a day number, without a Date object (H. Hinnant's `civil_from_days`,
 * proleptic Gregorian calendar).
 */
export function yearOfDay(day: number): number {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1_460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  return yoe + era * 400 + (mp >= 10 ? 1 : 0);
}

/** The quota year (SPEC 2.2): the UTC+8 calendar year that contains `now`. */
export function quotaYear(now: Millis, offsetMs: number = BILLING_OFFSET_MS): number {
  return yearOfDay(billingDay(now, offsetMs));
}

/** Whole days a duration spans, a started day counting as a whole one: ceil(ms / 24 h). */
export function ceilDays(ms: number): number {
  return Math.ceil(ms / DAY_MS);
}

/** Epoch milliseconds → `2026-04-10T15:30:00.000Z` (edges only, never on the hot path). */
export function toIso(t: Millis): string {
  return new Date(t).toISOString();
}

/** Day number → `YYYY-MM-DD`. */
export function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Day number of a `YYYY-MM-DD` calendar date (read as a UTC+8 date), or undefined when the
 * string is not a real date.
 */
export function dayOfDate(date: string): number | undefined {
  if (!DATE_ONLY.test(date)) return undefined;
  const t = Date.parse(`${date}T00:00:00.000Z`);
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== date) return undefined;
  return t / DAY_MS;
}
