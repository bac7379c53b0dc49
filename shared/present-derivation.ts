/**
 * A derivation (`#policy/derivation.ts`, instants in epoch milliseconds) as the API shows it
 * (ISO-8601 instants). Part of the one presentation module, kept apart for its size.
 */
import type { OrderDerivation, QuoteDerivation } from '#policy/index.ts';
import { toIso } from '#policy/index.ts';
import type { OrderDerivationWire, QuoteDerivationWire } from '#schema/responses.ts';

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
    lines: d.lines.map((line) => ({
      ...line,
      periodStart: toIso(line.periodStart),
      periodEnd: toIso(line.periodEnd),
      proration: line.proration ? { ...line.proration } : null,
      destination: { ...line.destination },
    })),
    total: { ...d.total },
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
