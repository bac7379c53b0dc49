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

/** A whole number in [min, max] given as a string. */
function wholeNumber(min: number, max: number) {
  return z.pipe(
    z.string().check(z.regex(/^\d{1,8}$/)),
    z.pipe(z.transform(Number), z.number().check(z.gte(min), z.lte(max))),
  );
}

const schema = z.object({
  TABLE_NAME: tableName,
  REFUND_QUEUE_URL: queueUrl,
  /** Comma-separated `YYYY-MM-DD` dates (UTC+8) that are not business days for `dueBy`. */
  HOLIDAYS: holidayList,
  /** First retry delay of a failed refund message, doubled on each receive (default 30 s). */
  RETRY_BASE_SECONDS: seconds,
  /** `simulator` (default, SPEC 3.4's embedded provider) or `stripe`. */
  PAYMENT_PROVIDER: z._default(z.enum(['simulator', 'stripe']), 'simulator'),
  /** Name of the Secrets Manager secret holding `{"apiKey", "webhookSecret"}` (required for `stripe`). */
  STRIPE_SECRET_NAME: z.optional(z.string().check(z.minLength(1))),
  /** Oldest accepted webhook signature timestamp, seconds (1–3600, default 300 as Stripe's SDK). */
  STRIPE_WEBHOOK_TOLERANCE_SECONDS: z._default(wholeNumber(1, 3600), 300),
  /** A `SUBMITTED` refund with no answer this long (seconds, default 1 h) is retrieved from Stripe. */
  STRIPE_SUBMITTED_RECONCILE_AFTER: z._default(wholeNumber(60, 30 * 86_400), 3600),
  /** How long a refund settled to the card is still checked for a later failure (days, default 30). */
  STRIPE_FAILURE_WATCH_DAYS: z._default(wholeNumber(0, 120), 30),
  /** The SDK's own retries (0–3, default 0: the refund queue retries). */
  STRIPE_MAX_NETWORK_RETRIES: z._default(wholeNumber(0, 3), 0),
  /** Only for a local fake of Stripe's API (tests): host, port and protocol of the API. */
  STRIPE_API_HOST: z.optional(z.string().check(z.minLength(1))),
  STRIPE_API_PORT: z.optional(wholeNumber(1, 65_535)),
  STRIPE_API_PROTOCOL: z.optional(z.enum(['http', 'https'])),
});

export interface Config {
  tableName: string;
  refundQueueUrl: string | undefined;
  holidays: string[];
  retryBaseSeconds: number;
  paymentProvider: 'simulator' | 'stripe';
  stripe: StripeConfig;
}

export interface StripeConfig {
  secretName: string | undefined;
  webhookToleranceSeconds: number;
  submittedReconcileAfterMs: number;
  failureWatchMs: number;
  maxNetworkRetries: number;
  /** Set only to point the SDK at a local fake. */
  api: { host?: string; port?: number; protocol?: 'http' | 'https' };
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
    paymentProvider: result.data.PAYMENT_PROVIDER,
    stripe: {
      secretName: result.data.STRIPE_SECRET_NAME,
      webhookToleranceSeconds: result.data.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
      submittedReconcileAfterMs: result.data.STRIPE_SUBMITTED_RECONCILE_AFTER * 1000,
      failureWatchMs: result.data.STRIPE_FAILURE_WATCH_DAYS * 86_400_000,
      maxNetworkRetries: result.data.STRIPE_MAX_NETWORK_RETRIES,
      api: {
        ...(result.data.STRIPE_API_HOST ? { host: result.data.STRIPE_API_HOST } : {}),
        ...(result.data.STRIPE_API_PORT ? { port: result.data.STRIPE_API_PORT } : {}),
        ...(result.data.STRIPE_API_PROTOCOL ? { protocol: result.data.STRIPE_API_PROTOCOL } : {}),
      },
    },
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

/** An EventBridge bus name: 1–256 of `a-z A-Z 0-9 . _ - /`. */
const busSchema = z.object({
  EVENT_BUS_NAME: z.string().check(z.regex(/^[\w./-]{1,256}$/, 'must be an EventBridge bus name')),
});

/** The event publisher's one setting (it reads the table's stream, so it needs no table name). */
export function readEventBusConfig(env: NodeJS.ProcessEnv = process.env): { eventBusName: string } {
  const result = z.safeParse(busSchema, env);
  if (!result.success) {
    const value = env.EVENT_BUS_NAME;
    throw new ConfigError([
      value === undefined
        ? 'EVENT_BUS_NAME is missing'
        : `EVENT_BUS_NAME=${JSON.stringify(value)} ${result.error.issues[0]?.message}`,
    ]);
  }
  return { eventBusName: result.data.EVENT_BUS_NAME };
}

/** The queue URL, for the functions that enqueue refunds; throws at cold start if unset. */
export function requireQueueUrl(config: Config): string {
  if (!config.refundQueueUrl) throw new ConfigError(['REFUND_QUEUE_URL is missing']);
  return config.refundQueueUrl;
}
