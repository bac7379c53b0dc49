/**
 * The API's JSON shapes (SPEC 4.2): records with epoch-millisecond instants become objects
 * with ISO-8601 UTC strings. Internal fields (payment references of unsubscribe-order
 * lines, versions, keys) never leave through here.
 */
import { expiresAt, presentQuote, toIso } from '#policy/index.ts';
import { orderToWire } from '#schema/instance.ts';
import type { Millis } from '#shared/domain.ts';
import type {
  InstanceRecord,
  QuoteRecord,
  RetainedData,
  UnsubscribeOrder,
  UnsubscribeOrderLine,
} from '#shared/model.ts';

const isoOrNull = (ms: Millis | null | undefined): string | null => (ms == null ? null : toIso(ms));

const presentRetained = (data: RetainedData) => ({
  status: data.status,
  purgeAt: toIso(data.purgeAt),
  purgedAt: isoOrNull(data.purgedAt),
});

export function presentInstance(instance: InstanceRecord) {
  const paid = instance.orders.some((order) => order.status === 'PAID');
  return {
    instanceId: instance.instanceId,
    product: instance.product,
    edition: instance.edition,
    billingMethod: instance.billingMethod,
    currency: instance.currency,
    status: instance.status,
    // Unsubscribing ends every paid order, so the service then expired at the unsubscription.
    expiresAt: paid ? toIso(expiresAt(instance.orders)) : isoOrNull(instance.unsubscribedAt),
    flags: { ...instance.flags },
    orders: instance.orders.map(orderToWire),
    unsubscribedAt: isoOrNull(instance.unsubscribedAt),
    retention: instance.retention
      ? {
          configData: presentRetained(instance.retention.configData),
          logData: presentRetained(instance.retention.logData),
        }
      : null,
  };
}

export function presentStoredQuote(record: QuoteRecord) {
  return presentQuote(record.quote, {
    quoteId: record.quoteId,
    instanceId: record.instanceId,
    asOf: record.asOf,
    expiresAt: record.expiresAt,
  });
}

const presentOrderLine = (line: UnsubscribeOrderLine) => ({
  orderId: line.orderId,
  cashPaid: line.cashPaid,
  voucherPaid: line.voucherPaid,
  usedDays: line.usedDays,
  termDays: line.termDays,
  refundAmount: line.refundAmount,
  destination: line.settledTo ?? line.destination,
  predictedDestination: line.destination,
  status: line.status,
  settledAt: isoOrNull(line.settledAt),
});

export function presentUnsubscribeOrder(order: UnsubscribeOrder) {
  return {
    unsubscribeOrderId: order.unsubscribeOrderId,
    instanceId: order.instanceId,
    type: order.type,
    refundType: order.refundType,
    quoteId: order.quoteId,
    status: order.status,
    currency: order.currency,
    refundAmount: order.refundAmount,
    lines: order.lines.map(presentOrderLine),
    reason: order.reason
      ? { code: order.reason.code, ...(order.reason.text ? { text: order.reason.text } : {}) }
      : null,
    createdAt: toIso(order.createdAt),
    dueBy: toIso(order.dueBy),
    settledAt: isoOrNull(order.settledAt),
    slaBreached: order.slaBreached,
    history: order.history.map((entry) => ({
      status: entry.status,
      at: toIso(entry.at),
      ...(entry.note ? { note: entry.note } : {}),
    })),
  };
}
