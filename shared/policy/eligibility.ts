import type { InstanceFacts, QuoteKind } from '#shared/domain.ts';
import { RefundError } from '#shared/errors.ts';

export const RESOURCE_INFO_UNAVAILABLE_MESSAGE = 'Failed to obtain unsubscription resource information';

export type AbnormalReason = 'OVERDUE_PAYMENT' | 'SECURITY_LOCKED' | 'CONFIGURATION_CHANGE_IN_PROGRESS';

/** The abnormal flags that are set, in the order SPEC 2.1 lists them. */
export function abnormalReasons(flags: InstanceFacts['flags']): AbnormalReason[] {
  const reasons: AbnormalReason[] = [];
  if (flags.overduePayment) reasons.push('OVERDUE_PAYMENT');
  if (flags.securityLocked) reasons.push('SECURITY_LOCKED');
  if (flags.configurationChangeInProgress) reasons.push('CONFIGURATION_CHANGE_IN_PROGRESS');
  return reasons;
}

/**
 * Who may unsubscribe or cancel a renewal (SPEC 2.1, rules 2–4, first match wins). Rule 1
 * (`NOT_FOUND`: unknown or another account's instance) is the caller's, who knows the account.
 * Both kinds get the same checks: a pay-as-you-go instance has no prepaid renewal to cancel
 * either, and an abnormal state blocks self-service for both.
 */
export function checkEligibility(instance: InstanceFacts, kind: QuoteKind): void {
  if (instance.status !== 'ACTIVE') {
    throw new RefundError(
      'INSTANCE_NOT_ACTIVE',
      `The instance is ${instance.status.toLowerCase()}, not active`,
      {
        instanceId: instance.instanceId,
        status: instance.status,
      },
    );
  }
  if (instance.billingMethod === 'PAY_AS_YOU_GO') {
    throw new RefundError(
      'NOT_REFUNDABLE',
      'A pay-as-you-go instance is not refundable; release it instead',
      { instanceId: instance.instanceId, billingMethod: instance.billingMethod, kind },
    );
  }
  const { flags } = instance;
  if (flags.overduePayment || flags.securityLocked || flags.configurationChangeInProgress) {
    throw new RefundError('RESOURCE_INFO_UNAVAILABLE', RESOURCE_INFO_UNAVAILABLE_MESSAGE, {
      reasons: abnormalReasons(flags),
    });
  }
}
