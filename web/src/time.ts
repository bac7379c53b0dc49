/**
 * Instants on the page, each with its zone: the customer's local time ("Mar 5, 2026, 6:00 PM
 * GMT+1") and the billing time zone (UTC+8), which decides calendar days, business days and
 * deadlines.
 */

export const BILLING_TIME_ZONE = 'Asia/Shanghai';
const BILLING_OFFSET_MINUTES = -480;

const FIELDS = {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
} as const;
const local = new Intl.DateTimeFormat(undefined, { ...FIELDS, timeZoneName: 'short' });
const billing = new Intl.DateTimeFormat(undefined, { ...FIELDS, timeZone: BILLING_TIME_ZONE });
const billingDate = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  timeZone: BILLING_TIME_ZONE,
});

/** In the customer's time zone, with the zone's name. */
export const localTime = (iso: string): string => local.format(new Date(iso));
/** In the billing time zone: "Dec 8, 2026, 12:00 AM (UTC+8)". */
export const billingTime = (iso: string): string => `${billing.format(new Date(iso))} (UTC+8)`;
/** In the billing time zone, for inside brackets: "Dec 8, 2026, 12:00 AM UTC+8". */
export const billingTimeBare = (iso: string): string => `${billing.format(new Date(iso))} UTC+8`;
/** A period as calendar days in the billing time zone: "Mar 2, 2026 – Mar 2, 2027 (UTC+8)". */
export const billingPeriod = (from: string, to: string): string =>
  `${billingDate.format(new Date(from))} – ${billingDate.format(new Date(to))} (UTC+8)`;
/** Whether the customer's zone is the billing zone at that instant (one time is then enough). */
export const inBillingZone = (iso: string): boolean =>
  new Date(iso).getTimezoneOffset() === BILLING_OFFSET_MINUTES;
/** The customer's time zone as the inputs read it ("UTC", "GMT+1"). */
export const localZoneName = (): string =>
  local.formatToParts(new Date()).find((p) => p.type === 'timeZoneName')?.value ?? '';

/** `mm:ss` (or `h:mm:ss`) left until `deadline` (epoch ms), `0:00` once passed. */
export function countdown(deadline: number, now: number): string {
  const left = Math.max(0, Math.floor((deadline - now) / 1000));
  const h = Math.floor(left / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = String(left % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** A `<input type="datetime-local">` value (the customer's local time) as an ISO UTC instant. */
export function fromLocalInput(value: string): string | undefined {
  if (value === '') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** An ISO instant as a `<input type="datetime-local">` value in the customer's local time. */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  const seconds = date.getSeconds() === 0 ? '' : `:${p(date.getSeconds())}`;
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}:${p(date.getMinutes())}${seconds}`;
}
