/**
 * Configuration, parsed once at cold start. A missing table or queue fails loudly at
 * start instead of defaulting to a name that hides the mistake. AWS endpoints for the
 * local runtime come from the SDK's own `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL_SQS`.
 */
import * as z from 'zod/mini';

const name = z.string().check(z.minLength(3));
const holidayList = z.pipe(
  z.optional(z.string()),
  z.transform((value) =>
    (value ?? '')
      .split(',')
      .map((d) => d.trim())
      .filter(Boolean),
  ),
);

/** A whole number in [min, max] given as a string. */
function seconds(min: number, max: number) {
  return z.pipe(
    z.string().check(z.regex(/^\d{1,8}$/)),
    z.pipe(z.transform(Number), z.number().check(z.gte(min), z.lte(max))),
  );
}

const schema = z.object({
  TABLE_NAME: name,
  REFUND_QUEUE_URL: z.optional(z.string().check(z.minLength(1))),
  /** Comma-separated `YYYY-MM-DD` dates (UTC+8) that are not business days for `dueBy`. */
  HOLIDAYS: holidayList,
  /** First retry delay of a failed refund message, doubled on each receive (default 30 s). */
  RETRY_BASE_SECONDS: z._default(z.pipe(z.string().check(z.regex(/^\d{1,4}$/)), z.transform(Number)), 30),
  /** `simulator` (default, SPEC 3.4's embedded provider) or `stripe`. */
  PAYMENT_PROVIDER: z._default(z.enum(['simulator', 'stripe']), 'simulator'),
  /** Name of the Secrets Manager secret holding `{"apiKey", "webhookSecret"}` (required for `stripe`). */
  STRIPE_SECRET_NAME: z.optional(z.string().check(z.minLength(1))),
  /** Oldest accepted webhook signature timestamp, seconds (1–3600, default 300 as Stripe's SDK). */
  STRIPE_WEBHOOK_TOLERANCE_SECONDS: z._default(seconds(1, 3600), 300),
  /** A `SUBMITTED` refund with no answer this long (seconds, default 1 h) is retrieved from Stripe. */
  STRIPE_SUBMITTED_RECONCILE_AFTER: z._default(seconds(60, 30 * 86_400), 3600),
  /** How long a refund settled to the card is still checked for a later failure (days, default 30). */
  STRIPE_FAILURE_WATCH_DAYS: z._default(seconds(0, 120), 30),
  /** The SDK's own retries (0–3, default 0: the refund queue retries). */
  STRIPE_MAX_NETWORK_RETRIES: z._default(seconds(0, 3), 0),
  /** Only for a local fake of Stripe's API (tests): host, port and protocol of the API. */
  STRIPE_API_HOST: z.optional(z.string().check(z.minLength(1))),
  STRIPE_API_PORT: z.optional(seconds(1, 65_535)),
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

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = z.safeParse(schema, env);
  if (!result.success) {
    const fields = result.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(`Invalid configuration: ${fields} missing or invalid`);
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

/** The queue URL, for the functions that enqueue refunds; throws at cold start if unset. */
export function requireQueueUrl(config: Config): string {
  if (!config.refundQueueUrl) throw new Error('Invalid configuration: REFUND_QUEUE_URL missing');
  return config.refundQueueUrl;
}
