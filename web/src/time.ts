/** Instants on the page: the customer's local time and the billing time zone (UTC+8). */

export const BILLING_TIME_ZONE = 'Asia/Shanghai';

const local = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const billing = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: BILLING_TIME_ZONE,
});

export const localTime = (iso: string): string => local.format(new Date(iso));
export const billingTime = (iso: string): string => `${billing.format(new Date(iso))} (UTC+8)`;

/** `mm:ss` (or `h:mm:ss`) left until `iso`, `0:00` once passed. */
export function countdown(iso: string, now: number): string {
  const left = Math.max(0, Math.floor((Date.parse(iso) - now) / 1000));
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
