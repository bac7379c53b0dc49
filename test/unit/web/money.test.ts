import { describe, expect, it } from 'vitest';
import { decimalToMinor, formatMoney, fractionDigits, minorToDecimal } from '../../../web/src/money.ts';

describe('console money formatting', () => {
  it('knows each currency’s minor-unit digits', () => {
    expect([fractionDigits('USD'), fractionDigits('JPY'), fractionDigits('KWD')]).toEqual([2, 0, 3]);
  });

  it('turns minor units into an exact decimal string', () => {
    expect(minorToDecimal(99900, 2)).toBe('999.00');
    expect(minorToDecimal(5, 2)).toBe('0.05');
    expect(minorToDecimal(-5, 2)).toBe('-0.05');
    expect(minorToDecimal(1234, 0)).toBe('1234');
    expect(minorToDecimal(1, 3)).toBe('0.001');
    expect(minorToDecimal(Number.MAX_SAFE_INTEGER, 2)).toBe('90071992547409.91');
  });

  it('refuses amounts that are not integers', () => {
    expect(() => minorToDecimal(1.5, 2)).toThrow(RangeError);
  });

  it('formats by currency with Intl.NumberFormat', () => {
    expect(formatMoney(99900, 'USD', 'en-US')).toBe('$999.00');
    expect(formatMoney(1234, 'JPY', 'en-US')).toBe('¥1,234');
    expect(formatMoney(1500, 'KWD', 'en-US')).toBe('KWD\u00a01.500');
    expect(formatMoney(Number.MAX_SAFE_INTEGER, 'USD', 'en-US')).toBe('$90,071,992,547,409.91');
  });

  it('reads a typed amount as minor units without floating point, refusing what is not one', () => {
    expect(decimalToMinor('150', 2)).toBe(15000);
    expect(decimalToMinor(' 150.5 ', 2)).toBe(15050);
    expect(decimalToMinor('0.29', 2)).toBe(29); // 0.29 * 100 is 28.999… in floating point
    expect(decimalToMinor('1234', 0)).toBe(1234);
    expect(decimalToMinor('1.001', 3)).toBe(1001);
    expect(decimalToMinor('90071992547409.91', 2)).toBe(Number.MAX_SAFE_INTEGER);
    for (const bad of ['', '0', '0.00', '-1', '1.234', '1,5', '1e3', '.5', '1.', '900719925474099.20'])
      expect(decimalToMinor(bad, 2), bad).toBeUndefined();
    expect(decimalToMinor('1.5', 0)).toBeUndefined();
  });
});
