/**
 * Building blocks of every wire schema (zod/mini keeps Lambda bundles small), and the one
 * place that turns a zod failure into `VALIDATION_FAILED` naming each field.
 */
import * as z from 'zod/mini';
import type { Millis } from '#shared/domain.ts';
import { validationFailed } from '#shared/errors.ts';

/** Ids: 1–128 letters, digits, `-`, `_`, `.` (SPEC 1). */
export const id = () =>
  z.string().check(z.regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be 1–128 letters, digits, "-", "_" or "."'));

/** Non-negative safe integer number of minor units. */
const MONEY_MESSAGE = 'must be a non-negative safe integer of minor units';
export const money = () => z.int({ error: MONEY_MESSAGE }).check(z.minimum(0, MONEY_MESSAGE));

/**
 * One of `values`; a refusal names them (`must be one of NEW, RENEW`) rather than zod's
 * bare "Invalid input".
 */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });

export const currency = () => z.string().check(z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD'));

const INSTANT_MESSAGE = 'must be an ISO-8601 UTC instant such as 2026-04-10T15:30:00.000Z';
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** An ISO-8601 UTC instant (`Z`, optional milliseconds), parsed to epoch milliseconds. */
export const instant = () =>
  z.pipe(
    z.string({ error: INSTANT_MESSAGE }).check(
      z.regex(ISO_INSTANT, {
        message: INSTANT_MESSAGE,
        abort: true,
      }),
      z.refine(
        (s) =>
          !Number.isNaN(Date.parse(s)) &&
          new Date(Date.parse(s)).toISOString().slice(0, 10) === s.slice(0, 10),
        'is not a real date',
      ),
    ),
    z.transform((s: string): Millis => Date.parse(s)),
  );

/** Parses `value` or throws `VALIDATION_FAILED` listing every bad field by its path. */
export function parseOrThrow<T extends z.ZodMiniType>(schema: T, value: unknown, prefix = ''): z.infer<T> {
  // The input on each issue only tells a missing field from a wrong one; it is never shown.
  const result = z.safeParse(schema, value, { reportInput: true });
  if (result.success) return result.data;
  throw validationFailed(
    result.error.issues.map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
      const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : [];
      return {
        field:
          unknownKeys.length > 0 ? [path, unknownKeys.join(',')].filter(Boolean).join('.') : path || '(root)',
        message: issue.code === 'unrecognized_keys' ? 'unknown field' : messageOf(issue),
      };
    }),
  );
}

/**
 * The issue's own message, or for a value of the wrong type (zod/mini's bare "Invalid input",
 * which names nothing) what was expected: `is required`, `must be a boolean`.
 */
function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'invalid_type' || issue.message !== 'Invalid input') return issue.message;
  if (issue.input === undefined) return 'is required';
  return `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
}
