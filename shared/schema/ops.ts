/**
 * Wire schemas of the back office (`/ops/...`): requests (strict; query strings converted)
 * and answers (for the presenter's types, the OpenAPI document and the contract test).
 * Built on first use, like `api.ts`.
 */
import * as z from 'zod/mini';
import { AUDIT_ACTIONS, OPERATOR_REASON_CODES } from '#shared/ops-model.ts';
import { limit, listInstancesQuerySchema } from './api.ts';
import { currency, id, instant } from './common.ts';
import { ledgerEntryResponseSchema, unsubscribeOrderResponseSchema } from './responses.ts';

const reasonCode = () => z.enum(OPERATOR_REASON_CODES);
const NOTE_MESSAGE = 'must be 1–1000 characters';
const note = () =>
  z.string().check(
    z.minLength(1, NOTE_MESSAGE),
    z.maxLength(1000, NOTE_MESSAGE),
    z.refine((s) => s.trim().length > 0, NOTE_MESSAGE),
  );
/** Why: a reason code for reports and a note for people (kept in the audit record only). */
const justification = { reasonCode: reasonCode(), note: note() };

export const retrySettlementRequestSchema = z.lazy(() => z.strictObject(justification));

export const resolveLineRequestSchema = z.lazy(() =>
  z
    .strictObject({
      resolution: z.enum(['SETTLED_EXTERNALLY', 'CREDITED_TO_BALANCE']),
      externalReference: z.optional(
        z.string().check(z.regex(/^[\x21-\x7E]{1,200}$/, 'must be 1–200 visible ASCII characters')),
      ),
      ...justification,
    })
    .check(
      z.refine((r) => (r.resolution === 'SETTLED_EXTERNALLY') === (r.externalReference !== undefined), {
        message: 'is required for SETTLED_EXTERNALLY and only for it',
        path: ['externalReference'],
      }),
    ),
);

const POSITIVE = 'must be a positive safe integer of minor units';
export const adjustBalanceRequestSchema = z.lazy(() =>
  z.strictObject({
    direction: z.enum(['CREDIT', 'DEBIT']),
    currency: currency(),
    amount: z.int({ error: POSITIVE }).check(z.minimum(1, POSITIVE)),
    ...justification,
  }),
);

export const approveRequestSchema = z.lazy(() =>
  z.strictObject({ reasonCode: z.optional(reasonCode()), note: note() }),
);
export const decisionRequestSchema = z.lazy(() => z.strictObject(justification));

const token = () => z.optional(z.string().check(z.minLength(1), z.maxLength(4096)));
const minutes = (fallback: number, max: number) =>
  z._default(
    z.pipe(
      z.string().check(z.regex(/^\d{1,6}$/, `must be a whole number of minutes from 0 to ${max}`)),
      z.pipe(z.transform(Number), z.int().check(z.maximum(max, `must be at most ${max}`))),
    ),
    fallback,
  );

/** 24 hours: "about to breach" and "submitted too long" unless the operator says otherwise. */
export const DEFAULT_WINDOW_MINUTES = 24 * 60;
const MAX_WINDOW_MINUTES = 60 * 24 * 90;

export const pageQuerySchema = z.lazy(() => z.strictObject({ limit: limit(), nextToken: token() }));
export const queuesQuerySchema = z.lazy(() =>
  z.strictObject({
    dueWithinMinutes: minutes(DEFAULT_WINDOW_MINUTES, MAX_WINDOW_MINUTES),
    submittedForMinutes: minutes(DEFAULT_WINDOW_MINUTES, MAX_WINDOW_MINUTES),
  }),
);
export const dueOrdersQuerySchema = z.lazy(() =>
  z.strictObject({
    withinMinutes: minutes(DEFAULT_WINDOW_MINUTES, MAX_WINDOW_MINUTES),
    limit: limit(),
    nextToken: token(),
  }),
);
export const submittedLinesQuerySchema = z.lazy(() =>
  z.strictObject({
    forMinutes: minutes(DEFAULT_WINDOW_MINUTES, MAX_WINDOW_MINUTES),
    limit: limit(),
    nextToken: token(),
  }),
);
export const accountInstancesQuerySchema = listInstancesQuerySchema;
export const accountOrdersQuerySchema = z.lazy(() =>
  z.strictObject({
    instanceId: z.optional(id()),
    status: z.optional(z.enum(['PENDING', 'PROCESSING', 'SUCCEEDED', 'NEEDS_ATTENTION'])),
    createdFrom: z.optional(instant()),
    createdTo: z.optional(instant()),
    limit: limit(),
    nextToken: token(),
  }),
);
/** Exactly one of: an order, an account, an actor, or a time range `[from, to)`. */
export const auditQuerySchema = z.lazy(() =>
  z
    .strictObject({
      unsubscribeOrderId: z.optional(id()),
      accountId: z.optional(id()),
      actor: z.optional(id()),
      from: z.optional(instant()),
      to: z.optional(instant()),
      limit: limit(),
      nextToken: token(),
    })
    .check(
      z.refine(
        (q) =>
          [
            q.unsubscribeOrderId !== undefined,
            q.accountId !== undefined,
            q.actor !== undefined,
            q.from !== undefined,
          ].filter(Boolean).length === 1,
        {
          message: 'give exactly one of unsubscribeOrderId, accountId, actor or from (with to)',
          path: ['(query)'],
        },
      ),
      z.refine((q) => (q.from === undefined) === (q.to === undefined), {
        message: 'from and to go together',
        path: ['to'],
      }),
      z.refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, {
        message: 'must be after from',
        path: ['to'],
      }),
    ),
);

export const opsOrderPathSchema = z.lazy(() => z.object({ unsubscribeOrderId: id() }));
export const opsLinePathSchema = z.lazy(() => z.object({ unsubscribeOrderId: id(), orderId: id() }));
export const opsAccountPathSchema = z.lazy(() => z.object({ accountId: id() }));
export const opsApprovalPathSchema = z.lazy(() => z.object({ approvalId: id() }));

// ---- answers ------------------------------------------------------------------------------

const text = () => z.string().check(z.minLength(1));
const instantOut = () => z.iso.datetime();
const nullableInstant = () => z.nullable(instantOut());
const minorUnits = () => z.int().check(z.minimum(0));
const orderStatus = z.enum(['PENDING', 'PROCESSING', 'SUCCEEDED', 'NEEDS_ATTENTION']);
const destination = z.enum(['ORIGINAL_PAYMENT_METHOD', 'ACCOUNT_BALANCE']);

export const operatorResponseSchema = z.strictObject({ operator: text(), approver: z.boolean() });

export const queuesResponseSchema = z.strictObject({
  asOf: instantOut(),
  needsAttention: z.int(),
  pendingApprovals: z.int(),
  breached: z.int(),
  dueSoon: z.int(),
  dueWithinMinutes: z.int(),
  submittedLines: z.int(),
  submittedForMinutes: z.int(),
});

/** An unsubscribe order as a queue row. */
export const orderSummarySchema = z.strictObject({
  accountId: text(),
  unsubscribeOrderId: text(),
  instanceId: text(),
  status: orderStatus,
  currency: text(),
  refundAmount: minorUnits(),
  unsettledAmount: minorUnits(),
  openLines: z.int(),
  createdAt: instantOut(),
  dueBy: instantOut(),
  slaBreached: z.boolean(),
  /** Since when it needs attention (NEEDS_ATTENTION orders). */
  needsAttentionSince: nullableInstant(),
});
export const orderSummaryPageSchema = z.strictObject({
  items: z.array(orderSummarySchema),
  nextToken: z.nullable(text()),
});

export const submittedLineSchema = z.strictObject({
  accountId: text(),
  unsubscribeOrderId: text(),
  orderId: text(),
  providerRefundId: text(),
  since: instantOut(),
});
export const submittedLinePageSchema = z.strictObject({
  items: z.array(submittedLineSchema),
  nextToken: z.nullable(text()),
});

/** Ids, statuses and amounts only (the schema leaves the value types open). */
const snapshot = z.nullable(z.record(z.string(), z.unknown()));

export const auditRecordSchema = z.strictObject({
  auditId: text(),
  at: instantOut(),
  actor: text(),
  action: z.enum(AUDIT_ACTIONS),
  target: z.strictObject({
    type: z.enum(['ORDER', 'ACCOUNT']),
    accountId: text(),
    unsubscribeOrderId: z.optional(text()),
    orderId: z.optional(text()),
  }),
  approvalId: z.nullable(text()),
  reasonCode: reasonCode(),
  note: z.string(),
  before: snapshot,
  after: snapshot,
  requestId: text(),
  currency: z.nullable(text()),
  amount: z.nullable(z.int()),
});
export const auditPageSchema = z.strictObject({
  items: z.array(auditRecordSchema),
  nextToken: z.nullable(text()),
});

export const commandSchema = z.union([
  z.strictObject({
    kind: z.literal('RESOLVE_LINE'),
    accountId: text(),
    unsubscribeOrderId: text(),
    orderId: text(),
    resolution: z.enum(['SETTLED_EXTERNALLY', 'CREDITED_TO_BALANCE']),
    externalReference: z.optional(text()),
  }),
  z.strictObject({
    kind: z.literal('ADJUST_BALANCE'),
    accountId: text(),
    direction: z.enum(['CREDIT', 'DEBIT']),
    currency: text(),
    amount: z.int().check(z.minimum(1)),
  }),
]);

export const approvalSchema = z.strictObject({
  approvalId: text(),
  status: z.enum(['PENDING', 'APPROVED', 'REJECTED', 'CANCELLED', 'EXPIRED']),
  command: commandSchema,
  currency: text(),
  amount: minorUnits(),
  requestedBy: text(),
  requestedAt: instantOut(),
  expiresAt: instantOut(),
  reasonCode: reasonCode(),
  note: z.string(),
  decidedBy: z.nullable(text()),
  decidedAt: nullableInstant(),
  decisionReasonCode: z.nullable(reasonCode()),
  decisionNote: z.nullable(z.string()),
});
export const approvalPageSchema = z.strictObject({
  items: z.array(approvalSchema),
  nextToken: z.nullable(text()),
});

/** What an action did: applied at once, or waiting for an approver (202). */
export const actionResultSchema = z.strictObject({
  outcome: z.enum(['APPLIED', 'APPROVAL_REQUESTED', 'APPROVED', 'REJECTED', 'CANCELLED']),
  audit: auditRecordSchema,
  approval: z.nullable(approvalSchema),
  order: z.nullable(orderSummarySchema),
  balance: z.nullable(z.strictObject({ currency: text(), amount: z.int() })),
});

const domainEventSchema = z.strictObject({
  id: text(),
  type: text(),
  version: z.int(),
  accountId: text(),
  occurredAt: instantOut(),
  data: z.record(z.string(), z.unknown()),
});

/** An order as operators see it: what customers see plus what they do not. */
export const opsOrderViewSchema = z.strictObject({
  accountId: text(),
  order: unsubscribeOrderResponseSchema,
  lines: z.array(
    z.strictObject({
      orderId: text(),
      status: z.enum(['PENDING', 'SUBMITTED', 'SETTLED']),
      refundAmount: minorUnits(),
      predictedDestination: destination,
      settledTo: z.nullable(destination),
      settledAt: nullableInstant(),
      submittedAt: nullableInstant(),
      providerRefundId: z.nullable(text()),
      providerFailure: z.nullable(text()),
      paymentMethodType: z.enum(['CARD', 'PAYPAL', 'BALANCE']),
      resolvedBy: z.nullable(text()),
      externalReference: z.nullable(text()),
    }),
  ),
  history: z.array(
    z.strictObject({
      status: orderStatus,
      at: instantOut(),
      note: z.nullable(text()),
      orderId: z.nullable(text()),
      failureReason: z.nullable(text()),
      receiveCount: z.nullable(z.int()),
    }),
  ),
  /** Settlement attempts as the history records them. */
  receives: z.strictObject({
    deadLettered: z.int(),
    lastReceiveCount: z.nullable(z.int()),
    redriven: z.int(),
    operatorRetries: z.int(),
  }),
  ledger: z.array(ledgerEntryResponseSchema),
  audit: z.array(auditRecordSchema),
  events: z.array(domainEventSchema),
});

export const opsBalanceSchema = z.strictObject({
  accountId: text(),
  balances: z.array(z.strictObject({ currency: text(), amount: z.int() })),
  entries: z.array(ledgerEntryResponseSchema),
});

export type AuditRecordWire = z.infer<typeof auditRecordSchema>;
export type ApprovalWire = z.infer<typeof approvalSchema>;
export type OrderSummaryWire = z.infer<typeof orderSummarySchema>;
export type ActionResultWire = z.infer<typeof actionResultSchema>;
export type OpsOrderViewWire = z.infer<typeof opsOrderViewSchema>;
export type QueuesWire = z.infer<typeof queuesResponseSchema>;
export type SubmittedLineWire = z.infer<typeof submittedLineSchema>;
