import { describe, expect, it } from 'vitest';
import { ConfigError } from '#shared/config.ts';
import { DEFAULT_CHART } from '#shared/paperwork/journal.ts';
import { readChart } from '#shared/paperwork-config.ts';

describe('the chart of accounts (JOURNAL_ACCOUNTS)', () => {
  it('is the documented defaults when unset', () => {
    expect(readChart({})).toEqual(DEFAULT_CHART);
    expect(readChart({}).customerBalances).toEqual({ code: '2200', name: 'Customer balances' });
  });

  it('overrides the roles it names and keeps the others', () => {
    const chart = readChart({
      JOURNAL_ACCOUNTS: JSON.stringify({ revenue: { code: '4010', name: 'Cloud revenue' } }),
    });
    expect(chart.revenue).toEqual({ code: '4010', name: 'Cloud revenue' });
    expect(chart.refundsPayable).toEqual(DEFAULT_CHART.refundsPayable);
  });

  it.each([
    ['not JSON', '{revenue', /JSON object/],
    ['an array', '[]', /JSON object/],
    [
      'an unknown role',
      JSON.stringify({ sales: { code: '1', name: 'x' } }),
      /JOURNAL_ACCOUNTS.sales is not a role/,
    ],
    ['a bad code', JSON.stringify({ revenue: { code: '40 00', name: 'x' } }), /revenue.code/],
    ['no name', JSON.stringify({ revenue: { code: '4000' } }), /revenue.name/],
    ['a code twice', JSON.stringify({ revenue: { code: '2100', name: 'x' } }), /same code/],
  ])('refuses %s, naming the variable', (_what, value, message) => {
    expect(() => readChart({ JOURNAL_ACCOUNTS: value })).toThrow(ConfigError);
    expect(() => readChart({ JOURNAL_ACCOUNTS: value })).toThrow(message);
  });
});
