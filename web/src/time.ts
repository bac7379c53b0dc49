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
