/**
 * Wire schemas of the paperwork routes: the credit-note link (public) and the internal routes
 * billing and finance call. The OpenAPI document and the contract test use them, like
 * `#schema/responses.ts`.
 */
import * as z from 'zod/mini';

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
