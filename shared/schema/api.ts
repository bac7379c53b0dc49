/**
 * Request schemas of the HTTP API (SPEC 4.2, 4.3). Strict objects: an unknown field is a
 * 400 naming it. Query-string values arrive as strings and are converted here.
 *
 * Each schema is built on its first use (`z.lazy`), not at import: a function builds only the
 * schemas of the routes it serves, when it first serves them (measured ~5 ms of cold start
 * when every route's schemas were built at import; docs/performance.md).
 */
import * as z from 'zod/mini';
import { id, instant, oneOf } from './common.ts';
import { ingestedOrderWireSchema } from './instance.ts';

const REASON_CODES = [
  'NO_LONGER_NEEDED',
  'TOO_EXPENSIVE',
  'SWITCHING_PRODUCT',
  'PURCHASED_BY_MISTAKE',
  'SERVICE_ISSUES',
  'OTHER',
] as const;

export const reasonSchema = z.lazy(() =>
  z
    .strictObject({
      code: oneOf(REASON_CODES),
      text: z.optional(z.string().check(z.maxLength(500, 'must be at most 500 characters'))),
    })
    .check(
      z.refine((r) => r.code !== 'OTHER' || (r.text !== undefined && r.text.trim().length > 0), {
        message: 'is required when the reason code is OTHER',
        path: ['text'],
      }),
    ),
);

export const quoteRequestSchema = z.lazy(() =>
  z
    .strictObject({
      kind: oneOf(['UNSUBSCRIBE', 'CANCEL_RENEWAL']),
      updatedExpirationTime: z.optional(instant()),
    })
    .check(
      z.refine((q) => q.kind === 'CANCEL_RENEWAL' || q.updatedExpirationTime === undefined, {
        message: 'is only for kind CANCEL_RENEWAL',
        path: ['updatedExpirationTime'],
      }),
    ),
);

/** Confirmations are checked by the use case, so that a missing one is CONFIRMATION_REQUIRED, not a 400. */
const confirmation = () => z.optional(z.boolean());

export const unsubscribeRequestSchema = z.lazy(() =>
  z.strictObject({
    quoteId: id(),
    refundType: oneOf(['FULL_REFUND', 'PARTIAL_REFUND']),
    confirmations: z._default(
      z.strictObject({ rulesAndAmountConfirmed: confirmation(), dataBackupConfirmed: confirmation() }),
      () => ({}),
    ),
    reason: reasonSchema,
  }),
);

export const renewalCancellationRequestSchema = z.lazy(() =>
  z.strictObject({
    quoteId: id(),
    updatedExpirationTime: instant(),
    confirmations: z._default(z.strictObject({ rulesAndAmountConfirmed: confirmation() }), () => ({})),
    reason: z.optional(reasonSchema),
  }),
);

export const ingestOrderRequestSchema = z.lazy(() =>
  z.strictObject({
    accountId: id(),
    instanceId: id(),
    product: id(),
    edition: z.string().check(z.minLength(1), z.maxLength(128)),
    billingMethod: oneOf(['SUBSCRIPTION', 'PAY_AS_YOU_GO']),
    currency: z.string().check(z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD')),
    // Stored as PAID; `status` is only ever PAID here (see ingestedOrderWireSchema).
    order: z.pipe(
      ingestedOrderWireSchema,
      z.transform(({ status: _status, ...order }) => order),
    ),
  }),
);

export const setFlagsRequestSchema = z.lazy(() =>
  z.strictObject({
    accountId: id(),
    overduePayment: z.optional(z.boolean()),
    securityLocked: z.optional(z.boolean()),
    configurationChangeInProgress: z.optional(z.boolean()),
  }),
);

/** `limit` of a paged list: 1–100 from a query string, default 20. */
export const limit = () =>
  z._default(
    z.pipe(
      z.string().check(z.regex(/^\d{1,3}$/, 'must be an integer from 1 to 100')),
      z.pipe(
        z.transform(Number),
        z.int().check(z.minimum(1, 'must be at least 1'), z.maximum(100, 'must be at most 100')),
      ),
    ),
    20,
  );

const token = () => z.optional(z.string().check(z.minLength(1), z.maxLength(2048)));

export const listInstancesQuerySchema = z.lazy(() =>
  z.strictObject({
    instanceId: z.optional(id()),
    orderTimeFrom: z.optional(instant()),
    orderTimeTo: z.optional(instant()),
    status: z.optional(oneOf(['ACTIVE', 'UNSUBSCRIBED', 'RELEASED'])),
    pendingRenewal: z.optional(
      z.pipe(
        oneOf(['true', 'false']),
        z.transform((v) => v === 'true'),
      ),
    ),
    limit: limit(),
    nextToken: token(),
  }),
);

export const listUnsubscribeOrdersQuerySchema = z.lazy(() =>
  z.strictObject({
    instanceId: z.optional(id()),
    createdFrom: z.optional(instant()),
    createdTo: z.optional(instant()),
    limit: limit(),
    nextToken: token(),
  }),
);

/** The most orders one page of the export holds (and the default). */
export const EXPORT_LIMIT = 1000;
/** The longest range one export covers: a year, leap years included. */
export const EXPORT_MAX_RANGE_DAYS = 366;

export const exportUnsubscribeOrdersQuerySchema = z.lazy(() =>
  z
    .strictObject({
      createdFrom: instant(),
      createdTo: instant(),
      limit: z._default(
        z.pipe(
          z.string().check(z.regex(/^\d{1,4}$/, `must be an integer from 1 to ${EXPORT_LIMIT}`)),
          z.pipe(
            z.transform(Number),
            z
              .int()
              .check(
                z.minimum(1, 'must be at least 1'),
                z.maximum(EXPORT_LIMIT, `must be at most ${EXPORT_LIMIT}`),
              ),
          ),
        ),
        EXPORT_LIMIT,
      ),
      nextToken: token(),
    })
    .check(
      z.refine((q) => q.createdFrom < q.createdTo, {
        message: 'must be after createdFrom',
        path: ['createdTo'],
      }),
      z.refine((q) => q.createdTo - q.createdFrom <= EXPORT_MAX_RANGE_DAYS * 24 * 60 * 60_000, {
        message: `must be at most ${EXPORT_MAX_RANGE_DAYS} days after createdFrom`,
        path: ['createdTo'],
      }),
    ),
);

export const instancePathSchema = z.lazy(() => z.object({ instanceId: id() }));
export const unsubscribeOrderPathSchema = z.lazy(() => z.object({ unsubscribeOrderId: id() }));
