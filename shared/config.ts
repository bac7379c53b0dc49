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

const schema = z.object({
  TABLE_NAME: name,
  REFUND_QUEUE_URL: z.optional(z.string().check(z.minLength(1))),
  /** Comma-separated `YYYY-MM-DD` dates (UTC+8) that are not business days for `dueBy`. */
  HOLIDAYS: holidayList,
  /** First retry delay of a failed refund message, doubled on each receive (default 30 s). */
  RETRY_BASE_SECONDS: z._default(z.pipe(z.string().check(z.regex(/^\d{1,4}$/)), z.transform(Number)), 30),
});

export interface Config {
  tableName: string;
  refundQueueUrl: string | undefined;
  holidays: string[];
  retryBaseSeconds: number;
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
  };
}

/** The queue URL, for the functions that enqueue refunds; throws at cold start if unset. */
export function requireQueueUrl(config: Config): string {
  if (!config.refundQueueUrl) throw new Error('Invalid configuration: REFUND_QUEUE_URL missing');
  return config.refundQueueUrl;
}
