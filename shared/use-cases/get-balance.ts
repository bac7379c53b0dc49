/**
 * `GET /account/balance` (SPEC 4.2): the account balance, derived from the immutable ledger.
 *
 * Steps: read every ledger entry of the account → sum them per currency (integer minor units,
 * checked to stay safe integers) → balances sorted by currency, entries newest first
 * (ties by entry id, so the order is stable).
 */

import { addMoney } from '#policy/money.ts';
import type { LedgerReader } from '#ports/ledger.ts';
import type { MinorUnits } from '#shared/domain.ts';
import type { LedgerEntry } from '#shared/model.ts';

export interface CurrencyBalance {
  currency: string;
  amount: MinorUnits;
}

export interface Balance {
  balances: CurrencyBalance[];
  entries: LedgerEntry[];
}

export async function getBalance(deps: { ledger: LedgerReader }, accountId: string): Promise<Balance> {
  const entries = await deps.ledger.entries(accountId);
  const sorted = [...entries].sort(
    (a, b) => b.createdAt - a.createdAt || (a.entryId < b.entryId ? -1 : a.entryId > b.entryId ? 1 : 0),
  );
  return { balances: balancesOf(entries), entries: sorted };
}

/** The balance is the sum of the entries, per currency (sorted by currency code). */
export function balancesOf(entries: readonly LedgerEntry[]): CurrencyBalance[] {
  const totals = new Map<string, MinorUnits>();
  for (const entry of entries) {
    totals.set(
      entry.currency,
      addMoney(totals.get(entry.currency) ?? 0, entry.amount, `balance in ${entry.currency}`),
    );
  }
  return [...totals.keys()].sort().map((currency) => ({ currency, amount: totals.get(currency) ?? 0 }));
}
