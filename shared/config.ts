/**
 * Configuration, parsed once at cold start with zod/mini: every setting a function reads is
 * checked here, so a bad one (a missing table, `HOLIDAYS=2026-13-45`, a non-numeric retry
 * base) fails the function at import with a message naming the variable, instead of
 * defaulting to something that hides the mistake or surfacing later as a customer's 400.
 * AWS endpoints for the local runtime come from the SDK's own `AWS_ENDPOINT_URL_DYNAMODB` /
 * `AWS_ENDPOINT_URL_SQS`.
 */
import * as z from 'zod/mini';
import { dayOfDate } from '#policy/time.ts';

/** A DynamoDB table name: 3–255 of `a-z A-Z 0-9 _ . -`. */
const tableName = z
  .string()
  .check(z.regex(/^[\w.-]{3,255}$/, 'must be a DynamoDB table name (3–255 of a-z A-Z 0-9 _ . -)'));

const queueUrl = z.optional(
  z.string().check(z.refine((v) => URL.canParse(v) && /^https?:/.test(v), 'must be an http(s) URL')),
);

/** Comma-separated `YYYY-MM-DD` dates; each must be a real calendar date. */
const holidayList = z.pipe(
  z.optional(z.string()),
  z.pipe(
    z.transform((value: string | undefined) =>
      (value ?? '')
        .split(',')
        .map((d) => d.trim())
        .filter(Boolean),
    ),
    z.array(
      z
        .string()
        .check(
          z.refine(
            (d) => dayOfDate(d) !== undefined,
            'is not a real YYYY-MM-DD date (HOLIDAYS is comma-separated dates)',
          ),
        ),
    ),
  ),
);

const seconds = z._default(
  z.pipe(
    z.string().check(z.regex(/^\d{1,4}$/, 'must be a whole number of seconds (0–9999)')),
    z.transform(Number),
  ),
  30,
);

const schema = z.object({
  TABLE_NAME: tableName,
  REFUND_QUEUE_URL: queueUrl,
  /** Comma-separated `YYYY-MM-DD` dates (UTC+8) that are not business days for `dueBy`. */
  HOLIDAYS: holidayList,
  /** First retry delay of a failed refund message, doubled on each receive (default 30 s). */
  RETRY_BASE_SECONDS: seconds,
});

export interface Config {
  tableName: string;
  refundQueueUrl: string | undefined;
  holidays: string[];
  retryBaseSeconds: number;
}

/** A setting is missing or malformed; thrown at cold start, so the function never serves. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = z.safeParse(schema, env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const [variable, index] = issue.path;
      const value = env[String(variable)];
      if (value === undefined) return `${String(variable)} is missing`;
      const item = variable === 'HOLIDAYS' && typeof index === 'number' ? holidayItem(value, index) : value;
      return `${String(variable)}=${JSON.stringify(item)} ${issue.message}`;
    });
    throw new ConfigError([...new Set(problems)]);
  }
  return {
    tableName: result.data.TABLE_NAME,
    refundQueueUrl: result.data.REFUND_QUEUE_URL,
    holidays: result.data.HOLIDAYS,
    retryBaseSeconds: result.data.RETRY_BASE_SECONDS,
  };
}

function holidayItem(value: string, index: number): string {
  return (
    value
      .split(',')
      .map((d) => d.trim())
      .filter(Boolean)[index] ?? value
  );
}

/**
 * `HOLIDAYS` as the functions will read it (the stack checks its `holidays` context with
 * this at synth, so a bad date fails the synth rather than the deployed functions' start).
 */
export function parseHolidays(value: string | undefined): string[] {
  const result = z.safeParse(holidayList, value);
  if (!result.success) {
    const index = result.error.issues[0]?.path[0];
    const item = typeof index === 'number' && value !== undefined ? holidayItem(value, index) : value;
    throw new ConfigError([`HOLIDAYS=${JSON.stringify(item)} ${result.error.issues[0]?.message}`]);
  }
  return result.data;
}

/** The queue URL, for the functions that enqueue refunds; throws at cold start if unset. */
export function requireQueueUrl(config: Config): string {
  if (!config.refundQueueUrl) throw new ConfigError(['REFUND_QUEUE_URL is missing']);
  return config.refundQueueUrl;
}
