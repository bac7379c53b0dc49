import { describe, expect, it } from 'vitest';
import { checkEligibility, quoteRenewalCancellation, quoteUnsubscribe } from '#policy/index.ts';
import type { Flags, InstanceFacts, QuoteKind } from '#shared/domain.ts';
import { RefundError } from '#shared/errors.ts';
import { at, instance, order } from './helpers.ts';

const flags = (
  overduePayment: boolean,
  securityLocked: boolean,
  configurationChangeInProgress: boolean,
): Flags => ({
  overduePayment,
  securityLocked,
  configurationChangeInProgress,
});

const facts = (fields: Partial<InstanceFacts>) =>
  instance(
    [
      order({ periodStart: at('2026-05-01T00:00:00.000Z'), periodEnd: at('2026-06-01T00:00:00.000Z') }),
      order({
        orderId: 'o-renew',
        type: 'RENEW',
        periodStart: at('2026-06-01T00:00:00.000Z'),
        periodEnd: at('2026-07-01T00:00:00.000Z'),
      }),
    ],
    fields,
  );

function bodyOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (error instanceof RefundError) return { status: error.status, ...error.toBody().error };
    throw error;
  }
  return undefined;
}

const KINDS: QuoteKind[] = ['UNSUBSCRIBE', 'CANCEL_RENEWAL'];

describe('checkEligibility (SPEC 2.1, first rule that applies wins)', () => {
  it.each(KINDS)('lets a healthy ACTIVE subscription through for %s', (kind) => {
    expect(() => checkEligibility(facts({}), kind)).not.toThrow();
  });

  it.each([
    {
      what: 'UNSUBSCRIBED',
      fields: { status: 'UNSUBSCRIBED' as const },
      expected: {
        status: 409,
        code: 'INSTANCE_NOT_ACTIVE',
        message: 'The instance is unsubscribed, not active',
        details: { instanceId: 'i-1', status: 'UNSUBSCRIBED' },
      },
    },
    {
      what: 'RELEASED, pay-as-you-go and locked: status wins',
      fields: {
        status: 'RELEASED' as const,
        billingMethod: 'PAY_AS_YOU_GO' as const,
        flags: flags(true, true, true),
      },
      expected: {
        status: 409,
        code: 'INSTANCE_NOT_ACTIVE',
        message: 'The instance is released, not active',
        details: { instanceId: 'i-1', status: 'RELEASED' },
      },
    },
    {
      what: 'pay-as-you-go and overdue: billing method wins',
      fields: { billingMethod: 'PAY_AS_YOU_GO' as const, flags: flags(true, false, false) },
      expected: {
        status: 422,
        code: 'NOT_REFUNDABLE',
        message: 'A pay-as-you-go instance is not refundable; release it instead',
        details: { instanceId: 'i-1', billingMethod: 'PAY_AS_YOU_GO' },
      },
    },
    ...(
      [
        [flags(true, false, false), ['OVERDUE_PAYMENT']],
        [flags(false, true, false), ['SECURITY_LOCKED']],
        [flags(false, false, true), ['CONFIGURATION_CHANGE_IN_PROGRESS']],
        [flags(false, true, true), ['SECURITY_LOCKED', 'CONFIGURATION_CHANGE_IN_PROGRESS']],
        [flags(true, true, true), ['OVERDUE_PAYMENT', 'SECURITY_LOCKED', 'CONFIGURATION_CHANGE_IN_PROGRESS']],
      ] as const
    ).map(([f, reasons]) => ({
      what: `flags ${reasons.join('+')}`,
      fields: { flags: f },
      expected: {
        status: 409,
        code: 'RESOURCE_INFO_UNAVAILABLE',
        message: 'Failed to obtain unsubscription resource information',
        details: { reasons: [...reasons] },
      },
    })),
  ])('$what → $expected.code', ({ fields, expected }) => {
    for (const kind of KINDS) {
      const body = bodyOf(() => checkEligibility(facts(fields), kind));
      const details = expected.code === 'NOT_REFUNDABLE' ? { ...expected.details, kind } : expected.details;
      expect(body).toEqual({ ...expected, details });
    }
  });

  it('is applied by both quotes before anything else', () => {
    const locked = facts({ flags: flags(false, true, false) });
    const now = at('2026-05-20T00:00:00.000Z');
    expect(bodyOf(() => quoteUnsubscribe(locked, { now, quotaUsed: false }))?.code).toBe(
      'RESOURCE_INFO_UNAVAILABLE',
    );
    expect(bodyOf(() => quoteRenewalCancellation(locked, { now }))?.code).toBe('RESOURCE_INFO_UNAVAILABLE');
    // Even an invalid expiration time is not looked at while the instance is locked.
    expect(bodyOf(() => quoteRenewalCancellation(locked, { now, updatedExpirationTime: 1 }))?.code).toBe(
      'RESOURCE_INFO_UNAVAILABLE',
    );
  });
});
