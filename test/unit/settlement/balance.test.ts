import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '#shared/model.ts';
import { presentBalance } from '#shared/present.ts';
import { balancesOf, getBalance } from '#use-cases/get-balance.ts';

const entry = (overrides: Partial<LedgerEntry>): LedgerEntry => ({
  accountId: 'acct-1',
  entryId: 'uo-1:o-1',
  currency: 'USD',
  amount: 100,
  unsubscribeOrderId: 'uo-1',
  orderId: 'o-1',
  cause: 'REFUND_TO_BALANCE',
  createdAt: Date.parse('2026-03-05T10:00:00.000Z'),
  ...overrides,
});

describe('balance from the ledger', () => {
  it('sums entries per currency, sorted by currency', () => {
    expect(
      balancesOf([
        entry({ currency: 'USD', amount: 100 }),
        entry({ currency: 'EUR', amount: 7 }),
        entry({ currency: 'USD', amount: 2800 }),
      ]),
    ).toEqual([
      { currency: 'EUR', amount: 7 },
      { currency: 'USD', amount: 2900 },
    ]);
    expect(balancesOf([])).toEqual([]);
  });

  it('refuses a total that is no longer a safe integer', () => {
    expect(() =>
      balancesOf([entry({ amount: Number.MAX_SAFE_INTEGER }), entry({ entryId: 'x', amount: 1 })]),
    ).toThrow(RangeError);
  });

  it('lists entries newest first (ties by entry id) and presents instants as ISO strings without the account', async () => {
    const t = Date.parse('2026-03-05T10:00:00.000Z');
    const ledger = {
      entries: async () => [
        entry({ entryId: 'b', createdAt: t }),
        entry({ entryId: 'c', createdAt: t + 1, cause: 'PROVIDER_REFUSED' }),
        entry({ entryId: 'a', createdAt: t }),
      ],
    };

    const wire = presentBalance(await getBalance({ ledger }, 'acct-1'));

    expect(wire.balances).toEqual([{ currency: 'USD', amount: 300 }]);
    expect(wire.entries.map((e) => e.entryId)).toEqual(['c', 'a', 'b']);
    expect(wire.entries[0]).toEqual({
      entryId: 'c',
      currency: 'USD',
      amount: 100,
      cause: 'PROVIDER_REFUSED',
      unsubscribeOrderId: 'uo-1',
      orderId: 'o-1',
      createdAt: '2026-03-05T10:00:00.001Z',
    });
  });
});
