/**
 * The SPEC's worked examples, explained: each derivation as the API shows it, kept as a golden
 * file in test/fixtures/derivations/ (a change to a rule's explanation shows up as a diff there).
 */
import { describe, expect, it } from 'vitest';
import { explainDueBy, explainRetention, quoteRenewalCancellation, quoteUnsubscribe } from '#policy/index.ts';
import { presentOrderDerivation, presentQuoteDerivation } from '#shared/present-derivation.ts';
import { at, fixture } from './helpers.ts';

const golden = (name: string) => `../fixtures/derivations/${name}.json`;
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

describe('derivations of the worked examples', () => {
  it('1: a full refund within the window, quota free', async () => {
    const q = quoteUnsubscribe(fixture('example-1-2-annual.json'), {
      now: at('2026-03-05T10:00:00.000Z'),
      quotaUsed: false,
    });
    expect(q.derivation.eligibility.rule).toBe('FULL_REFUND_WITHIN_WINDOW');
    await expect(json(presentQuoteDerivation(q.derivation))).toMatchFileSnapshot(golden('example-1'));
  });

  it('2: the quota used by another order: the unused days, rounded down', async () => {
    const q = quoteUnsubscribe(fixture('example-1-2-annual.json'), {
      now: at('2026-03-05T10:00:00.000Z'),
      quotaUsed: true,
      quotaUsedBy: {
        unsubscribeOrderId: 'uo-earlier',
        instanceId: 'i-other',
        usedAt: at('2026-01-20T08:00:00.000Z'),
      },
    });
    expect(q.derivation.eligibility).toMatchObject({
      rule: 'PARTIAL_QUOTA_USED',
      quota: { usedBy: { instanceId: 'i-other' } },
    });
    expect(presentQuoteDerivation(q.derivation).lines[0]?.formula).toBe(
      '99900 × 361 / 365 = 98805 remainder 75 → 98805 (rounded down)',
    );
    await expect(json(presentQuoteDerivation(q.derivation))).toMatchFileSnapshot(golden('example-2'));
  });

  it('3: a line in effect and a renewal not started, with the order deadlines fixed at confirmation', async () => {
    const now = at('2026-02-05T12:30:00.000Z');
    const q = quoteUnsubscribe(fixture('example-3-monthly.json'), { now, quotaUsed: false });
    expect(q.derivation.lines.map((l) => l.rule)).toEqual(['IN_EFFECT', 'NOT_STARTED']);
    const order = { ...q.derivation, retention: explainRetention(now), dueBy: explainDueBy(now) };
    await expect(json(presentOrderDerivation(order))).toMatchFileSnapshot(golden('example-3-order'));
  });

  it('4: a renewal cancellation', async () => {
    const q = quoteRenewalCancellation(fixture('example-4-renewals.json'), {
      now: at('2026-05-20T00:00:00.000Z'),
    });
    expect(q.derivation.lines.every((l) => l.rule === 'RENEWAL_NOT_STARTED')).toBe(true);
    await expect(json(presentQuoteDerivation(q.derivation))).toMatchFileSnapshot(golden('example-4'));
  });

  it('6: confirmed on a Friday: the weekend is skipped', async () => {
    const due = explainDueBy(at('2026-11-27T02:00:00.000Z'));
    expect(due).toMatchObject({
      confirmedDay: '2026-11-27',
      skipped: [
        { day: '2026-11-28', why: 'WEEKEND' },
        { day: '2026-11-29', why: 'WEEKEND' },
      ],
      businessDays: ['2026-11-30', '2026-12-01'],
      dueBy: at('2026-12-01T16:00:00.000Z'),
    });
  });
});
