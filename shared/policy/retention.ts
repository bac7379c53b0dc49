import type { Millis } from '#shared/domain.ts';
import { DAY_MS, nextBillingMidnight } from './time.ts';

export const CONFIG_RETENTION_MS = 7 * DAY_MS;

export interface RetentionDeadlines {
  configDataPurgeAt: Millis;
  logDataPurgeAt: Millis;
}

/**
 * When the data of an instance unsubscribed at `unsubscribedAt` is purged (SPEC 2.4):
 * configuration data 7 × 24 h later; log analysis data at the next 00:00 UTC+8 strictly after
 * it (unsubscribed exactly at midnight → the following midnight, a full day later).
 */
export function retentionDeadlines(unsubscribedAt: Millis): RetentionDeadlines {
  return {
    configDataPurgeAt: unsubscribedAt + CONFIG_RETENTION_MS,
    logDataPurgeAt: nextBillingMidnight(unsubscribedAt),
  };
}
