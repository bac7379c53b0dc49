import { describe, expect, it } from 'vitest';
import { benchPolicy } from '../../bench/policy.ts';

describe('benchPolicy (quick mode)', () => {
  it('reports a positive figure against the 300,000 quotes/s target', async () => {
    const result = await benchPolicy({ quick: true });
    expect(result.target).toBe(300_000);
    expect(Number.isFinite(result.quotesPerSecond)).toBe(true);
    expect(result.quotesPerSecond).toBeGreaterThan(0);
    expect(result.name).toMatch(/^policy:/);
  });
});
