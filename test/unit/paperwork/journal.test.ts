/**
 * The journal's postings, property-based: for generated histories of orders (partial, full,
 * renewal cancellations; lines to the card, to the balance, refused, failed after submission,
 * reversed after settling; operator adjustments), with events redelivered and out of order,
 * every entry balances, each fact is posted once, the customer-balance liability equals the
 * ledger's sum per account and currency, refunds payable is what was accepted and not yet paid
 * out, and the day exports total the facts of the day and are byte-identical when re-run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '#shared/events/derive.ts';
import {
  balances,
  closedDay,
  DEFAULT_CHART,
  exportCsv,
  exportJsonLines,
  isBalanced,
  type JournalEntry,
  journalEntry,
} from '#shared/paperwork/journal.ts';

const T0 = Date.parse('2026-03-05T10:00:00.000Z');
type Outcome = 'CARD' | 'TO_BALANCE' | 'REFUSED' | 'FAILED' | 'REVERSED' | 'PENDING';

const lineArb = fc.record({
  amount: fc.integer({ min: 1, max: 5_000_000 }),
  outcome: fc.constantFrom<Outcome>('CARD', 'TO_BALANCE', 'REFUSED', 'FAILED', 'REVERSED', 'PENDING'),
});
const orderArb = fc.record({
  account: fc.constantFrom('acct-a', 'acct-b', 'acct-c'),
  currency: fc.constantFrom('USD', 'JPY'),
  kind: fc.constantFrom('FULL_REFUND', 'PARTIAL_REFUND', 'RENEWAL_CANCELLATION'),
  lines: fc.array(lineArb, { minLength: 1, maxLength: 4 }),
  at: fc.integer({ min: 0, max: 3 * 86_400_000 }),
});
const adjustmentArb = fc.record({
  account: fc.constantFrom('acct-a', 'acct-b', 'acct-c'),
  currency: fc.constantFrom('USD', 'JPY'),
  amount: fc.integer({ min: -10_000, max: 10_000 }).filter((n) => n !== 0),
  at: fc.integer({ min: 0, max: 3 * 86_400_000 }),
});

let counter = 0;
const event = (
  type: DomainEvent['type'],
  accountId: string,
  at: number,
  data: DomainEvent['data'],
): DomainEvent => ({
  id: (++counter).toString(16).padStart(32, '0'),
  type,
  version: 1,
  accountId,
  occurredAt: new Date(T0 + at).toISOString(),
  data,
});

/** The events a history yields, as the service derives them, and the ledger entries it writes. */
type OrderGen = ReturnType<typeof orderArb.generate>['value'];
type AdjustmentGen = ReturnType<typeof adjustmentArb.generate>['value'];

function history(orders: OrderGen[], adjustments: AdjustmentGen[]) {
  const events: DomainEvent[] = [];
  const ledger: { account: string; currency: string; amount: number }[] = [];
  const owed: { account: string; currency: string; amount: number }[] = [];
  orders.forEach((order, n) => {
    const uo = `uo-${n}`;
    const total = order.lines.reduce((sum, l) => sum + l.amount, 0);
    const base = { unsubscribeOrderId: uo, instanceId: `i-${n}`, currency: order.currency };
    events.push(
      event('UnsubscribeOrderAccepted', order.account, order.at, {
        ...base,
        kind: order.kind === 'RENEWAL_CANCELLATION' ? 'CANCEL_RENEWAL' : 'UNSUBSCRIBE',
        refundType: order.kind,
        refundAmount: total,
        dueBy: new Date(T0 + order.at + 2 * 86_400_000).toISOString(),
      }),
    );
    owed.push({ account: order.account, currency: order.currency, amount: total });
    order.lines.forEach((line, i) => {
      const lineData = { ...base, orderId: `o-${n}-${i}`, refundAmount: line.amount };
      const at = order.at + 1000 * (i + 1);
      const credit = (cause: string) => {
        events.push(
          event('AccountBalanceCredited', order.account, at, {
            ...base,
            orderId: lineData.orderId,
            amount: line.amount,
            cause,
          }),
        );
        ledger.push({ account: order.account, currency: order.currency, amount: line.amount });
      };
      if (line.outcome === 'PENDING') return;
      if (line.outcome === 'CARD' || line.outcome === 'REVERSED')
        events.push(
          event('RefundLineSettled', order.account, at, {
            ...lineData,
            destination: 'ORIGINAL_PAYMENT_METHOD',
          }),
        );
      else
        events.push(
          event('RefundLineSettled', order.account, at, { ...lineData, destination: 'ACCOUNT_BALANCE' }),
        );
      if (line.outcome === 'TO_BALANCE') credit('REFUND_TO_BALANCE');
      if (line.outcome === 'REFUSED') credit('PROVIDER_REFUSED');
      if (line.outcome === 'FAILED') credit('PROVIDER_FAILED');
      if (line.outcome === 'REVERSED') {
        events.push(
          event('RefundLineReversed', order.account, at + 1, { ...lineData, destination: 'ACCOUNT_BALANCE' }),
        );
        credit('PROVIDER_REVERSED');
      }
    });
  });
  adjustments.forEach((adjustment, n) => {
    events.push(
      event('AccountBalanceAdjusted', adjustment.account, adjustment.at, {
        entryId: `adj-${n}`,
        currency: adjustment.currency,
        amount: adjustment.amount,
        cause: adjustment.amount > 0 ? 'GOODWILL_CREDIT' : 'CORRECTING_DEBIT',
      }),
    );
    ledger.push({ account: adjustment.account, currency: adjustment.currency, amount: adjustment.amount });
  });
  return { events, ledger, owed };
}

/** Posting as the journal does: once per fact id, whatever the delivery order and repeats. */
function post(deliveries: DomainEvent[]): JournalEntry[] {
  const posted = new Map<string, JournalEntry>();
  for (const e of deliveries) {
    if (posted.has(e.id)) continue;
    const entry = journalEntry(e, DEFAULT_CHART, Date.parse(e.occurredAt) + 500);
    if (entry) posted.set(e.id, entry);
  }
  return [...posted.values()];
}

const sumBy = <T>(items: T[], key: (t: T) => string, value: (t: T) => number) => {
  const totals = new Map<string, number>();
  for (const item of items) totals.set(key(item), (totals.get(key(item)) ?? 0) + value(item));
  return totals;
};

const deliveriesArb = (events: DomainEvent[]) =>
  fc.shuffledSubarray([...events, ...events], { minLength: events.length * 2, maxLength: events.length * 2 });

describe('journal postings (property-based)', () => {
  it('every entry balances; each fact is posted once; the balance liability equals the ledger; payable is owed minus paid', () => {
    fc.assert(
      fc.property(
        fc.array(orderArb, { maxLength: 8 }),
        fc.array(adjustmentArb, { maxLength: 3 }),
        fc.nat(),
        (orders, adjustments, seed) => {
          const { events, ledger, owed } = history(orders, adjustments);
          // Every event delivered twice, in a shuffled order.
          const deliveries = fc.sample(deliveriesArb(events), { numRuns: 1, seed })[0] ?? [];
          const entries = post(deliveries);
          expect(entries.every(isBalanced)).toBe(true);
          expect(new Set(entries.map((e) => e.entryId)).size).toBe(entries.length);

          const trial = balances(entries);
          const ledgerSums = sumBy(
            ledger,
            (l) => `${l.account}|${l.currency}`,
            (l) => l.amount,
          );
          for (const [key, sum] of ledgerSums) expect(trial.get(`customerBalances|${key}`) ?? 0).toBe(sum);
          for (const [key, value] of trial)
            if (key.startsWith('customerBalances|')) expect(value).toBe(ledgerSums.get(key.slice(17)) ?? 0);

          // Refunds payable: accepted, minus what was paid out or credited (pending lines stay owed).
          const paid = sumBy(
            orders.flatMap((o) => o.lines.filter((l) => l.outcome !== 'PENDING').map((l) => ({ ...l, o }))),
            (l) => `${l.o.account}|${l.o.currency}`,
            (l) => l.amount,
          );
          for (const [key, amount] of sumBy(
            owed,
            (o) => `${o.account}|${o.currency}`,
            (o) => o.amount,
          ))
            expect(trial.get(`refundsPayable|${key}`) ?? 0).toBe(amount - (paid.get(key) ?? 0));
          // The whole journal balances: the roles' nets add up to zero per currency.
          const byCurrency = sumBy(
            [...trial],
            ([key]) => key.split('|')[2] ?? '',
            ([, v]) => v,
          );
          for (const net of byCurrency.values()) expect(net).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a day export totals that day’s facts, and re-running it gives the same bytes', () => {
    fc.assert(
      fc.property(fc.array(orderArb, { minLength: 1, maxLength: 8 }), fc.nat(), (orders, seed) => {
        const { events } = history(orders, []);
        const entries = post(fc.sample(deliveriesArb(events), { numRuns: 1, seed })[0] ?? []);
        for (const day of new Set(entries.map((e) => e.day))) {
          const ofDay = entries.filter((e) => e.day === day);
          const csv = exportCsv(ofDay);
          const jsonl = exportJsonLines(ofDay);
          // The same entries read back in another order export to the same bytes.
          expect(exportCsv([...ofDay].reverse())).toBe(csv);
          expect(exportJsonLines([...ofDay].reverse())).toBe(jsonl);
          const rows = jsonl
            .trim()
            .split('\n')
            .map(
              (l) => JSON.parse(l) as { debit: number; credit: number; currency: string; entryId: string },
            );
          expect(rows).toHaveLength(ofDay.length * 2);
          expect(csv.split('\r\n').filter(Boolean)).toHaveLength(ofDay.length * 2 + 1);
          // Per currency: the day's debits = credits = the amounts of the day's facts.
          const facts = sumBy(
            ofDay,
            (e) => e.currency,
            (e) => e.lines[0]?.debit ?? 0,
          );
          expect(
            sumBy(
              rows,
              (r) => r.currency,
              (r) => r.debit,
            ),
          ).toEqual(facts);
          expect(
            sumBy(
              rows,
              (r) => r.currency,
              (r) => r.credit,
            ),
          ).toEqual(facts);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('journal entries (examples)', () => {
  it('a refund paid to the card: owed against revenue, then paid out from clearing', () => {
    const accepted = event('UnsubscribeOrderAccepted', 'acct-a', 0, {
      unsubscribeOrderId: 'uo-1',
      instanceId: 'i-1',
      kind: 'UNSUBSCRIBE',
      refundType: 'PARTIAL_REFUND',
      currency: 'USD',
      refundAmount: 98805,
      dueBy: '2026-03-07T16:00:00.000Z',
    });
    expect(journalEntry(accepted, DEFAULT_CHART, T0)?.lines).toEqual([
      { account: '4000', accountName: 'Subscription revenue', role: 'revenue', debit: 98805, credit: 0 },
      { account: '2100', accountName: 'Refunds payable', role: 'refundsPayable', debit: 0, credit: 98805 },
    ]);
    expect(journalEntry(accepted, DEFAULT_CHART, T0)?.day).toBe('2026-03-05');
    // 23:59:59.999 UTC+8 is still the 5th; midnight UTC+8 is the 6th.
    expect(journalEntry(accepted, DEFAULT_CHART, Date.parse('2026-03-05T15:59:59.999Z'))?.day).toBe(
      '2026-03-05',
    );
    expect(journalEntry(accepted, DEFAULT_CHART, Date.parse('2026-03-05T16:00:00.000Z'))?.day).toBe(
      '2026-03-06',
    );
    const settledToBalance = event('RefundLineSettled', 'acct-a', 1, {
      unsubscribeOrderId: 'uo-1',
      instanceId: 'i-1',
      orderId: 'o-1',
      currency: 'USD',
      refundAmount: 98805,
      destination: 'ACCOUNT_BALANCE',
    });
    // Posted from its AccountBalanceCredited instead, so never twice.
    expect(journalEntry(settledToBalance, DEFAULT_CHART, T0)).toBeNull();
  });

  it('the closed day is the UTC+8 day before now', () => {
    expect(closedDay(Date.parse('2026-03-05T16:30:00.000Z'))).toBe('2026-03-05');
    expect(closedDay(Date.parse('2026-03-05T15:30:00.000Z'))).toBe('2026-03-04');
  });

  it('a CSV field with a comma or a quote is quoted', () => {
    const entry = journalEntry(
      event('AccountBalanceAdjusted', 'acct-a', 0, {
        entryId: 'adj-1',
        currency: 'USD',
        amount: -250,
        cause: 'CORRECTING_DEBIT',
      }),
      { ...DEFAULT_CHART, balanceAdjustments: { code: '6100', name: 'Adjustments, "manual"' } },
      T0,
    ) as JournalEntry;
    expect(exportCsv([entry])).toContain('"Adjustments, ""manual"""');
    expect(entry.lines.map((l) => [l.role, l.debit, l.credit])).toEqual([
      ['customerBalances', 250, 0],
      ['balanceAdjustments', 0, 250],
    ]);
  });
});
