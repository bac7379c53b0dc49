/**
 * Wire schemas of the paperwork routes: the credit-note link (public) and the internal routes
 * billing and finance call. The OpenAPI document and the contract test use them, like
 * `#schema/responses.ts`.
 */
import * as z from 'zod/mini';
import { id, oneOf } from './common.ts';

const text = () => z.string().check(z.minLength(1));
const minorUnits = () => z.int().check(z.minimum(0));

/** `GET /unsubscribe-orders/{unsubscribeOrderId}/credit-note` */
export const creditNoteLinkResponseSchema = z.strictObject({
  unsubscribeOrderId: text(),
  number: z.string().check(z.regex(/^CN-\d{4}-\d{6,}$/)),
  issuedAt: z.iso.datetime(),
  currency: text(),
  refundAmount: minorUnits(),
  /** A short-lived link to the PDF (GET it without other credentials). */
  url: z.url(),
  urlExpiresAt: z.iso.datetime(),
});

export type CreditNoteLinkResponse = z.infer<typeof creditNoteLinkResponseSchema>;

/** `PUT /internal/accounts/{accountId}/contact` path. */
export const accountPathSchema = z.object({ accountId: id() });

/** `PUT /internal/accounts/{accountId}/contact`: where the account's emails go (personal data). */
export const contactRequestSchema = z.strictObject({
  email: z
    .string()
    .check(
      z.maxLength(254),
      z.regex(/^[^\s<>()",;:\\@]+@[^\s<>()",;:\\@]+\.[^\s<>()",;:\\@]+$/, 'must be a plain e-mail address'),
    ),
  name: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
});

export const contactResponseSchema = z.strictObject({
  accountId: text(),
  updatedAt: z.iso.datetime(),
});

/** `GET /internal/journal/exports/{day}` path: a calendar day in the billing time zone (UTC+8). */
export const journalExportPathSchema = z.object({
  day: z.string().check(
    z.regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a day such as 2026-03-05', abort: true }),
    z.refine((d) => new Date(`${d}T00:00:00.000Z`).toISOString().slice(0, 10) === d, 'is not a real date'),
  ),
});

/** `?format=jsonl` (default, JSON Lines) or `csv`. */
export const journalExportQuerySchema = z.strictObject({
  format: z.optional(oneOf(['jsonl', 'csv'])),
});

/** `GET /internal/journal/exports/{day}`: the day's export file and a short-lived link to it. */
export const journalExportResponseSchema = z.strictObject({
  day: text(),
  format: z.enum(['jsonl', 'csv']),
  /** Entries in the day (each is two lines of the file: a debit and a credit). */
  entries: z.int().check(z.minimum(0)),
  bytes: z.int().check(z.minimum(0)),
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  exportedAt: z.iso.datetime(),
  url: z.url(),
  urlExpiresAt: z.iso.datetime(),
});

export type JournalExportResponse = z.infer<typeof journalExportResponseSchema>;
