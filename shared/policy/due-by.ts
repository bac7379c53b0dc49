import type { Millis } from '#shared/domain.ts';
import { validationFailed } from '#shared/errors.ts';
import type { DueByDerivation } from './derivation.ts';
import type { Policy } from './document.ts';
import { DEFAULT_POLICY } from './registry.ts';
import { billingDay, dateOfDay, dayOfDate, startOfBillingDay, weekday } from './time.ts';

/** Business days between confirmation and the settlement deadline (the default policy). */
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
 * The settlement deadline of an unsubscription confirmed at `confirmedAt` (SPEC 2.5), and the
 * days it counted and skipped: 00:00 (billing zone) at the end of the policy's second business
 * day after the day of confirmation. Business days are Monday–Friday in the billing zone not
 * listed in `holidays` (billing-zone dates). The day of confirmation itself never counts, even
 * when confirmed at 00:00 on a business day.
 * Friday 10:00 → Saturday, Sunday skipped → Monday (1), Tuesday (2) → Wednesday 00:00.
 */
export function explainDueBy(
  confirmedAt: Millis,
  holidays: readonly string[] = [],
  policy: Policy = DEFAULT_POLICY,
): DueByDerivation {
  const closed = holidayDays(holidays);
  const offset = policy.billingOffsetMs;
  const confirmedDay = billingDay(confirmedAt, offset);
  const businessDays: string[] = [];
  const skipped: DueByDerivation['skipped'] = [];
  let day = confirmedDay;
  while (businessDays.length < policy.settlement.businessDays) {
    day += 1;
    const wd = weekday(day);
    if (wd === 0 || wd === 6) skipped.push({ day: dateOfDay(day), why: 'WEEKEND' });
    else if (closed.has(day)) skipped.push({ day: dateOfDay(day), why: 'HOLIDAY' });
    else businessDays.push(dateOfDay(day));
  }
  return {
    confirmedAt,
    confirmedDay: dateOfDay(confirmedDay),
    businessDays,
    skipped,
    dueBy: startOfBillingDay(day + 1, offset),
  };
}

export function dueBy(
  confirmedAt: Millis,
  holidays: readonly string[] = [],
  policy: Policy = DEFAULT_POLICY,
): Millis {
  return explainDueBy(confirmedAt, holidays, policy).dueBy;
}

/** An order settled after its `dueBy` breached the SLA (settled exactly at `dueBy` is on time). */
export function isSettledLate(settledAt: Millis, dueByAt: Millis): boolean {
  return settledAt > dueByAt;
}
