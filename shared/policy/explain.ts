/**
 * Recomputing a quote or an order from its recorded derivation: the inputs it names, under
 * the policy version it names (or a candidate policy, for a backtest). Pure.
 */
import type { InstanceFacts, MinorUnits, RefundType } from '#shared/domain.ts';
import { RefundError } from '#shared/errors.ts';
import type { QuoteDerivation } from './derivation.ts';
import type { Policy } from './document.ts';
import { quoteRenewalCancellation } from './renewal.ts';
import { quoteUnsubscribe } from './unsubscribe.ts';

export interface Recomputed {
  refundType: RefundType | null;
  refundAmount: MinorUnits;
  lines: { orderId: string; refundAmount: MinorUnits }[];
  /** The refusal the policy gives now instead of an amount (e.g. NOTHING_TO_REFUND). */
  refusal: string | null;
}

/** The instance the derivation's inputs describe (payment references are not recorded). */
export function instanceOfInputs(d: QuoteDerivation): InstanceFacts {
  return {
    instanceId: 'recomputed',
    product: d.inputs.product,
    edition: 'recomputed',
    billingMethod: 'SUBSCRIPTION',
    currency: d.inputs.currency,
    status: 'ACTIVE',
    flags: { overduePayment: false, securityLocked: false, configurationChangeInProgress: false },
    orders: d.inputs.orders.map((o) => ({
      orderId: o.orderId,
      type: o.type,
      status: o.status,
      paidAt: o.paidAt,
      periodStart: o.periodStart,
      periodEnd: o.periodEnd,
      cashPaid: o.cashPaid,
      voucherPaid: o.voucherPaid,
      paymentMethod: { type: o.paymentMethodType, reference: 'not-recorded' },
    })),
  };
}

/** What `policy` gives for the derivation's inputs at its `asOf`. */
export function recompute(d: QuoteDerivation, policy: Policy): Recomputed {
  const instance = instanceOfInputs(d);
  const now = d.inputs.asOf;
  try {
    const quote =
      d.eligibility.rule === 'RENEWAL_CANCELLATION'
        ? quoteRenewalCancellation(instance, {
            now,
            policy,
            ...(d.inputs.updatedExpirationTime === null
              ? {}
              : { updatedExpirationTime: d.inputs.updatedExpirationTime }),
          })
        : quoteUnsubscribe(instance, { now, quotaUsed: d.inputs.quotaUsed === true, policy });
    return {
      refundType: quote.refundType,
      refundAmount: quote.refundAmount,
      lines: quote.lines.map((l) => ({ orderId: l.orderId, refundAmount: l.refundAmount })),
      refusal: null,
    };
  } catch (error) {
    if (error instanceof RefundError)
      return { refundType: null, refundAmount: 0, lines: [], refusal: error.code };
    throw error;
  }
}

export interface Difference {
  field: string;
  recorded: unknown;
  recomputed: unknown;
}

/** Where the recorded figures and the recomputed ones differ (empty when they match to the minor unit). */
export function differences(
  recorded: {
    refundType: RefundType;
    refundAmount: MinorUnits;
    lines: { orderId: string; refundAmount: MinorUnits }[];
  },
  again: Recomputed,
): Difference[] {
  const out: Difference[] = [];
  if (again.refusal !== null) out.push({ field: 'refusal', recorded: null, recomputed: again.refusal });
  if (recorded.refundType !== again.refundType)
    out.push({ field: 'refundType', recorded: recorded.refundType, recomputed: again.refundType });
  if (recorded.refundAmount !== again.refundAmount)
    out.push({ field: 'refundAmount', recorded: recorded.refundAmount, recomputed: again.refundAmount });
  const byId = new Map(again.lines.map((l) => [l.orderId, l.refundAmount]));
  for (const line of recorded.lines) {
    const amount = byId.get(line.orderId) ?? 0;
    if (amount !== line.refundAmount)
      out.push({
        field: `lines.${line.orderId}.refundAmount`,
        recorded: line.refundAmount,
        recomputed: amount,
      });
  }
  return out;
}
