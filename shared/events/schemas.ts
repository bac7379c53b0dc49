/**
 * Versioned schemas of the domain events (`#shared/events/derive.ts`): each type in the version
 * it is published in (`EVENT_VERSIONS`), and the earlier versions of a type that changed (the
 * bus archive holds events in them). `npm run openapi` writes each as JSON Schema to
 * docs/events/<Type>.v<N>.schema.json.
 */
import * as z from 'zod/mini';
import { AUDIT_ACTIONS, OPERATOR_REASON_CODES } from '#shared/ops-model.ts';
import { type DomainEventType, EVENT_VERSIONS } from './derive.ts';

const text = () => z.string().check(z.minLength(1));
const amount = () => z.int().check(z.minimum(0));
const instanceV1 = { instanceId: text() };
/** v2 of the instance events: the instance's version after the change, to order them exactly. */
const instanceV2 = { ...instanceV1, instanceVersion: z.int().check(z.minimum(1)) };
const orderData = { unsubscribeOrderId: text(), instanceId: text() };
const money = { currency: text(), refundAmount: amount() };
const destination = z.enum(['ORIGINAL_PAYMENT_METHOD', 'ACCOUNT_BALANCE']);
const dataKind = z.enum(['CONFIG', 'LOG']);

const CREDIT_CAUSES_V1 = [
  'REFUND_TO_BALANCE',
  'PROVIDER_REFUSED',
  'PROVIDER_FAILED',
  'PROVIDER_REVERSED',
] as const;
const creditV1 = {
  unsubscribeOrderId: text(),
  orderId: text(),
  currency: text(),
  amount: z.int().check(z.minimum(1)),
};

/** The data of each type in its current version. */
const DATA: Record<DomainEventType, z.ZodMiniObject> = {
  InstanceUnsubscribed: z.strictObject(instanceV2),
  InstanceRestored: z.strictObject(instanceV2),
  InstanceReleased: z.strictObject(instanceV2),
  RetentionDataPurged: z.strictObject({ ...instanceV2, kind: dataKind }),
  RenewalCancelled: z.strictObject({ ...orderData, ...money }),
  UnsubscribeOrderAccepted: z.strictObject({
    ...orderData,
    kind: z.enum(['UNSUBSCRIBE', 'CANCEL_RENEWAL']),
    refundType: z.enum(['FULL_REFUND', 'PARTIAL_REFUND', 'RENEWAL_CANCELLATION']),
    ...money,
    dueBy: z.iso.datetime(),
  }),
  RefundLineSubmitted: z.strictObject({ ...orderData, orderId: text(), ...money }),
  RefundLineSettled: z.strictObject({ ...orderData, orderId: text(), ...money, destination }),
  RefundLineReversed: z.strictObject({
    ...orderData,
    orderId: text(),
    ...money,
    destination: z.literal('ACCOUNT_BALANCE'),
  }),
  /** v2: `OPERATOR_RESOLUTION` (an operator credited a stuck line) joins the causes. */
  AccountBalanceCredited: z.strictObject({
    ...creditV1,
    cause: z.enum([...CREDIT_CAUSES_V1, 'OPERATOR_RESOLUTION']),
  }),
  AccountBalanceAdjusted: z.strictObject({
    entryId: text(),
    currency: text(),
    /** Signed minor units: negative for a correcting debit. */
    amount: z.int(),
    cause: z.enum(['GOODWILL_CREDIT', 'CORRECTING_DEBIT']),
  }),
  OperatorActionAudited: z.strictObject({
    auditId: text(),
    action: z.enum(AUDIT_ACTIONS),
    /** The person's id (token `sub`) or `system`; never a name or an address. */
    actor: text(),
    targetType: z.enum(['ORDER', 'ACCOUNT']),
    reasonCode: z.enum(OPERATOR_REASON_CODES),
    unsubscribeOrderId: z.optional(text()),
    orderId: z.optional(text()),
    approvalId: z.optional(text()),
    currency: z.optional(text()),
    amount: z.optional(z.int()),
  }),
  UnsubscribeOrderSucceeded: z.strictObject({ ...orderData, ...money }),
  UnsubscribeOrderNeedsAttention: z.strictObject(orderData),
  SlaBreached: z.strictObject({ ...orderData, dueBy: z.iso.datetime() }),
};

/** Earlier versions of the types that changed: no longer published, still documented. */
const EARLIER: Partial<Record<DomainEventType, Record<number, z.ZodMiniObject>>> = {
  InstanceUnsubscribed: { 1: z.strictObject(instanceV1) },
  InstanceRestored: { 1: z.strictObject(instanceV1) },
  InstanceReleased: { 1: z.strictObject(instanceV1) },
  RetentionDataPurged: { 1: z.strictObject({ ...instanceV1, kind: dataKind }) },
  AccountBalanceCredited: { 1: z.strictObject({ ...creditV1, cause: z.enum(CREDIT_CAUSES_V1) }) },
};

export const EVENT_TYPES = Object.keys(DATA) as DomainEventType[];

/** Every documented schema: each type's current version and its earlier ones. */
export const EVENT_SCHEMA_VERSIONS: { type: DomainEventType; version: number }[] = EVENT_TYPES.flatMap(
  (type) => [
    ...Object.keys(EARLIER[type] ?? {}).map((v) => ({ type, version: Number(v) })),
    { type, version: EVENT_VERSIONS[type] },
  ],
);

/**
 * The schema of one event type: envelope (deterministic `id`, `version`) and its data; by
 * default the version the type is published in.
 */
export function eventSchema(type: DomainEventType, version: number = EVENT_VERSIONS[type]) {
  const data = version === EVENT_VERSIONS[type] ? DATA[type] : EARLIER[type]?.[version];
  if (!data) throw new Error(`${type} has no version ${version}`);
  return z.strictObject({
    id: z.string().check(z.regex(/^[0-9a-f]{32}$/)),
    type: z.literal(type),
    version: z.literal(version),
    accountId: text(),
    occurredAt: z.iso.datetime(),
    data,
  });
}
