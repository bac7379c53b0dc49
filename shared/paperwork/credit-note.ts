/**
 * Credit notes, pure: what a note says (built once, from the accepted unsubscribe order and its
 * instance, and never changed after), its number in a gap-free series per issuer and calendar
 * year in the billing time zone (`CN-2026-000001`), and the checked totals. No I/O, no clock:
 * the issue time comes in as an argument.
 *
 * How numbers stay gap-free and unique is the adapter's transaction
 * (`#adapters/dynamo/credit-notes.ts`): a number exists only in the one transaction that moves
 * the series' counter from n−1 to n and writes it onto one note that had none.
 */
import { billingDay, yearOfDay } from '#policy/time.ts';
import type { Destination, Millis, MinorUnits, OrderType, QuoteKind, RefundType } from '#shared/domain.ts';
import type { InstanceRecord, UnsubscribeOrder } from '#shared/model.ts';

/** Who issues the notes (configuration): printed on every note; `id` names its number series. */
export interface Issuer {
  /** 1–32 of `A-Z a-z 0-9 -`: the series key (`CN-…` numbers restart per issuer and year). */
  id: string;
  legalName: string;
  /** Postal address, one line each. */
  address: string[];
  taxId: string;
}

export interface CreditNoteLine {
  orderId: string;
  orderType: OrderType;
  /** The order's service period, [start, end). */
  periodStart: Millis;
  periodEnd: Millis;
  usedDays: number;
  termDays: number;
  cashPaid: MinorUnits;
  /** Paid with a voucher: never refunded. */
  voucherPaid: MinorUnits;
  refundAmount: MinorUnits;
  /** Where the refund of this line goes, as accepted (what happens later is on the order and the journal). */
  destination: Destination;
}

export interface CreditNoteTotals {
  cashPaid: MinorUnits;
  voucherNotRefunded: MinorUnits;
  refundAmount: MinorUnits;
}

/** The fixed content of a note (everything but its number and issue time). */
export interface CreditNoteContent {
  accountId: string;
  unsubscribeOrderId: string;
  issuer: Issuer;
  instance: { instanceId: string; product: string; edition: string };
  kind: QuoteKind;
  refundType: RefundType;
  currency: string;
  lines: CreditNoteLine[];
  totals: CreditNoteTotals;
  /** When the order was accepted. */
  acceptedAt: Millis;
  /** The refund policy the order was quoted under (`<id> v<version>`), when the order records one. */
  policyVersion?: string;
}

/** Where the rendered PDF is (set once, after it is stored). */
export interface CreditNoteDocument {
  key: string;
  sha256: string;
  bytes: number;
}

/** A note as stored: a draft until numbered (`number` null), issued once numbered. */
export interface CreditNoteRecord extends CreditNoteContent {
  number: string | null;
  /** The position in its series (1, 2, …) and the series' year. */
  sequence: number | null;
  year: number | null;
  issuedAt: Millis | null;
  document: CreditNoteDocument | null;
}

export interface IssuedCreditNote extends CreditNoteRecord {
  number: string;
  sequence: number;
  year: number;
  issuedAt: Millis;
}

export const isIssued = (note: CreditNoteRecord | null): note is IssuedCreditNote =>
  note !== null && note.number !== null;

/** A sum that stays a safe integer (money is never allowed to lose precision). */
export function checkedSum(values: readonly MinorUnits[]): MinorUnits {
  let total = 0;
  for (const value of values) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not an amount: ${value}`);
    total += value;
    if (!Number.isSafeInteger(total)) throw new RangeError('sum exceeds the safe integer range');
  }
  return total;
}

/** The calendar year (UTC+8) a note issued at `t` is numbered in. */
export function seriesYear(t: Millis): number {
  return yearOfDay(billingDay(t));
}

/** `CN-2026-000001` (six digits at least; a series past 999 999 keeps counting with more). */
export function creditNoteNumber(year: number, sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new RangeError(`bad sequence ${sequence}`);
  return `CN-${year}-${String(sequence).padStart(6, '0')}`;
}

/**
 * The note of an accepted order: one line per refunded order with its service period (from the
 * instance's orders), the order's days and amounts as the order holds them, and checked totals
 * that must equal the order's own refund amount.
 */
export function creditNoteContent(
  order: UnsubscribeOrder,
  instance: InstanceRecord,
  issuer: Issuer,
): CreditNoteContent {
  const periods = new Map(instance.orders.map((o) => [o.orderId, o]));
  const lines = order.lines.map((line): CreditNoteLine => {
    const paid = periods.get(line.orderId);
    if (!paid) throw new Error(`order ${line.orderId} of ${order.unsubscribeOrderId} is not on its instance`);
    return {
      orderId: line.orderId,
      orderType: paid.type,
      periodStart: paid.periodStart,
      periodEnd: paid.periodEnd,
      usedDays: line.usedDays,
      termDays: line.termDays,
      cashPaid: line.cashPaid,
      voucherPaid: line.voucherPaid,
      refundAmount: line.refundAmount,
      destination: line.destination,
    };
  });
  const totals = {
    cashPaid: checkedSum(lines.map((l) => l.cashPaid)),
    voucherNotRefunded: checkedSum(lines.map((l) => l.voucherPaid)),
    refundAmount: checkedSum(lines.map((l) => l.refundAmount)),
  };
  if (totals.refundAmount !== order.refundAmount)
    throw new Error(`lines of ${order.unsubscribeOrderId} do not add up to its refund amount`);
  const policyVersion = order.policy ? `${order.policy.id} v${order.policy.version}` : undefined;
  return {
    accountId: order.accountId,
    unsubscribeOrderId: order.unsubscribeOrderId,
    issuer,
    instance: { instanceId: instance.instanceId, product: instance.product, edition: instance.edition },
    kind: order.type,
    refundType: order.refundType,
    currency: order.currency,
    lines,
    totals,
    acceptedAt: order.createdAt,
    ...(typeof policyVersion === 'string' ? { policyVersion } : {}),
  };
}

/** Minor units as a decimal string for documents (`12345` USD → `123.45`), by the currency's exponent. */
export function formatAmount(amount: MinorUnits, currency: string): string {
  const digits = minorDigits(currency);
  const sign = amount < 0 ? '-' : '';
  const whole = String(Math.abs(amount)).padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${whole}` : `${sign}${whole.slice(0, -digits)}.${whole.slice(-digits)}`;
}

/** ISO 4217 exponents that are not 2 (the rest, and unknown codes, use 2). */
const EXPONENTS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

export const minorDigits = (currency: string): number => EXPONENTS[currency] ?? 2;

/** `2026-03-05` of an instant, in the billing time zone (UTC+8). */
export function billingDate(t: Millis): string {
  return new Date(billingDay(t) * 86_400_000).toISOString().slice(0, 10);
}
