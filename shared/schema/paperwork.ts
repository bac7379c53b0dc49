/**
 * Wire schemas of the paperwork routes: the credit-note link (public) and the internal routes
 * billing and finance call. The OpenAPI document and the contract test use them, like
 * `#schema/responses.ts`.
 */
import * as z from 'zod/mini';
import { id } from './common.ts';

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
