/**
 * "How is this calculated?": a quote's or an order's derivation (the API's `derivation`,
 * schema `refund-derivation/1`) in plain words. The sentences are pure functions of the data
 * (tested without a browser); `disclosure` wraps them in a `<details>`.
 */
import { h } from './dom.ts';
import { formatMoney } from './money.ts';
import { billingTime } from './time.ts';

const DAY_MS = 86_400_000;

export interface DerivationLine {
  orderId: string;
  rule: 'NOT_STARTED' | 'ENDED' | 'IN_EFFECT' | 'FULL_REFUND' | 'RENEWAL_NOT_STARTED';
  termDays: number;
  usedDays: number;
  remainingDays: number;
  cashPaid: number;
  voucherPaid: number;
  proration: { numerator: string; quotient: number; remainder: number } | null;
  refundAmount: number;
  destination: {
    rule: 'PAID_FROM_BALANCE' | 'WITHIN_PROVIDER_WINDOW' | 'PAST_PROVIDER_WINDOW';
    paymentMethodType: 'CARD' | 'PAYPAL' | 'BALANCE';
    ageDays: number | null;
    windowDays: number | null;
  };
}

export interface Derivation {
  policy: { id: string; version: number };
  inputs: { asOf: string; currency: string };
  eligibility: {
    rule:
      | 'FULL_REFUND_WITHIN_WINDOW'
      | 'PARTIAL_WINDOW_CLOSED'
      | 'PARTIAL_QUOTA_USED'
      | 'PARTIAL_NO_FULL_REFUND'
      | 'RENEWAL_CANCELLATION';
    purchasePaidAt: string;
    windowEndsAt: string;
    quota: {
      year: number;
      usedBy: { unsubscribeOrderId: string; instanceId: string; usedAt: string } | null;
    };
  };
  lines: DerivationLine[];
  total: { refundAmount: number; nonRefundableVoucherAmount: number };
  retention?: { configDataHours: number; configDataPurgeAt: string; logDataPurgeAt: string } | null;
  dueBy?: {
    confirmedDay: string;
    businessDays: string[];
    skipped: { day: string; why: 'WEEKEND' | 'HOLIDAY' }[];
    dueBy: string;
  };
}

const METHOD = { CARD: 'card', PAYPAL: 'PayPal account', BALANCE: 'account balance' } as const;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const daysBetween = (from: string, to: string): number =>
  Math.ceil((Date.parse(to) - Date.parse(from)) / DAY_MS);

/** Why this refund type, for a type the customer may not expect; null for a full refund or a renewal cancellation. */
export function whyRefundType(d: Derivation): string | null {
  const e = d.eligibility;
  const windowDays = Math.round((Date.parse(e.windowEndsAt) - Date.parse(e.purchasePaidAt)) / DAY_MS);
  switch (e.rule) {
    case 'PARTIAL_WINDOW_CLOSED':
      return (
        `Your purchase was ${plural(daysBetween(e.purchasePaidAt, d.inputs.asOf), 'day')} ago; ` +
        `the full refund applies within ${plural(windowDays, 'day')} (until ${billingTime(e.windowEndsAt)}).`
      );
    case 'PARTIAL_QUOTA_USED':
      return e.quota.usedBy
        ? `This year's full refund was used on ${billingTime(e.quota.usedBy.usedAt)} for ${e.quota.usedBy.instanceId}.`
        : `This year's full refund (${e.quota.year}) has already been used.`;
    case 'PARTIAL_NO_FULL_REFUND':
      return 'This product has no full refund: the unused days are refunded.';
    default:
      return null;
  }
}

/** One sentence per refunded order: the rule, the days and the arithmetic. */
export function lineSentence(line: DerivationLine, currency: string): string {
  const money = (minor: number) => formatMoney(minor, currency);
  switch (line.rule) {
    case 'IN_EFFECT': {
      const rounded = line.proration !== null && line.proration.remainder !== 0 ? ', rounded down' : '';
      return (
        `${line.usedDays} of ${line.termDays} days used; a started day counts as a whole day; ` +
        `${money(line.cashPaid)} × ${line.remainingDays} / ${line.termDays} = ${money(line.refundAmount)}${rounded}.`
      );
    }
    case 'FULL_REFUND':
      return `Full refund: the whole ${money(line.cashPaid)} paid in cash.`;
    case 'NOT_STARTED':
      return `Not started yet: the whole ${money(line.cashPaid)} is refunded.`;
    case 'RENEWAL_NOT_STARTED':
      return `Renewal not started: the whole ${money(line.cashPaid)} is refunded.`;
    case 'ENDED':
      return 'Ended: nothing is left to refund.';
  }
}

/** Where a line's money goes, and why. */
export function destinationSentence(line: DerivationLine): string {
  const { rule, paymentMethodType, ageDays, windowDays } = line.destination;
  if (rule === 'PAID_FROM_BALANCE') return 'Back to your account balance, which paid for it.';
  const method = METHOD[paymentMethodType];
  if (rule === 'WITHIN_PROVIDER_WINDOW')
    return `Back to your ${method}: paid ${plural(ageDays ?? 0, 'day')} ago, within the ${windowDays} days a refund to it is possible.`;
  return `To your account balance: paid ${plural(ageDays ?? 0, 'day')} ago, more than the ${windowDays} days a refund to your ${method} allows.`;
}

export function dueBySentence(due: NonNullable<Derivation['dueBy']>): string {
  const skipped = due.skipped.map((s) => `${s.day} (${s.why === 'WEEKEND' ? 'weekend' : 'holiday'})`);
  return (
    `Due by ${billingTime(due.dueBy)}: the end of the ${plural(due.businessDays.length, 'business day')} ` +
    `after ${due.confirmedDay} (${due.businessDays.join(', ')})` +
    (skipped.length > 0 ? `; skipped ${skipped.join(', ')}.` : '.')
  );
}

export function retentionSentence(r: NonNullable<Derivation['retention']>): string {
  return (
    `Configuration data is kept until ${billingTime(r.configDataPurgeAt)} (${r.configDataHours} hours); ` +
    `log data until ${billingTime(r.logDataPurgeAt)} (the next midnight, UTC+8).`
  );
}

/** Every sentence of the explanation, in reading order. */
export function explanation(d: Derivation): string[] {
  const currency = d.inputs.currency;
  const out: string[] = [];
  const why = whyRefundType(d);
  if (why) out.push(why);
  for (const line of d.lines)
    out.push(`${line.orderId}: ${lineSentence(line, currency)} ${destinationSentence(line)}`);
  if (d.total.nonRefundableVoucherAmount > 0)
    out.push(
      `${formatMoney(d.total.nonRefundableVoucherAmount, currency)} paid by voucher is not refundable.`,
    );
  if (d.retention) out.push(retentionSentence(d.retention));
  if (d.dueBy) out.push(dueBySentence(d.dueBy));
  out.push(`Rules: ${d.policy.id}, version ${d.policy.version}.`);
  return out;
}

/** The "How is this calculated?" disclosure (closed until opened). */
export function disclosure(d: Derivation): HTMLDetailsElement {
  return h(
    'details',
    { className: 'explain' },
    h('summary', {}, 'How is this calculated?'),
    h('ul', {}, ...explanation(d).map((sentence) => h('li', {}, sentence))),
  );
}
