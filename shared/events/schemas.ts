/**
 * Versioned schemas of the domain events (`#shared/events/derive.ts`): one per type, version 1.
 * `npm run openapi` writes each as JSON Schema to docs/events/<Type>.v1.schema.json.
 */
import * as z from 'zod/mini';
import type { DomainEventType } from './derive.ts';

const text = () => z.string().check(z.minLength(1));
const amount = () => z.int().check(z.minimum(0));
const instanceData = { instanceId: text() };
const orderData = { unsubscribeOrderId: text(), instanceId: text() };
const money = { currency: text(), refundAmount: amount() };
const destination = z.enum(['ORIGINAL_PAYMENT_METHOD', 'ACCOUNT_BALANCE']);

const DATA: Record<DomainEventType, z.ZodMiniObject> = {
  InstanceUnsubscribed: z.strictObject(instanceData),
  InstanceRestored: z.strictObject(instanceData),
  InstanceReleased: z.strictObject(instanceData),
  RetentionDataPurged: z.strictObject({ ...instanceData, kind: z.enum(['CONFIG', 'LOG']) }),
  RenewalCancelled: z.strictObject({ ...orderData, ...money }),
  RefundLineSubmitted: z.strictObject({ ...orderData, orderId: text(), ...money }),
  RefundLineSettled: z.strictObject({ ...orderData, orderId: text(), ...money, destination }),
  RefundLineReversed: z.strictObject({
    ...orderData,
    orderId: text(),
    ...money,
    destination: z.literal('ACCOUNT_BALANCE'),
  }),
  AccountBalanceCredited: z.strictObject({
    unsubscribeOrderId: text(),
    orderId: text(),
    currency: text(),
    amount: z.int().check(z.minimum(1)),
    cause: z.enum(['REFUND_TO_BALANCE', 'PROVIDER_REFUSED', 'PROVIDER_FAILED', 'PROVIDER_REVERSED']),
  }),
  UnsubscribeOrderSucceeded: z.strictObject({ ...orderData, ...money }),
  UnsubscribeOrderNeedsAttention: z.strictObject(orderData),
  SlaBreached: z.strictObject({ ...orderData, dueBy: z.iso.datetime() }),
};

export const EVENT_TYPES = Object.keys(DATA) as DomainEventType[];

/** The schema of one event type: envelope (deterministic `id`, `version` 1) and its data. */
export function eventSchema(type: DomainEventType) {
  return z.strictObject({
    id: z.string().check(z.regex(/^[0-9a-f]{32}$/)),
    type: z.literal(type),
    version: z.literal(1),
    accountId: text(),
    occurredAt: z.iso.datetime(),
    data: DATA[type],
  });
}
