import type { Millis } from '#shared/domain.ts';
import type { RetentionDerivation } from './derivation.ts';
import type { Policy } from './document.ts';
import { DEFAULT_POLICY } from './registry.ts';
import { DAY_MS, nextBillingMidnight } from './time.ts';

/** Configuration data is kept 7 × 24 h (the default policy). */
export const CONFIG_RETENTION_MS = 7 * DAY_MS;

export interface RetentionDeadlines {
  configDataPurgeAt: Millis;
  logDataPurgeAt: Millis;
}

/**
 * When the data of an instance unsubscribed at `unsubscribedAt` is purged (SPEC 2.4):
 * configuration data `retention.configurationDataHours` later (7 × 24 h); log analysis data at
 * the next 00:00 in the billing time zone strictly after it (unsubscribed exactly at midnight →
 * the following midnight, a full day later).
 */
export function retentionDeadlines(
  unsubscribedAt: Millis,
  policy: Policy = DEFAULT_POLICY,
): RetentionDeadlines {
  return {
    configDataPurgeAt: unsubscribedAt + policy.configRetentionMs,
    logDataPurgeAt: nextBillingMidnight(unsubscribedAt, policy.billingOffsetMs),
  };
}

export function explainRetention(
  unsubscribedAt: Millis,
  policy: Policy = DEFAULT_POLICY,
): RetentionDerivation {
  const deadlines = retentionDeadlines(unsubscribedAt, policy);
  return {
    unsubscribedAt,
    configDataHours: policy.retention.configurationDataHours,
    configDataPurgeAt: deadlines.configDataPurgeAt,
    logDataPurgeAt: deadlines.logDataPurgeAt,
    billingUtcOffsetMinutes: policy.billingTimeZone.utcOffsetMinutes,
  };
}
