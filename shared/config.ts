/**
 * Configuration, parsed once at cold start: every setting a function reads is checked here,
 * so a bad one (a missing table, `HOLIDAYS=2026-13-45`, a non-numeric retry base) fails the
 * function at import with a message naming the variable, instead of defaulting to something
 * that hides the mistake or surfacing later as a customer's 400. Every problem is listed at
 * once. AWS endpoints for the local runtime come from the SDK's own
 * `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL_SQS`.
 *
 * Plain functions rather than a zod schema: the settings are a dozen strings, and building
 * and compiling their schema was ~90 zod objects at every cold start (docs/performance.md).
 */
import { type Keyring, KeyringError, parseKeyring } from '#http/page-token-keys.ts';
import { dayOfDate } from '#policy/time.ts';

/**
 * Reads one variable: its value, or a problem (a message without the variable's name;
 * `shown` is the part of the value to quote, when not the whole).
 */
type Read<T> = (value: string | undefined) => { value: T } | { problem: string; shown?: string };
type Check<T> = (value: string) => ReturnType<Read<T>>;

const ok = <T>(value: T) => ({ value });
const bad = (problem: string, shown?: string) => (shown === undefined ? { problem } : { problem, shown });

/** Required: a missing variable is a problem of its own. */
const required =
  <T>(check: Check<T>): Read<T> =>
  (value) =>
    value === undefined ? bad('is missing') : check(value);

/** Optional: a missing variable takes `fallback` (a set but empty one is still checked). */
function optional<T>(check: Check<T>): Read<T | undefined>;
function optional<T>(check: Check<T>, fallback: T): Read<T>;
function optional<T>(check: Check<T>, fallback?: T): Read<T | undefined> {
  return (value) => (value === undefined ? ok(fallback) : check(value));
}

const matching =
  (pattern: RegExp, message: string): Check<string> =>
  (value) =>
    pattern.test(value) ? ok(value) : bad(message);

const nonEmpty: Check<string> = (value) => (value.length > 0 ? ok(value) : bad('must not be empty'));

/** A whole number in [min, max], written in digits. */
const wholeNumber =
  (min: number, max: number, message = `must be a whole number from ${min} to ${max}`): Check<number> =>
  (value) => {
    const n = /^\d{1,8}$/.test(value) ? Number(value) : Number.NaN;
    return n >= min && n <= max ? ok(n) : bad(message);
  };

const oneOf =
  <const T extends string>(...options: T[]): Check<T> =>
  (value) =>
    (options as readonly string[]).includes(value)
      ? ok(value as T)
      : bad(`must be one of ${options.join(', ')}`);

/** A DynamoDB table name: 3–255 of `a-z A-Z 0-9 _ . -`. */
const tableName = matching(/^[\w.-]{3,255}$/, 'must be a DynamoDB table name (3–255 of a-z A-Z 0-9 _ . -)');

const httpUrl: Check<string> = (value) =>
  URL.canParse(value) && /^https?:/.test(value) ? ok(value) : bad('must be an http(s) URL');

/** Comma-separated `YYYY-MM-DD` dates (blanks ignored); the first that is not a real date is quoted. */
const holidayList: Read<string[]> = (value) => {
  const days = (value ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean);
  const wrong = days.find((d) => dayOfDate(d) === undefined);
  return wrong === undefined
    ? ok(days)
    : bad('is not a real YYYY-MM-DD date (HOLIDAYS is comma-separated dates)', wrong);
};

const SETTINGS = {
  TABLE_NAME: required(tableName),
  REFUND_QUEUE_URL: optional(httpUrl),
  /** The purge work queue (FIFO): the purger sends work items there (required by the purger). */
  PURGE_QUEUE_URL: optional(httpUrl),
  /** Purges one purge worker keeps in flight (1–64, default 16). */
  PURGE_WORKER_IN_FLIGHT: optional(wholeNumber(1, 64), 16),
  /** Comma-separated `YYYY-MM-DD` dates (UTC+8) that are not business days for `dueBy`. */
  HOLIDAYS: holidayList,
  /** First retry delay of a failed refund message, doubled on each receive (default 30 s). */
  RETRY_BASE_SECONDS: optional(wholeNumber(0, 9999, 'must be a whole number of seconds (0–9999)'), 30),
  /** `simulator` (default, SPEC 3.4's embedded provider) or `stripe`. */
  PAYMENT_PROVIDER: optional(oneOf('simulator', 'stripe'), 'simulator'),
  /** Name of the Secrets Manager secret holding `{"apiKey", "webhookSecret"}` (required for `stripe`). */
  STRIPE_SECRET_NAME: optional(nonEmpty),
  /** Oldest accepted webhook signature timestamp, seconds (1–3600, default 300 as Stripe's SDK). */
  STRIPE_WEBHOOK_TOLERANCE_SECONDS: optional(wholeNumber(1, 3600), 300),
  /** A `SUBMITTED` refund with no answer this long (seconds, default 1 h) is retrieved from Stripe. */
  STRIPE_SUBMITTED_RECONCILE_AFTER: optional(wholeNumber(60, 30 * 86_400), 3600),
  /** How long a refund settled to the card is still checked for a later failure (days, default 30). */
  STRIPE_FAILURE_WATCH_DAYS: optional(wholeNumber(0, 120), 30),
  /** The SDK's own retries (0–3, default 0: the refund queue retries). */
  STRIPE_MAX_NETWORK_RETRIES: optional(wholeNumber(0, 3), 0),
  /** Only for a local fake of Stripe's API (tests): host, port and protocol of the API. */
  STRIPE_API_HOST: optional(nonEmpty),
  STRIPE_API_PORT: optional(wholeNumber(1, 65_535)),
  STRIPE_API_PROTOCOL: optional(oneOf('http', 'https')),
};

/** `HOLIDAYS="2026-13-45" is not a real …`, or `TABLE_NAME is missing`. */
function problemText(name: string, value: string | undefined, problem: { problem: string; shown?: string }) {
  const shown = problem.shown ?? value;
  return shown === undefined
    ? `${name} ${problem.problem}`
    : `${name}=${JSON.stringify(shown)} ${problem.problem}`;
}

type Values<S> = { [K in keyof S]: S[K] extends Read<infer T> ? T : never };

/** Every setting of `reads` from `env`, or a ConfigError listing every problem at once. */
function readAll<S extends Record<string, Read<unknown>>>(reads: S, env: NodeJS.ProcessEnv): Values<S> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, read] of Object.entries(reads)) {
    const result = read(env[name]);
    if ('value' in result) values[name] = result.value;
    else problems.push(problemText(name, env[name], result));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as Values<S>;
}

export interface Config {
  tableName: string;
  refundQueueUrl: string | undefined;
  purgeQueueUrl: string | undefined;
  purgeWorkerInFlight: number;
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
  const settings = readAll(SETTINGS, env);
  return {
    tableName: settings.TABLE_NAME,
    refundQueueUrl: settings.REFUND_QUEUE_URL,
    purgeQueueUrl: settings.PURGE_QUEUE_URL,
    purgeWorkerInFlight: settings.PURGE_WORKER_IN_FLIGHT,
    holidays: settings.HOLIDAYS,
    retryBaseSeconds: settings.RETRY_BASE_SECONDS,
    paymentProvider: settings.PAYMENT_PROVIDER,
    stripe: {
      secretName: settings.STRIPE_SECRET_NAME,
      webhookToleranceSeconds: settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
      submittedReconcileAfterMs: settings.STRIPE_SUBMITTED_RECONCILE_AFTER * 1000,
      failureWatchMs: settings.STRIPE_FAILURE_WATCH_DAYS * 86_400_000,
      maxNetworkRetries: settings.STRIPE_MAX_NETWORK_RETRIES,
      api: {
        ...(settings.STRIPE_API_HOST ? { host: settings.STRIPE_API_HOST } : {}),
        ...(settings.STRIPE_API_PORT ? { port: settings.STRIPE_API_PORT } : {}),
        ...(settings.STRIPE_API_PROTOCOL ? { protocol: settings.STRIPE_API_PROTOCOL } : {}),
      },
    },
  };
}

/**
 * `HOLIDAYS` as the functions will read it (the stack checks its `holidays` context with
 * this at synth, so a bad date fails the synth rather than the deployed functions' start).
 */
export function parseHolidays(value: string | undefined): string[] {
  return readAll({ HOLIDAYS: holidayList }, { HOLIDAYS: value }).HOLIDAYS;
}

/** An EventBridge bus name: 1–256 of `a-z A-Z 0-9 . _ - /`. */
const EVENT_BUS_NAME = required(matching(/^[\w./-]{1,256}$/, 'must be an EventBridge bus name'));

/** The event publisher's one setting (it reads the table's stream, so it needs no table name). */
export function readEventBusConfig(env: NodeJS.ProcessEnv = process.env): { eventBusName: string } {
  return { eventBusName: readAll({ EVENT_BUS_NAME }, env).EVENT_BUS_NAME };
}

/** The queue URL, for the functions that enqueue refunds; throws at cold start if unset. */
export function requireQueueUrl(config: Config): string {
  if (!config.refundQueueUrl) throw new ConfigError(['REFUND_QUEUE_URL is missing']);
  return config.refundQueueUrl;
}

/** The purge work queue's URL, for the purger (dispatcher); throws at cold start if unset. */
export function requirePurgeQueueUrl(config: Config): string {
  if (!config.purgeQueueUrl) throw new ConfigError(['PURGE_QUEUE_URL is missing']);
  return config.purgeQueueUrl;
}

/** Where the keys that sign `nextToken` values come from (`#http/page-token-keys.ts`). */
export type PageTokenConfig = { secretName: string } | { keys: Keyring };

/** The keyring's JSON text itself; a problem never quotes it (it is a secret). */
const keyringText: Check<Keyring> = (value) => {
  try {
    return ok(parseKeyring(value));
  } catch (error) {
    return bad(
      error instanceof KeyringError ? error.message.replace(/^page-token keyring /, '') : 'is invalid',
      '…',
    );
  }
};

const PAGE_TOKEN_SETTINGS = {
  /** Name or ARN of the Secrets Manager secret holding the keyring (the cloud). */
  PAGE_TOKEN_SECRET_NAME: optional(nonEmpty),
  /** The keyring itself (local runtime and tests). */
  PAGE_TOKEN_KEYS: optional(keyringText),
};

/**
 * The list functions' page-token keys: the secret's name (read lazily by the function) or
 * the keyring itself; one of the two is required, at cold start.
 */
export function readPageTokenConfig(env: NodeJS.ProcessEnv = process.env): PageTokenConfig {
  const settings = readAll(PAGE_TOKEN_SETTINGS, env);
  if (settings.PAGE_TOKEN_KEYS) return { keys: settings.PAGE_TOKEN_KEYS };
  if (settings.PAGE_TOKEN_SECRET_NAME) return { secretName: settings.PAGE_TOKEN_SECRET_NAME };
  throw new ConfigError(['PAGE_TOKEN_SECRET_NAME (or PAGE_TOKEN_KEYS) is missing']);
}
