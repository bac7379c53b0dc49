/**
 * Money on the page: integer minor units in, a localized string out. The minor units are
 * turned into a decimal string with string arithmetic (no division, no floating point) and
 * handed to Intl.NumberFormat as a string, which formats it exactly.
 */

const fractionDigitsCache = new Map<string, number>();

/** The currency's minor-unit digits as Intl knows them (USD 2, JPY 0, KWD 3). */
export function fractionDigits(currency: string): number {
  let digits = fractionDigitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits as number;
    fractionDigitsCache.set(currency, digits);
  }
  return digits;
}

/** `12345` with 2 digits → `"123.45"`; `-5` → `"-0.05"`; only integers are accepted. */
export function minorToDecimal(minor: number, digits: number): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`Not an integer amount: ${minor}`);
  const negative = minor < 0;
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  const fraction = text.slice(text.length - digits);
  return `${negative ? '-' : ''}${whole}${digits > 0 ? `.${fraction}` : ''}`;
}

/** `formatMoney(99900, 'USD')` → `$999.00` (in the page's locale). */
export function formatMoney(minor: number, currency: string, locale?: string): string {
  const digits = fractionDigits(currency);
  const format = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return format.format(minorToDecimal(minor, digits) as Intl.StringNumericLiteral);
}

/**
 * What a person typed ("150", "150.5", "150.50") as integer minor units with `digits` digits,
 * by string arithmetic; undefined when it is not a positive amount with at most `digits`
 * decimals or exceeds a safe integer.
 */
export function decimalToMinor(text: string, digits: number): number | undefined {
  const match = /^(\d{1,15})(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return undefined;
  const minor = Number(`${match[1]}${fraction.padEnd(digits, '0')}`);
  return Number.isSafeInteger(minor) && minor > 0 ? minor : undefined;
}
