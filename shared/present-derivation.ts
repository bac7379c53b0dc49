/**
 * A derivation (`#policy/derivation.ts`, instants in epoch milliseconds) as the API shows it
 * (ISO-8601 instants). Part of the one presentation module, kept apart for its size.
 */
import type { LineDerivation } from '#policy/derivation.ts';
import type { OrderDerivation, QuoteDerivation } from '#policy/index.ts';
import { toIso } from '#policy/index.ts';
import type { OrderDerivationWire, QuoteDerivationWire } from '#schema/responses.ts';

type LineWire = QuoteDerivationWire['lines'][number];

/** The arithmetic of a line in minor units, spelled out from the recorded integers. */
function presentLine(line: LineDerivation): LineWire {
  const { prorationRemainder, ...rest } = line;
  let proration: LineWire['proration'] = null;
  let formula: string;
  switch (line.rule) {
    case 'IN_EFFECT': {
      const numerator = (BigInt(line.cashPaid) * BigInt(line.remainingDays)).toString();
      const remainder = prorationRemainder ?? 0;
      proration = { numerator, quotient: line.refundAmount, remainder };
      formula =
        `${line.cashPaid} × ${line.remainingDays} / ${line.termDays} = ${line.refundAmount}` +
        (remainder === 0 ? '' : ` remainder ${remainder} → ${line.refundAmount} (rounded down)`);
      break;
    }
    case 'FULL_REFUND':
      formula = `${line.cashPaid} (the whole cash: full refund)`;
      break;
    case 'NOT_STARTED':
      formula = `${line.cashPaid} (not started: the whole cash)`;
      break;
    case 'RENEWAL_NOT_STARTED':
      formula = `${line.cashPaid} (renewal not started: the whole cash)`;
      break;
    case 'ENDED':
      formula = '0 (ended: nothing left to refund)';
      break;
  }
  return {
    ...rest,
    periodStart: toIso(line.periodStart),
    periodEnd: toIso(line.periodEnd),
    proration,
    formula,
    destination: { ...line.destination },
  };
}

export function presentQuoteDerivation(d: QuoteDerivation): QuoteDerivationWire {
  const { quota } = d.eligibility;
  return {
    schema: d.schema,
    policy: { id: d.policy.id, version: d.policy.version },
    inputs: {
      asOf: toIso(d.inputs.asOf),
      product: d.inputs.product,
      currency: d.inputs.currency,
      quotaUsed: d.inputs.quotaUsed,
      updatedExpirationTime:
        d.inputs.updatedExpirationTime === null ? null : toIso(d.inputs.updatedExpirationTime),
      orders: d.inputs.orders.map((o) => ({
        ...o,
        paidAt: toIso(o.paidAt),
        periodStart: toIso(o.periodStart),
        periodEnd: toIso(o.periodEnd),
      })),
    },
    eligibility: {
      rule: d.eligibility.rule,
      purchasePaidAt: toIso(d.eligibility.purchasePaidAt),
      windowEndsAt: toIso(d.eligibility.windowEndsAt),
      withinWindow: d.eligibility.withinWindow,
      quota: {
        year: quota.year,
        allowedPerYear: quota.allowedPerYear,
        used: quota.used,
        usedBy: quota.usedBy ? { ...quota.usedBy, usedAt: toIso(quota.usedBy.usedAt) } : null,
      },
    },
    lines: d.lines.map(presentLine),
    total: {
      refundAmount: d.total.refundAmount,
      nonRefundableVoucherAmount: d.total.nonRefundableVoucherAmount,
      formula: `${d.lines.map((l) => l.refundAmount).join(' + ') || '0'} = ${d.total.refundAmount}`,
    },
  };
}

export function presentOrderDerivation(d: OrderDerivation): OrderDerivationWire {
  return {
    ...presentQuoteDerivation(d),
    retention: d.retention
      ? {
          unsubscribedAt: toIso(d.retention.unsubscribedAt),
          configDataHours: d.retention.configDataHours,
          configDataPurgeAt: toIso(d.retention.configDataPurgeAt),
          logDataPurgeAt: toIso(d.retention.logDataPurgeAt),
          billingUtcOffsetMinutes: d.retention.billingUtcOffsetMinutes,
        }
      : null,
    dueBy: {
      confirmedAt: toIso(d.dueBy.confirmedAt),
      confirmedDay: d.dueBy.confirmedDay,
      businessDays: [...d.dueBy.businessDays],
      skipped: d.dueBy.skipped.map((s) => ({ ...s })),
      dueBy: toIso(d.dueBy.dueBy),
    },
  };
}
