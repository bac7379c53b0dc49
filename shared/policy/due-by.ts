import type { Millis } from '#shared/domain.ts';
import { validationFailed } from '#shared/errors.ts';
import { billingDay, dayOfDate, startOfBillingDay, weekday } from './time.ts';

/** Business days between confirmation and the settlement deadline (SPEC 2.5). */
export const SETTLEMENT_BUSINESS_DAYS = 2;

/** Day numbers of `YYYY-MM-DD` holidays; a malformed date is a configuration error. */
function holidayDays(holidays: readonly string[]): Set<number> {
  const days = new Set<number>();
  holidays.forEach((date, i) => {
    const day = dayOfDate(date);
    if (day === undefined)
      throw validationFailed([{ field: `holidays.${i}`, message: 'must be a real YYYY-MM-DD date' }]);
    days.add(day);
  });
  return days;
}

/**
 * The settlement deadline of an unsubscription confirmed at `confirmedAt` (SPEC 2.5):
 * 00:00 UTC+8 at the end of the second business day after the day (UTC+8) of confirmation.
 * Business days are Monday–Friday UTC+8 not listed in `holidays` (UTC+8 dates). The day of
 * confirmation itself never counts, even when confirmed at 00:00 on a business day.
 * Friday 10:00 → Saturday, Sunday skipped → Monday (1), Tuesday (2) → Wednesday 00:00.
 */
export function dueBy(confirmedAt: Millis, holidays: readonly string[] = []): Millis {
  const closed = holidayDays(holidays);
  let day = billingDay(confirmedAt);
  let found = 0;
  while (found < SETTLEMENT_BUSINESS_DAYS) {
    day += 1;
    const wd = weekday(day);
    if (wd !== 0 && wd !== 6 && !closed.has(day)) found += 1;
  }
  return startOfBillingDay(day + 1);
}

/** An order settled after its `dueBy` breached the SLA (settled exactly at `dueBy` is on time). */
export function isSettledLate(settledAt: Millis, dueByAt: Millis): boolean {
  return settledAt > dueByAt;
}
