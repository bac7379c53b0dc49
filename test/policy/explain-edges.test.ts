/** Edges of recomputing and of the policy registry, in process. */
import { describe, expect, it } from 'vitest';
import { Backtest, recordedOrder } from '#policy/backtest.ts';
import { differences, recompute } from '#policy/explain.ts';
import {
  DAY_MS,
  DEFAULT_POLICY,
  PolicyError,
  PolicyRegistry,
  parsePolicy,
  quoteRenewalCancellation,
  quoteUnsubscribe,
} from '#policy/index.ts';
import { presentQuoteDerivation } from '#shared/present-derivation.ts';
import { at, fixture, instance, order } from './helpers.ts';

const V1 = 'policies/security-center/international/v1.json';
const raw = () => JSON.parse(JSON.stringify(source)) as Record<string, unknown>;
const source = {
  id: 'security-center/international',
  version: 1,
  product: '*',
  effectiveFrom: '2026-01-01T00:00:00.000Z',
  description: 'test',
  billingTimeZone: { utcOffsetMinutes: 480 },
  fullRefund: { windowHours: 120, perAccountProductYear: 1 },
  proration: { dayCounting: 'STARTED_DAY_COUNTS_WHOLE', rounding: 'DOWN_TO_MINOR_UNIT' },
  vouchersRefundable: false,
  destinations: { cardRefundWindowDays: 150, paypalRefundWindowDays: 180 },
  retention: { configurationDataHours: 168, logData: 'NEXT_BILLING_MIDNIGHT' },
  settlement: { businessDays: 2 },
  quoteValidityMinutes: 15,
};

describe('recompute', () => {
  it('reproduces a renewal cancellation from its derivation', () => {
    const q = quoteRenewalCancellation(fixture('example-4-renewals.json'), {
      now: at('2026-05-20T00:00:00.000Z'),
    });
    const again = recompute(q.derivation, DEFAULT_POLICY);
    expect(differences(q, again)).toEqual([]);
  });

  it('names a refusal, a changed type and a changed line', () => {
    const paid = at('2026-03-01T00:00:00.000Z');
    const facts = instance([
      order({ paidAt: paid, periodStart: paid, periodEnd: paid + 10 * DAY_MS, cashPaid: 1 }),
    ]);
    const q = quoteUnsubscribe(facts, { now: paid + DAY_MS, quotaUsed: false });
    // With no full refund, one unit over ten days used one day: floor(1 × 9 / 10) = 0 → nothing to refund.
    const none = parsePolicy(
      { ...source, fullRefund: { windowHours: 120, perAccountProductYear: 0 } },
      'p.json',
    );
    const again = recompute(q.derivation, none);
    expect(again.refusal).toBe('NOTHING_TO_REFUND');
    expect(differences(q, again).map((d) => d.field)).toEqual([
      'refusal',
      'refundType',
      'refundAmount',
      `lines.${q.lines[0]?.orderId}.refundAmount`,
    ]);
  });
});

describe('backtest edges', () => {
  it('reads only refund-derivation/1 and counts a refusal as a change', () => {
    expect(() => recordedOrder({ derivation: { schema: 'other/9' } })).toThrow(/unknown derivation schema/);
    expect(() =>
      recordedOrder({
        derivation: {
          schema: 'refund-derivation/1',
          policy: { id: 'x', version: 1 },
          inputs: { asOf: 'not a time', orders: [] },
          eligibility: {},
        },
      }),
    ).toThrow(/asOf/);
    const paid = at('2026-03-01T00:00:00.000Z');
    const facts = instance([
      order({ paidAt: paid, periodStart: paid, periodEnd: paid + 10 * DAY_MS, cashPaid: 1 }),
    ]);
    const q = quoteUnsubscribe(facts, { now: paid + DAY_MS, quotaUsed: false });
    const line = JSON.stringify({
      unsubscribeOrderId: 'uo-1',
      currency: q.currency,
      refundType: q.refundType,
      refundAmount: q.refundAmount,
      lines: q.lines,
      derivation: presentQuoteDerivation(q.derivation),
    });
    const run = new Backtest(
      parsePolicy({ ...source, fullRefund: { windowHours: 120, perAccountProductYear: 0 } }, 'p.json'),
    );
    run.add(line, 1);
    expect(run.report()).toMatchObject({
      ordersChanged: 1,
      refundTypeChanged: 1,
      totalDifference: { USD: '-1' },
    });
  });
});

describe('policy documents and registry edges', () => {
  it('refuses a document that is not an object, an empty description, a non-object section', () => {
    for (const [doc, field] of [
      [[], '(document)'],
      [{ ...raw(), description: '' }, 'description'],
      [{ ...raw(), settlement: 2 }, 'settlement'],
      [{ ...raw(), id: 'Not An Id' }, 'id'],
    ] as const) {
      try {
        parsePolicy(doc, 'p.json');
        throw new Error('accepted');
      } catch (error) {
        expect(error).toBeInstanceOf(PolicyError);
        expect((error as PolicyError).field).toBe(field);
      }
    }
  });

  it('refuses versions going back in time, a product changing between versions, and no default', () => {
    const v2 = { ...raw(), version: 2, effectiveFrom: '2025-01-01T00:00:00.000Z' };
    expect(
      () => new PolicyRegistry({ [V1]: raw(), 'policies/security-center/international/v2.json': v2 }),
    ).toThrow(/effectiveFrom/);
    const moved = { ...raw(), version: 2, product: 'other' };
    expect(
      () => new PolicyRegistry({ [V1]: raw(), 'policies/security-center/international/v2.json': moved }),
    ).toThrow(/must stay/);
    const own = { ...raw(), id: 'a/b', product: 'p' };
    expect(() => new PolicyRegistry({ 'policies/a/b/v1.json': own })).toThrow(/default policy/);
  });

  it('before the first version took effect, the first version applies', () => {
    const registry = new PolicyRegistry({ [V1]: raw() });
    expect(registry.forProduct('x', at('2020-01-01T00:00:00.000Z')).version).toBe(1);
    expect(registry.get({ id: 'nope/none', version: 1 })).toBeUndefined();
    expect(registry.all()).toHaveLength(1);
  });
});
