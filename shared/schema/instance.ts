/**
 * Wire schemas of an Order and of an Instance (SPEC 1 and 4.2), and their conversion to the
 * policy's `InstanceFacts` (epoch milliseconds) and back (ISO-8601 strings).
 *
 * Each schema is built on its first use (`z.lazy`), as the request schemas are: only order
 * ingestion and the policy CLI parse these, and building them at import cost every function
 * ~100 zod objects at cold start (docs/performance.md).
 */
import * as z from 'zod/mini';
import type { Flags, InstanceFacts, Order } from '#shared/domain.ts';
import { validationFailed } from '#shared/errors.ts';
import { currency, id, instant, money, oneOf, parseOrThrow } from './common.ts';

/** 1–128 characters of anything: names and payment references are not ids. */
const label = () =>
  z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(128, 'must be at most 128 characters'));

export const paymentMethodWireSchema = z.lazy(() =>
  z.strictObject({
    type: oneOf(['CARD', 'PAYPAL', 'BALANCE']),
    reference: label(),
  }),
);

/** The fields of an order on the wire, but its status. */
const orderFields = () => ({
  orderId: id(),
  type: oneOf(['NEW', 'RENEW']),
  paidAt: instant(),
  periodStart: instant(),
  periodEnd: instant(),
  cashPaid: money(),
  voucherPaid: money(),
  paymentMethod: paymentMethodWireSchema,
});

/** `periodEnd` must be after `periodStart` (the period is half-open). */
const periodCheck = () =>
  z.refine<{ periodStart: number; periodEnd: number }>((o) => o.periodEnd > o.periodStart, {
    message: 'must be after periodStart',
    path: ['periodEnd'],
  });

/**
 * An order on the wire (an instance's orders: a CLI file, an API answer fed back in).
 * `status` may be omitted and then defaults to `PAID`.
 */
export const orderWireSchema = z.lazy(() =>
  z
    .strictObject({ ...orderFields(), status: z._default(oneOf(['PAID', 'CANCELLED']), 'PAID') })
    .check(periodCheck()),
);

export const INGESTED_STATUS_MESSAGE =
  'must be PAID or omitted: billing sends paid orders only (a cancellation is not ingested)';

/**
 * An order as billing sends it to `POST /internal/orders`: a paid order. `status` may be
 * omitted; if sent it must be `PAID` (a `CANCELLED` order is refused, not stored as paid).
 */
export const ingestedOrderWireSchema = z.lazy(() =>
  z
    .strictObject({
      ...orderFields(),
      status: z.optional(
        z
          .literal('PAID', { error: INGESTED_STATUS_MESSAGE })
          .check(
            z.describe(
              'Optional; only PAID. Billing sends paid orders only: a CANCELLED order is refused (400), never stored as paid.',
            ),
          ),
      ),
    })
    .check(periodCheck()),
);

const NO_FLAGS: Flags = {
  overduePayment: false,
  securityLocked: false,
  configurationChangeInProgress: false,
};

/** Abnormal flags; an omitted flag (or an omitted `flags`) is not set. */
export const flagsWireSchema = z.lazy(() =>
  z._default(
    z.strictObject({
      overduePayment: z._default(z.boolean(), false),
      securityLocked: z._default(z.boolean(), false),
      configurationChangeInProgress: z._default(z.boolean(), false),
    }),
    () => ({ ...NO_FLAGS }),
  ),
);

const retentionItemWireSchema = () =>
  z.strictObject({
    status: oneOf(['RETAINED', 'PURGED', 'RESTORED']),
    purgeAt: z.optional(z.nullable(instant())),
    purgedAt: z.optional(z.nullable(instant())),
  });

/**
 * An instance as `GET /instances/{id}` shows it (SPEC 4.2). The read-only, derived fields
 * (`expiresAt`, `unsubscribedAt`, `retention`) are accepted so that an API answer can be fed
 * back in, and ignored. Unknown fields fail.
 */
export const instanceWireSchema = z.lazy(() =>
  z.strictObject({
    instanceId: id(),
    product: id(),
    edition: label(),
    billingMethod: oneOf(['SUBSCRIPTION', 'PAY_AS_YOU_GO']),
    currency: currency(),
    status: oneOf(['ACTIVE', 'UNSUBSCRIBED', 'RELEASED']),
    expiresAt: z.optional(z.nullable(instant())),
    flags: flagsWireSchema,
    orders: z.array(orderWireSchema),
    unsubscribedAt: z.optional(z.nullable(instant())),
    retention: z.optional(
      z.nullable(
        z.strictObject({ configData: retentionItemWireSchema(), logData: retentionItemWireSchema() }),
      ),
    ),
  }),
);

/** Parses one wire order (fields named under `prefix`, e.g. `order.periodEnd`). */
export function parseOrder(value: unknown, prefix = 'order'): Order {
  return parseOrThrow(orderWireSchema, value, prefix);
}

/** NEW first, then by periodStart (then orderId, so the order is total). */
export function compareOrders(a: Order, b: Order): number {
  if (a.type !== b.type) return a.type === 'NEW' ? -1 : 1;
  if (a.periodStart !== b.periodStart) return a.periodStart - b.periodStart;
  return a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0;
}

/**
 * The orders of one instance against SPEC 1 "valid data", beyond what each order checks on
 * its own: exactly one NEW order, never cancelled, and the earliest (every renewal starts
 * after it and is not paid before it); unique orderIds; totals that stay safe integers.
 * Renewals being contiguous is not required here (order ingestion enforces it on arrival).
 * Fields are named by their index in the input.
 */
export function orderIssues(
  orders: readonly Order[],
  prefix = 'orders',
): { field: string; message: string }[] {
  const issues: { field: string; message: string }[] = [];
  const newIndex = orders.findIndex((o) => o.type === 'NEW');
  const first = orders[newIndex];
  if (first === undefined) issues.push({ field: prefix, message: 'must contain exactly one NEW order' });
  else if (first.status === 'CANCELLED') {
    issues.push({ field: `${prefix}.${newIndex}.status`, message: 'a NEW order cannot be cancelled' });
  }
  const seen = new Map<string, number>();
  let cash = 0;
  let voucher = 0;
  orders.forEach((order, i) => {
    const previous = seen.get(order.orderId);
    if (previous !== undefined) {
      issues.push({ field: `${prefix}.${i}.orderId`, message: `duplicates ${prefix}.${previous}.orderId` });
    } else seen.set(order.orderId, i);
    cash += order.cashPaid;
    voucher += order.voucherPaid;
    if (first === undefined || i === newIndex) return;
    if (order.type === 'NEW') {
      issues.push({ field: `${prefix}.${i}.type`, message: 'must contain exactly one NEW order' });
    } else {
      if (order.periodStart <= first.periodStart) {
        issues.push({
          field: `${prefix}.${i}.periodStart`,
          message: 'must be after the periodStart of the NEW order',
        });
      }
      if (order.paidAt < first.paidAt) {
        issues.push({
          field: `${prefix}.${i}.paidAt`,
          message: 'must not be before the paidAt of the NEW order',
        });
      }
    }
  });
  if (!Number.isSafeInteger(cash))
    issues.push({ field: prefix, message: 'total cashPaid must be a safe integer' });
  if (!Number.isSafeInteger(voucher))
    issues.push({ field: prefix, message: 'total voucherPaid must be a safe integer' });
  return issues;
}

/**
 * An instance from the wire (a CLI file, a stored record) as the policy's `InstanceFacts`,
 * or VALIDATION_FAILED naming every bad field (e.g. `orders.2.periodEnd`). The orders come
 * back NEW first, then by periodStart.
 */
export function parseInstanceFacts(value: unknown): InstanceFacts {
  const wire = parseOrThrow(instanceWireSchema, value);
  const issues = orderIssues(wire.orders);
  if (issues.length > 0) throw validationFailed(issues);
  return {
    instanceId: wire.instanceId,
    product: wire.product,
    edition: wire.edition,
    billingMethod: wire.billingMethod,
    currency: wire.currency,
    status: wire.status,
    flags: wire.flags,
    orders: [...wire.orders].sort(compareOrders),
  };
}
