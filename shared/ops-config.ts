/**
 * The back office's settings, read once at cold start (like `config.ts`, failing loudly with
 * the variable's name): the four-eyes thresholds per currency and how long an approval
 * request waits before it expires.
 */
import { type FourEyesThresholds, parseThresholds } from '#policy/four-eyes.ts';
import { ConfigError } from './config.ts';

/** 100.00 in the usual two-decimal currencies; any other currency always needs an approver. */
export const DEFAULT_FOUR_EYES_THRESHOLDS = 'USD:10000,EUR:10000,GBP:10000';
export const DEFAULT_APPROVAL_TTL_HOURS = 72;

export interface OpsConfig {
  thresholds: FourEyesThresholds;
  approvalTtlMs: number;
}

export function readOpsConfig(env: NodeJS.ProcessEnv = process.env): OpsConfig {
  const problems: string[] = [];
  const text = env.FOUR_EYES_THRESHOLDS ?? DEFAULT_FOUR_EYES_THRESHOLDS;
  const parsed = parseThresholds(text);
  if ('wrong' in parsed)
    problems.push(
      `FOUR_EYES_THRESHOLDS=${JSON.stringify(parsed.wrong)} is not CUR:minorUnits (e.g. USD:10000, or *:0 for every other currency)`,
    );
  const hoursText = env.APPROVAL_TTL_HOURS ?? String(DEFAULT_APPROVAL_TTL_HOURS);
  const hours = /^\d{1,4}$/.test(hoursText) ? Number(hoursText) : Number.NaN;
  if (!(hours >= 1 && hours <= 720))
    problems.push(
      `APPROVAL_TTL_HOURS=${JSON.stringify(hoursText)} must be a whole number of hours from 1 to 720`,
    );
  if (problems.length > 0 || 'wrong' in parsed) throw new ConfigError(problems);
  return { thresholds: parsed.thresholds, approvalTtlMs: hours * 3_600_000 };
}
