/**
 * Response schemas of the HTTP API (SPEC 4.2, 4.4): what every answer body looks like on the
 * wire. The wire types are derived from them (`z.infer`), `#shared/present.ts` builds values
 * of those types from records, and the OpenAPI document (`infra/openapi/document.ts`) and the
 * contract test are generated from the same schemas, so code and document cannot drift.
 */
import * as z from 'zod/mini';
import { ERROR_STATUS } from '#shared/errors.ts';

/** An ISO-8601 UTC instant with milliseconds, as `Date.prototype.toISOString` writes it. */
const instantOut = () => z.iso.datetime();
const nullableInstant = () => z.nullable(instantOut());
const count = () => z.int().check(z.minimum(0));
const minorUnits = () => z.int().check(z.minimum(0));
const text = () => z.string().check(z.minLength(1));

export const destinationSchema = z.enum(['ORIGINAL_PAYMENT_METHOD', 'ACCOUNT_BALANCE']);

export const refundLineResponseSchema = z.strictObject({
  orderId: text(),
  cashPaid: minorUnits(),
  voucherPaid: minorUnits(),
  usedDays: count(),
  termDays: count(),
  refundAmount: minorUnits(),
  destination: destinationSchema,
});

const quoteTotals = {
  currency: text(),
  refundAmount: minorUnits(),
  nonRefundableVoucherAmount: minorUnits(),
  lines: z.array(refundLineResponseSchema),
};

const unsubscribeQuoteFields = {
  refundType: z.enum(['FULL_REFUND', 'PARTIAL_REFUND']),
  ...quoteTotals,
  retention: z.strictObject({ configDataPurgeAt: instantOut(), logDataPurgeAt: instantOut() }),
};

const renewalCancellationQuoteFields = {
  refundType: z.literal('RENEWAL_CANCELLATION'),
  ...quoteTotals,
  updatedExpirationTime: instantOut(),
  allowedExpirationTimes: z.array(instantOut()),
};

/** The policy's answer (what `npm run policy -- quote` prints). */
export const policyQuoteSchema = z.union([
  z.strictObject(unsubscribeQuoteFields),
  z.strictObject(renewalCancellationQuoteFields),
]);

/** Which policy document (`policies/<id>/v<version>.json`) computed a quote or an order. */
export const policyRefResponseSchema = z.strictObject({ id: text(), version: z.int().check(z.minimum(1)) });

const paymentMethodType = z.enum(['CARD', 'PAYPAL', 'BALANCE']);
const day = () => z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));

/**
 * How every amount was found (`schema: "refund-derivation/1"`): the inputs the policy read
 * (orders without payment references), the rule behind the refund type and each line with its
 * arithmetic in minor units. No personal data.
 */
const quoteDerivationFields = {
  schema: z.literal('refund-derivation/1'),
  policy: policyRefResponseSchema,
  inputs: z.strictObject({
    asOf: instantOut(),
    product: text(),
    currency: text(),
    quotaUsed: z.nullable(z.boolean()),
    updatedExpirationTime: nullableInstant(),
    orders: z.array(
      z.strictObject({
        orderId: text(),
        type: z.enum(['NEW', 'RENEW']),
        status: z.enum(['PAID', 'CANCELLED']),
        paidAt: instantOut(),
        periodStart: instantOut(),
        periodEnd: instantOut(),
        cashPaid: minorUnits(),
        voucherPaid: minorUnits(),
        paymentMethodType,
      }),
    ),
  }),
  eligibility: z.strictObject({
    rule: z.enum([
      'FULL_REFUND_WITHIN_WINDOW',
      'PARTIAL_WINDOW_CLOSED',
      'PARTIAL_QUOTA_USED',
      'PARTIAL_NO_FULL_REFUND',
      'RENEWAL_CANCELLATION',
    ]),
    purchasePaidAt: instantOut(),
    windowEndsAt: instantOut(),
    withinWindow: z.boolean(),
    quota: z.strictObject({
      year: z.int(),
      allowedPerYear: count(),
      used: z.nullable(z.boolean()),
      usedBy: z.nullable(
        z.strictObject({ unsubscribeOrderId: text(), instanceId: text(), usedAt: instantOut() }),
      ),
    }),
  }),
  lines: z.array(
    z.strictObject({
      orderId: text(),
      rule: z.enum(['NOT_STARTED', 'ENDED', 'IN_EFFECT', 'FULL_REFUND', 'RENEWAL_NOT_STARTED']),
      periodStart: instantOut(),
      periodEnd: instantOut(),
      termDays: count(),
      usedDays: count(),
      remainingDays: count(),
      cashPaid: minorUnits(),
      voucherPaid: minorUnits(),
      proration: z.nullable(
        z.strictObject({
          numerator: z.string().check(z.regex(/^\d+$/)),
          quotient: minorUnits(),
          remainder: count(),
        }),
      ),
      formula: text(),
      refundAmount: minorUnits(),
      destination: z.strictObject({
        rule: z.enum(['PAID_FROM_BALANCE', 'WITHIN_PROVIDER_WINDOW', 'PAST_PROVIDER_WINDOW']),
        paymentMethodType,
        ageDays: z.nullable(count()),
        windowDays: z.nullable(count()),
      }),
    }),
  ),
  total: z.strictObject({
    refundAmount: minorUnits(),
    nonRefundableVoucherAmount: minorUnits(),
    formula: text(),
  }),
};

export const quoteDerivationResponseSchema = z.strictObject(quoteDerivationFields);

/** An order's derivation: its quote's, plus the retention deadlines and the due-by fixed at confirmation. */
export const orderDerivationResponseSchema = z.strictObject({
  ...quoteDerivationFields,
  retention: z.nullable(
    z.strictObject({
      unsubscribedAt: instantOut(),
      configDataHours: count(),
      configDataPurgeAt: instantOut(),
      logDataPurgeAt: instantOut(),
      billingUtcOffsetMinutes: z.int(),
    }),
  ),
  dueBy: z.strictObject({
    confirmedAt: instantOut(),
    confirmedDay: day(),
    businessDays: z.array(day()),
    skipped: z.array(z.strictObject({ day: day(), why: z.enum(['WEEKEND', 'HOLIDAY']) })),
    dueBy: instantOut(),
  }),
});

/** Absent only on quotes and orders made before policies were versioned. */
const explained = {
  policy: z.optional(policyRefResponseSchema),
  derivation: z.optional(quoteDerivationResponseSchema),
};

const envelope = { quoteId: text(), instanceId: text() };
/**
 * `dueBy`: when the refund is due at the latest if the quote is confirmed while it is valid
 * (the due-by of a confirmation at `expiresAt`; a confirmation before then can only be due
 * the same time or earlier).
 */
const envelopeEnd = { asOf: instantOut(), expiresAt: instantOut(), dueBy: instantOut() };

/** The 201 body of `POST /instances/{instanceId}/refund-quotes` (SPEC 4.2 "Quote"). */
export const quoteResponseSchema = z.union([
  z.strictObject({
    ...envelope,
    kind: z.literal('UNSUBSCRIBE'),
    ...unsubscribeQuoteFields,
    ...envelopeEnd,
    ...explained,
  }),
  z.strictObject({
    ...envelope,
    kind: z.literal('CANCEL_RENEWAL'),
    ...renewalCancellationQuoteFields,
    ...envelopeEnd,
    ...explained,
  }),
]);

export const orderResponseSchema = z.strictObject({
  orderId: text(),
  type: z.enum(['NEW', 'RENEW']),
  paidAt: instantOut(),
  periodStart: instantOut(),
  periodEnd: instantOut(),
  cashPaid: minorUnits(),
  voucherPaid: minorUnits(),
  paymentMethod: z.strictObject({ type: z.enum(['CARD', 'PAYPAL', 'BALANCE']), reference: text() }),
  status: z.enum(['PAID', 'CANCELLED']),
});

const flagsResponseSchema = z.strictObject({
  overduePayment: z.boolean(),
  securityLocked: z.boolean(),
  configurationChangeInProgress: z.boolean(),
});

const retainedDataResponseSchema = z.strictObject({
  status: z.enum(['RETAINED', 'PURGED', 'RESTORED']),
  purgeAt: instantOut(),
  purgedAt: nullableInstant(),
});

const instanceFactsFields = {
  instanceId: text(),
  product: text(),
  edition: text(),
  billingMethod: z.enum(['SUBSCRIPTION', 'PAY_AS_YOU_GO']),
  currency: text(),
  status: z.enum(['ACTIVE', 'UNSUBSCRIBED', 'RELEASED']),
};

/** The writable part of an instance (what `parseInstanceFacts` reads back). */
export const instanceFactsResponseSchema = z.strictObject({
  ...instanceFactsFields,
  flags: flagsResponseSchema,
  orders: z.array(orderResponseSchema),
});

/** An instance as `GET /instances/{instanceId}` shows it. */
export const instanceResponseSchema = z.strictObject({
  ...instanceFactsFields,
  expiresAt: nullableInstant(),
  flags: flagsResponseSchema,
  orders: z.array(orderResponseSchema),
  unsubscribedAt: nullableInstant(),
  retention: z.nullable(
    z.strictObject({ configData: retainedDataResponseSchema, logData: retainedDataResponseSchema }),
  ),
});

const unsubscribeOrderStatus = z.enum(['PENDING', 'PROCESSING', 'SUCCEEDED', 'NEEDS_ATTENTION']);

/** A quoted line as it is settled; `destination` is where the money went (or, until settled, is predicted to go). */
export const unsubscribeOrderLineResponseSchema = z.extend(refundLineResponseSchema, {
  predictedDestination: destinationSchema,
  status: z.enum(['PENDING', 'SUBMITTED', 'SETTLED']),
  settledAt: nullableInstant(),
});

/** An unsubscribe order (the 202 of unsubscribing and cancelling renewals; SPEC 4.2). */
export const unsubscribeOrderResponseSchema = z.strictObject({
  unsubscribeOrderId: text(),
  instanceId: text(),
  type: z.enum(['UNSUBSCRIBE', 'CANCEL_RENEWAL']),
  refundType: z.enum(['FULL_REFUND', 'PARTIAL_REFUND', 'RENEWAL_CANCELLATION']),
  quoteId: text(),
  status: unsubscribeOrderStatus,
  currency: text(),
  refundAmount: minorUnits(),
  lines: z.array(unsubscribeOrderLineResponseSchema),
  reason: z.nullable(
    z.strictObject({
      code: z.enum([
        'NO_LONGER_NEEDED',
        'TOO_EXPENSIVE',
        'SWITCHING_PRODUCT',
        'PURCHASED_BY_MISTAKE',
        'SERVICE_ISSUES',
        'OTHER',
      ]),
      text: z.optional(z.string()),
    }),
  ),
  createdAt: instantOut(),
  dueBy: instantOut(),
  settledAt: nullableInstant(),
  slaBreached: z.boolean(),
  history: z.array(
    z.strictObject({
      status: unsubscribeOrderStatus,
      at: instantOut(),
      /** A machine-readable note, e.g. `REFUND_FAILED`, `REFUND_REVERSED`, `DEAD_LETTERED`. */
      note: z.optional(text()),
      /** The refund line (its order) a note is about. */
      orderId: z.optional(text()),
      /** The payment provider's failure code, e.g. `expired_or_canceled_card` (never free text). */
      failureReason: z.optional(text()),
    }),
  ),
  policy: z.optional(policyRefResponseSchema),
  derivation: z.optional(orderDerivationResponseSchema),
});

/** A page of a list route: `nextToken` is null on the last page (SPEC 4). */
const page = <T extends z.ZodMiniType>(item: T) =>
  z.strictObject({ items: z.array(item), nextToken: z.nullable(text()) });

/**
 * An item of `GET /instances`: the instance, and until when unsubscribing it refunds everything
 * (the end of the full-refund window, while a quote made now would be a full refund; else null).
 */
export const instanceListItemResponseSchema = z.extend(instanceResponseSchema, {
  fullRefundUntil: nullableInstant(),
});

/** `GET /instances`: the caller's instances with `fullRefundUntil`. */
export const instanceListPageResponseSchema = page(instanceListItemResponseSchema);
/** The back office's list of an account's instances. */
export const instancePageResponseSchema = page(instanceResponseSchema);
export const unsubscribeOrderPageResponseSchema = page(unsubscribeOrderResponseSchema);

/**
 * One line of `GET /internal/unsubscribe-orders/export` (JSON Lines): an unsubscribe order with
 * its recorded inputs, as `npm run policy -- backtest` (and `explain`) reads it. Internal: it
 * names the account, and like the derivation holds no personal data (no reason, no payment
 * reference).
 */
export const exportedOrderResponseSchema = z.strictObject({
  unsubscribeOrderId: text(),
  accountId: text(),
  instanceId: text(),
  type: z.enum(['UNSUBSCRIBE', 'CANCEL_RENEWAL']),
  refundType: z.enum(['FULL_REFUND', 'PARTIAL_REFUND', 'RENEWAL_CANCELLATION']),
  status: unsubscribeOrderStatus,
  currency: text(),
  refundAmount: minorUnits(),
  lines: z.array(refundLineResponseSchema),
  createdAt: instantOut(),
  policy: z.optional(policyRefResponseSchema),
  derivation: z.optional(orderDerivationResponseSchema),
});

export const ledgerEntryResponseSchema = z.strictObject({
  entryId: text(),
  currency: text(),
  amount: z.int(),
  cause: z.enum([
    'REFUND_TO_BALANCE',
    'PROVIDER_REFUSED',
    'PROVIDER_FAILED',
    'PROVIDER_REVERSED',
    'OPERATOR_RESOLUTION',
    'GOODWILL_CREDIT',
    'CORRECTING_DEBIT',
  ]),
  /** Null for a balance adjustment (`GOODWILL_CREDIT`, `CORRECTING_DEBIT`: no refund line). */
  unsubscribeOrderId: z.nullable(text()),
  orderId: z.nullable(text()),
  createdAt: instantOut(),
});

/** The 200 body of `GET /account/balance`. */
export const balanceResponseSchema = z.strictObject({
  balances: z.array(z.strictObject({ currency: text(), amount: z.int() })),
  entries: z.array(ledgerEntryResponseSchema),
});

const ERROR_CODES = Object.keys(ERROR_STATUS) as [
  keyof typeof ERROR_STATUS,
  ...(keyof typeof ERROR_STATUS)[],
];

/** Every error answer: `{"error": {code, message, details}}` (SPEC 4.4). */
export const errorResponseSchema = z.strictObject({
  error: z.strictObject({
    code: z.enum(ERROR_CODES),
    message: text(),
    details: z.record(z.string(), z.unknown()),
  }),
});

export type RefundLineWire = z.infer<typeof refundLineResponseSchema>;
export type PolicyQuoteWire = z.infer<typeof policyQuoteSchema>;
export type QuoteWire = z.infer<typeof quoteResponseSchema>;
export type OrderWire = z.infer<typeof orderResponseSchema>;
export type InstanceFactsWire = z.infer<typeof instanceFactsResponseSchema>;
export type InstanceWire = z.infer<typeof instanceResponseSchema>;
export type InstanceListItemWire = z.infer<typeof instanceListItemResponseSchema>;
export type ExportedOrderWire = z.infer<typeof exportedOrderResponseSchema>;
export type UnsubscribeOrderLineWire = z.infer<typeof unsubscribeOrderLineResponseSchema>;
export type UnsubscribeOrderWire = z.infer<typeof unsubscribeOrderResponseSchema>;
export type QuoteDerivationWire = z.infer<typeof quoteDerivationResponseSchema>;
export type OrderDerivationWire = z.infer<typeof orderDerivationResponseSchema>;
export type LedgerEntryWire = z.infer<typeof ledgerEntryResponseSchema>;
export type BalanceWire = z.infer<typeof balanceResponseSchema>;
export type ErrorWire = z.infer<typeof errorResponseSchema>;

/** The acknowledgement of a verified Stripe webhook (`POST /webhooks/stripe`, 200). */
export const webhookAckResponseSchema = z.strictObject({
  received: z.literal(true),
  /** What the event did: `IGNORED` (not a refund event), `UNKNOWN_REFUND` (not ours; acknowledged so Stripe stops), `NO_CHANGE` (already applied or stale), or the line's transition. */
  outcome: z.enum(['IGNORED', 'UNKNOWN_REFUND', 'NO_CHANGE', 'SETTLED', 'CREDITED', 'REVERSED']),
});
