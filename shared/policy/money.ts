/**
 * Checked arithmetic on money (integer minor units). A sum that leaves the safe-integer range
 * (|x| ≤ 2^53 − 1) would silently lose precision as a double and could not be stored (the
 * DynamoDB marshaller refuses unsafe numbers): it throws `MoneyOverflowError` instead.
 */
import type { MinorUnits } from '#shared/domain.ts';

export class MoneyOverflowError extends RangeError {
  /** What was being summed, e.g. `refundAmount` (never an amount or personal data). */
  readonly what: string;

  constructor(what: string) {
    super(`${what} is not a safe integer number of minor units`);
    this.name = 'MoneyOverflowError';
    this.what = what;
  }
}

/**
 * a + b, or `MoneyOverflowError` naming `what` when either operand or the sum is not a safe
 * integer. Exact: when the true sum is safe the double sum is exact; when it is not, the
 * double sum is at least 2^53 in magnitude, which is not safe either.
 */
export function addMoney(a: MinorUnits, b: MinorUnits, what: string): MinorUnits {
  const sum = a + b;
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || !Number.isSafeInteger(sum))
    throw new MoneyOverflowError(what);
  return sum;
}

/** The checked sum of `amounts` (0 for none). */
export function sumMoney(amounts: Iterable<MinorUnits>, what: string): MinorUnits {
  let total = 0;
  for (const amount of amounts) total = addMoney(total, amount, what);
  return total;
}
