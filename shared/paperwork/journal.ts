/**
 * The journal, pure: each money fact (a domain event) becomes one balanced double-entry entry
 * over a configurable chart of accounts; a day's entries become a JSON Lines and a CSV export
 * whose bytes depend only on the entries. Amounts are integer minor units per currency.
 *
 * | fact (event)                                              | debit             | credit            |
 * |-----------------------------------------------------------|-------------------|-------------------|
 * | UnsubscribeOrderAccepted (refund owed)                    | revenue           | refundsPayable    |
 * | RefundLineSettled to ORIGINAL_PAYMENT_METHOD (paid out)   | refundsPayable    | paymentClearing   |
 * | AccountBalanceCredited REFUND_TO_BALANCE / PROVIDER_REFUSED / PROVIDER_FAILED | refundsPayable | customerBalances |
 * | AccountBalanceCredited PROVIDER_REVERSED (card refund came back) | paymentClearing | customerBalances |
 * | AccountBalanceCredited OPERATOR_RESOLUTION (support credited a stuck line) | refundsPayable | customerBalances |
 * | AccountBalanceAdjusted GOODWILL_CREDIT (an operator's credit)  | balanceAdjustments | customerBalances |
 * | AccountBalanceAdjusted CORRECTING_DEBIT (an operator's debit)  | customerBalances | balanceAdjustments |
 *
 * A line refunded to the balance is posted from its AccountBalanceCredited (its RefundLineSettled
 * posts nothing), so no line is posted twice. Entries are immutable; a correction is a new entry.
 */

import type { Millis, MinorUnits } from '#shared/domain.ts';
import type { DomainEvent } from '#shared/events/derive.ts';
import { billingDate } from './credit-note.ts';

export type LedgerAccount =
  | 'revenue'
  | 'refundsPayable'
  | 'paymentClearing'
  | 'customerBalances'
  | 'balanceAdjustments';

/** The chart: each role's account code and name (JOURNAL_ACCOUNTS overrides the defaults). */
export type ChartOfAccounts = Record<LedgerAccount, { code: string; name: string }>;

export const DEFAULT_CHART: ChartOfAccounts = {
  revenue: { code: '4000', name: 'Subscription revenue' },
  refundsPayable: { code: '2100', name: 'Refunds payable' },
  paymentClearing: { code: '1100', name: 'Payment provider clearing' },
  customerBalances: { code: '2200', name: 'Customer balances' },
  balanceAdjustments: { code: '6100', name: 'Customer balance adjustments' },
};

export interface JournalLine {
  account: string;
  accountName: string;
  role: LedgerAccount;
  debit: MinorUnits;
  credit: MinorUnits;
}

export interface JournalEntry {
  /** The fact's id (the domain event's id): an entry per fact, posted once. */
  entryId: string;
  fact: DomainEvent['type'];
  /** When the fact happened, and when it was posted (its day, UTC+8, is the export's day). */
  occurredAt: Millis;
  postedAt: Millis;
  day: string;
  /** The customer account (the sub-ledger of refunds payable and customer balances). */
  customerAccountId: string;
  /** Null for an operator's balance adjustment (it has no order). */
  unsubscribeOrderId: string | null;
  orderId: string | null;
  currency: string;
  lines: JournalLine[];
}

const DEBIT_CREDIT: Record<string, [LedgerAccount, LedgerAccount]> = {
  accepted: ['revenue', 'refundsPayable'],
  paidOut: ['refundsPayable', 'paymentClearing'],
  credited: ['refundsPayable', 'customerBalances'],
  reversed: ['paymentClearing', 'customerBalances'],
  goodwill: ['balanceAdjustments', 'customerBalances'],
  correction: ['customerBalances', 'balanceAdjustments'],
};

/** Which posting a fact makes (and its amount), or null for facts that move no money. */
export function postingOf(
  event: DomainEvent,
): { kind: keyof typeof DEBIT_CREDIT; amount: MinorUnits } | null {
  const d = event.data;
  switch (event.type) {
    case 'UnsubscribeOrderAccepted':
      return Number(d.refundAmount) > 0 ? { kind: 'accepted', amount: Number(d.refundAmount) } : null;
    case 'RefundLineSettled':
      return d.destination === 'ORIGINAL_PAYMENT_METHOD' && Number(d.refundAmount) > 0
        ? { kind: 'paidOut', amount: Number(d.refundAmount) }
        : null;
    case 'AccountBalanceCredited':
      return { kind: d.cause === 'PROVIDER_REVERSED' ? 'reversed' : 'credited', amount: Number(d.amount) };
    case 'AccountBalanceAdjusted':
      // Signed: a goodwill credit is positive, a correcting debit negative.
      return Number(d.amount) >= 0
        ? { kind: 'goodwill', amount: Number(d.amount) }
        : { kind: 'correction', amount: -Number(d.amount) };
    default:
      return null;
  }
}

/** The entry of one fact posted at `postedAt`, or null when the fact moves no money. */
export function journalEntry(
  event: DomainEvent,
  chart: ChartOfAccounts,
  postedAt: Millis,
): JournalEntry | null {
  const posting = postingOf(event);
  if (!posting) return null;
  if (!Number.isSafeInteger(posting.amount) || posting.amount <= 0)
    throw new RangeError(`${event.type} ${event.id}: not an amount`);
  const [debit, credit] = DEBIT_CREDIT[posting.kind] as [LedgerAccount, LedgerAccount];
  const line = (role: LedgerAccount, side: 'debit' | 'credit'): JournalLine => ({
    account: chart[role].code,
    accountName: chart[role].name,
    role,
    debit: side === 'debit' ? posting.amount : 0,
    credit: side === 'credit' ? posting.amount : 0,
  });
  return {
    entryId: event.id,
    fact: event.type,
    occurredAt: Date.parse(event.occurredAt),
    postedAt,
    day: billingDate(postedAt),
    customerAccountId: event.accountId,
    unsubscribeOrderId:
      event.data.unsubscribeOrderId === undefined ? null : String(event.data.unsubscribeOrderId),
    orderId: event.data.orderId === undefined ? null : String(event.data.orderId),
    currency: String(event.data.currency),
    lines: [line(debit, 'debit'), line(credit, 'credit')],
  };
}

/** Debits equal credits, per currency (an entry has one currency). */
export function isBalanced(entry: JournalEntry): boolean {
  const debits = entry.lines.reduce((sum, l) => sum + l.debit, 0);
  const credits = entry.lines.reduce((sum, l) => sum + l.credit, 0);
  return debits === credits && debits > 0;
}

/** Net credit − debit per account code, customer and currency (what a trial balance shows). */
export function balances(entries: readonly JournalEntry[]): Map<string, MinorUnits> {
  const totals = new Map<string, MinorUnits>();
  for (const entry of entries)
    for (const line of entry.lines) {
      const key = `${line.role}|${entry.customerAccountId}|${entry.currency}`;
      totals.set(key, (totals.get(key) ?? 0) + line.credit - line.debit);
    }
  return totals;
}

/** The export's order: by posting time, then entry id (both fixed when posted). */
const byPosting = (a: JournalEntry, b: JournalEntry) =>
  a.postedAt - b.postedAt || (a.entryId < b.entryId ? -1 : a.entryId > b.entryId ? 1 : 0);

const iso = (t: Millis) => new Date(t).toISOString();

/** One JSON object per line: a line of an entry each (flat, like the CSV), in posting order. */
export function exportJsonLines(entries: readonly JournalEntry[]): string {
  return [...entries]
    .sort(byPosting)
    .flatMap((e) =>
      e.lines.map((l) =>
        JSON.stringify({
          day: e.day,
          entryId: e.entryId,
          fact: e.fact,
          postedAt: iso(e.postedAt),
          occurredAt: iso(e.occurredAt),
          customerAccountId: e.customerAccountId,
          unsubscribeOrderId: e.unsubscribeOrderId,
          orderId: e.orderId,
          account: l.account,
          accountName: l.accountName,
          currency: e.currency,
          debit: l.debit,
          credit: l.credit,
        }),
      ),
    )
    .map((line) => `${line}\n`)
    .join('');
}

export const CSV_HEADER = [
  'day',
  'entry_id',
  'fact',
  'posted_at',
  'occurred_at',
  'customer_account_id',
  'unsubscribe_order_id',
  'order_id',
  'account',
  'account_name',
  'currency',
  'debit_minor',
  'credit_minor',
];

const csvField = (value: string | number | null) => {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** RFC 4180 CSV (CRLF), one row per line of an entry, amounts in minor units. */
export function exportCsv(entries: readonly JournalEntry[]): string {
  const rows = [...entries]
    .sort(byPosting)
    .flatMap((e) =>
      e.lines.map((l) =>
        [
          e.day,
          e.entryId,
          e.fact,
          iso(e.postedAt),
          iso(e.occurredAt),
          e.customerAccountId,
          e.unsubscribeOrderId,
          e.orderId,
          l.account,
          l.accountName,
          e.currency,
          l.debit,
          l.credit,
        ]
          .map(csvField)
          .join(','),
      ),
    );
  return [CSV_HEADER.join(','), ...rows].map((row) => `${row}\r\n`).join('');
}

/** The UTC+8 day before the one containing `now`: the last closed day. */
export function closedDay(now: Millis): string {
  return billingDate(now - 86_400_000);
}
