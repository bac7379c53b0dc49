import { describe, expect, it } from 'vitest';
import { quoteUnsubscribe } from '#policy/index.ts';
import { presentQuoteDerivation } from '#shared/present-derivation.ts';
import { explanation, lineSentence, whyRefundType } from '../../../web/src/explain.ts';
import { at, instance, order } from '../../policy/helpers.ts';

const DAY = 86_400_000;
const paid = at('2026-01-10T00:00:00.000Z');
const facts = instance([
  order({ paidAt: paid, periodStart: paid, periodEnd: paid + 97 * DAY, cashPaid: 99_999, voucherPaid: 500 }),
]);

describe('the console explains a derivation in plain words', () => {
  it('a line in effect: days used, the whole-day rule, the arithmetic and the rounding', () => {
    const q = quoteUnsubscribe(facts, { now: paid + 40 * DAY + 1, quotaUsed: false });
    const d = presentQuoteDerivation(q.derivation);
    expect(lineSentence(d.lines[0] as never, 'USD')).toBe(
      '41 of 97 days used; a started day counts as a whole day; $999.99 × 56 / 97 = $577.31, rounded down.',
    );
    expect(whyRefundType(d)).toMatch(
      /^Your purchase was 41 days ago; the full refund applies within 5 days \(until /,
    );
    const all = explanation(d);
    expect(all).toContain('$5.00 paid by voucher is not refundable.');
    expect(all.at(-1)).toBe('Rules: security-center/international, version 1.');
  });

  it("the year's full refund used: when and for which instance", () => {
    const q = quoteUnsubscribe(facts, {
      now: paid + DAY,
      quotaUsed: true,
      quotaUsedBy: {
        unsubscribeOrderId: 'uo-1',
        instanceId: 'i-other',
        usedAt: at('2026-01-05T04:00:00.000Z'),
      },
    });
    expect(whyRefundType(presentQuoteDerivation(q.derivation))).toMatch(
      /^This year's full refund was used on .* \(UTC\+8\) for i-other\.$/,
    );
  });

  it('a full refund needs no "why"', () => {
    const q = quoteUnsubscribe(facts, { now: paid + DAY, quotaUsed: false });
    expect(whyRefundType(presentQuoteDerivation(q.derivation))).toBeNull();
  });
});
