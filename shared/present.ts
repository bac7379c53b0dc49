/**
 * How records become JSON (SPEC 4.2): the one presentation module. Records with
 * epoch-millisecond instants become the wire types of `#schema/responses.ts` (ISO-8601 UTC
 * strings with milliseconds). Internal fields (payment references of unsubscribe-order lines,
 * versions, keys, the policy's `quotaYear`/`usesQuota`/`cancelledOrderIds`) never leave
 * through here. Only types are imported from the schemas, so Lambda bundles stay small.
 */
import { DEFAULT_POLICY, dueBy, expiresAt, POLICIES, type Quote, toIso } from '#policy/index.ts';
import type {
  BalanceWire,
  ExportedOrderWire,
  InstanceFactsWire,
  InstanceListItemWire,
  InstanceWire,
  OrderWire,
  PolicyQuoteWire,
  QuoteWire,
  RefundLineWire,
  UnsubscribeOrderLineWire,
  UnsubscribeOrderWire,
} from '#schema/responses.ts';
import type { InstanceFacts, Millis, Order, RefundLine } from '#shared/domain.ts';
import type {
  InstanceRecord,
  QuoteRecord,
  RetainedData,
  UnsubscribeOrder,
  UnsubscribeOrderLine,
} from '#shared/model.ts';
import type { Balance } from '#use-cases/get-balance.ts';
import { presentOrderDerivation, presentQuoteDerivation } from './present-derivation.ts';

const isoOrNull = (ms: Millis | null | undefined): string | null => (ms == null ? null : toIso(ms));

export function presentOrder(order: Order): OrderWire {
  return {
    orderId: order.orderId,
    type: order.type,
    paidAt: toIso(order.paidAt),
    periodStart: toIso(order.periodStart),
    periodEnd: toIso(order.periodEnd),
    cashPaid: order.cashPaid,
    voucherPaid: order.voucherPaid,
    paymentMethod: { type: order.paymentMethod.type, reference: order.paymentMethod.reference },
    status: order.status,
  };
}

/** The writable part of an instance on the wire; `parseInstanceFacts` reads it back. */
export function presentInstanceFacts(instance: InstanceFacts): InstanceFactsWire {
  return {
    instanceId: instance.instanceId,
    product: instance.product,
    edition: instance.edition,
    billingMethod: instance.billingMethod,
    currency: instance.currency,
    status: instance.status,
    flags: { ...instance.flags },
    orders: instance.orders.map(presentOrder),
  };
}

const presentRetained = (data: RetainedData) => ({
  status: data.status,
  purgeAt: toIso(data.purgeAt),
  purgedAt: isoOrNull(data.purgedAt),
});

export function presentInstance(instance: InstanceRecord): InstanceWire {
  const paid = instance.orders.some((order) => order.status === 'PAID');
  const facts = presentInstanceFacts(instance);
  return {
    ...facts,
    // Unsubscribing ends every paid order, so the service then expired at the unsubscription.
    expiresAt: paid ? toIso(expiresAt(instance.orders)) : isoOrNull(instance.unsubscribedAt),
    flags: facts.flags,
    orders: facts.orders,
    unsubscribedAt: isoOrNull(instance.unsubscribedAt),
    retention: instance.retention
      ? {
          configData: presentRetained(instance.retention.configData),
          logData: presentRetained(instance.retention.logData),
        }
      : null,
  };
}

/** An item of `GET /instances`: the instance and until when a full refund is available. */
export function presentListedInstance(
  instance: InstanceRecord,
  fullRefundUntil: Millis | null,
): InstanceListItemWire {
  return { ...presentInstance(instance), fullRefundUntil: isoOrNull(fullRefundUntil) };
}

/** A quoted line; an unsubscribe order's line adds its settlement to the same fields. */
export function presentLine(line: RefundLine): RefundLineWire {
  return {
    orderId: line.orderId,
    cashPaid: line.cashPaid,
    voucherPaid: line.voucherPaid,
    usedDays: line.usedDays,
    termDays: line.termDays,
    refundAmount: line.refundAmount,
    destination: line.destination,
  };
}

/** The policy's answer as JSON (what `npm run policy -- quote` prints). */
export function presentQuote(quote: Quote): PolicyQuoteWire {
  const base = {
    currency: quote.currency,
    refundAmount: quote.refundAmount,
    nonRefundableVoucherAmount: quote.nonRefundableVoucherAmount,
    lines: quote.lines.map(presentLine),
  };
  return quote.kind === 'UNSUBSCRIBE'
    ? {
        refundType: quote.refundType,
        ...base,
        retention: {
          configDataPurgeAt: toIso(quote.retention.configDataPurgeAt),
          logDataPurgeAt: toIso(quote.retention.logDataPurgeAt),
        },
      }
    : {
        refundType: quote.refundType,
        ...base,
        updatedExpirationTime: toIso(quote.updatedExpirationTime),
        allowedExpirationTimes: quote.allowedExpirationTimes.map(toIso),
      };
}

/** The full stored Quote of the HTTP API: `quoteId, instanceId, kind` first, `asOf, expiresAt` last. */
/** A stored quote; `holidays` (the configured non-business days) set its `dueBy`. */
export function presentStoredQuote(record: QuoteRecord, holidays: readonly string[]): QuoteWire {
  const envelope = { quoteId: record.quoteId, instanceId: record.instanceId };
  const { policy, derivation } = record.quote;
  const end = {
    asOf: toIso(record.asOf),
    expiresAt: toIso(record.expiresAt),
    dueBy: toIso(dueBy(record.expiresAt, holidays, (policy && POLICIES.get(policy)) || DEFAULT_POLICY)),
    ...(policy && derivation
      ? { policy: { id: policy.id, version: policy.version }, derivation: presentQuoteDerivation(derivation) }
      : {}),
  };
  const body = presentQuote(record.quote);
  if (record.quote.kind === 'UNSUBSCRIBE' && body.refundType !== 'RENEWAL_CANCELLATION')
    return { ...envelope, kind: 'UNSUBSCRIBE', ...body, ...end };
  if (record.quote.kind === 'CANCEL_RENEWAL' && body.refundType === 'RENEWAL_CANCELLATION')
    return { ...envelope, kind: 'CANCEL_RENEWAL', ...body, ...end };
  throw new Error('a quote of one kind holds an answer of that kind');
}

const presentOrderLine = (line: UnsubscribeOrderLine): UnsubscribeOrderLineWire => ({
  ...presentLine(line),
  destination: line.settledTo ?? line.destination,
  predictedDestination: line.destination,
  status: line.status,
  settledAt: isoOrNull(line.settledAt),
});

export function presentUnsubscribeOrder(order: UnsubscribeOrder): UnsubscribeOrderWire {
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
      ...(entry.orderId ? { orderId: entry.orderId } : {}),
      ...(entry.failureReason ? { failureReason: entry.failureReason } : {}),
    })),
    ...(order.policy && order.derivation
      ? {
          policy: { id: order.policy.id, version: order.policy.version },
          derivation: presentOrderDerivation(order.derivation),
        }
      : {}),
  };
}

/**
 * One line of the backtest's export: what `npm run policy -- backtest` reads (the amounts, the
 * lines as quoted, the policy and the derivation), with the account, instance and creation time
 * to find the order again. No reason, no payment reference, no settlement detail.
 */
export function presentExportedOrder(order: UnsubscribeOrder): ExportedOrderWire {
  return {
    unsubscribeOrderId: order.unsubscribeOrderId,
    accountId: order.accountId,
    instanceId: order.instanceId,
    type: order.type,
    refundType: order.refundType,
    status: order.status,
    currency: order.currency,
    refundAmount: order.refundAmount,
    lines: order.lines.map(presentLine),
    createdAt: toIso(order.createdAt),
    ...(order.policy && order.derivation
      ? {
          policy: { id: order.policy.id, version: order.policy.version },
          derivation: presentOrderDerivation(order.derivation),
        }
      : {}),
  };
}

/** The 200 body of `GET /account/balance` (instants as ISO strings; no account id). */
export function presentBalance(balance: Balance): BalanceWire {
  return {
    balances: balance.balances.map(({ currency, amount }) => ({ currency, amount })),
    entries: balance.entries.map((entry) => ({
      entryId: entry.entryId,
      currency: entry.currency,
      amount: entry.amount,
      cause: entry.cause,
      unsubscribeOrderId: entry.unsubscribeOrderId,
      orderId: entry.orderId,
      createdAt: toIso(entry.createdAt),
    })),
  };
}
