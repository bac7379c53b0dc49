/**
 * Explain and backtest (`npm run policy -- explain | backtest`): recompute exported orders from
 * their recorded derivation, under the policy version they name or under a candidate policy.
 * Orders are read as the API shows them (ISO instants); one line at a time, so a backtest of a
 * million orders runs in constant memory.
 */
import type { QuoteDerivation } from './derivation.ts';
import type { Policy } from './document.ts';
import { type Difference, differences, recompute } from './explain.ts';

type Raw = Record<string, unknown>;

const ms = (value: unknown, field: string): number => {
  const t = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(t)) throw new Error(`${field} must be an ISO-8601 instant`);
  return t;
};

/** The order fields a recomputation needs, read from an exported or presented order. */
export interface RecordedOrder {
  unsubscribeOrderId: string;
  currency: string;
  refundType: 'FULL_REFUND' | 'PARTIAL_REFUND' | 'RENEWAL_CANCELLATION';
  refundAmount: number;
  lines: { orderId: string; refundAmount: number }[];
  derivation: QuoteDerivation;
}

/** An order as the API shows it → what a recomputation reads (throws naming what is missing). */
export function recordedOrder(raw: unknown): RecordedOrder {
  const o = raw as Raw;
  const d = o?.derivation as Raw | undefined;
  if (!o || typeof o !== 'object' || !d)
    throw new Error('the order has no derivation (made before policies were versioned?)');
  if (d.schema !== 'refund-derivation/1') throw new Error(`unknown derivation schema ${String(d.schema)}`);
  const inputs = d.inputs as Raw;
  const eligibility = d.eligibility as Raw;
  const policy = d.policy as { id: string; version: number };
  const derivation: QuoteDerivation = {
    schema: 'refund-derivation/1',
    policy: { id: policy.id, version: policy.version },
    inputs: {
      asOf: ms(inputs.asOf, 'derivation.inputs.asOf'),
      product: String(inputs.product),
      currency: String(inputs.currency),
      quotaUsed: inputs.quotaUsed === null ? null : inputs.quotaUsed === true,
      updatedExpirationTime:
        inputs.updatedExpirationTime == null
          ? null
          : ms(inputs.updatedExpirationTime, 'updatedExpirationTime'),
      orders: (inputs.orders as Raw[]).map((x, i) => ({
        orderId: String(x.orderId),
        type: x.type as 'NEW' | 'RENEW',
        status: x.status as 'PAID' | 'CANCELLED',
        paidAt: ms(x.paidAt, `derivation.inputs.orders.${i}.paidAt`),
        periodStart: ms(x.periodStart, `derivation.inputs.orders.${i}.periodStart`),
        periodEnd: ms(x.periodEnd, `derivation.inputs.orders.${i}.periodEnd`),
        cashPaid: Number(x.cashPaid),
        voucherPaid: Number(x.voucherPaid),
        paymentMethodType: x.paymentMethodType as 'CARD' | 'PAYPAL' | 'BALANCE',
      })),
    },
    // Only the rule steers a recomputation (renewal cancellation or unsubscription).
    eligibility: { rule: eligibility.rule } as QuoteDerivation['eligibility'],
    lines: [],
    total: { refundAmount: 0, nonRefundableVoucherAmount: 0 },
  };
  return {
    unsubscribeOrderId: String(o.unsubscribeOrderId),
    currency: String(o.currency),
    refundType: o.refundType as RecordedOrder['refundType'],
    refundAmount: Number(o.refundAmount),
    lines: (o.lines as Raw[]).map((l) => ({
      orderId: String(l.orderId),
      refundAmount: Number(l.refundAmount),
    })),
    derivation,
  };
}

export function explainOrder(order: RecordedOrder, policy: Policy): Difference[] {
  return differences(order, recompute(order.derivation, policy));
}

export interface BacktestReport {
  policy: { id: string; version: number };
  ordersCompared: number;
  ordersChanged: number;
  refundTypeChanged: number;
  /** Per currency: candidate total − recorded total, in minor units (a decimal string: it may be large). */
  totalDifference: Record<string, string>;
  largestChanges: {
    unsubscribeOrderId: string;
    currency: string;
    recorded: number;
    candidate: number;
    difference: number;
  }[];
  /** Orders where the candidate would break an invariant (a refund above the cash paid, a negative amount). */
  invariantBreaks: { unsubscribeOrderId: string; problem: string }[];
  /** Lines that could not be read (line number and why). */
  unreadable: { line: number; problem: string }[];
}

const LARGEST = 10;

/** Accumulates a backtest one order at a time (constant memory). */
export class Backtest {
  readonly #policy: Policy;
  readonly #report: BacktestReport;
  readonly #totals = new Map<string, bigint>();

  constructor(candidate: Policy) {
    this.#policy = candidate;
    this.#report = {
      policy: { id: candidate.id, version: candidate.version },
      ordersCompared: 0,
      ordersChanged: 0,
      refundTypeChanged: 0,
      totalDifference: {},
      largestChanges: [],
      invariantBreaks: [],
      unreadable: [],
    };
  }

  add(line: string, lineNumber: number): void {
    let order: RecordedOrder;
    try {
      order = recordedOrder(JSON.parse(line));
    } catch (error) {
      if (this.#report.unreadable.length < 100)
        this.#report.unreadable.push({ line: lineNumber, problem: (error as Error).message });
      return;
    }
    const r = this.#report;
    r.ordersCompared += 1;
    const again = recompute(order.derivation, this.#policy);
    const candidate = again.refundAmount;
    const difference = candidate - order.refundAmount;
    const typeChanged = again.refundType !== order.refundType;
    if (typeChanged) r.refundTypeChanged += 1;
    if (difference !== 0 || typeChanged) r.ordersChanged += 1;
    this.#totals.set(order.currency, (this.#totals.get(order.currency) ?? 0n) + BigInt(difference));
    const cash = order.derivation.inputs.orders.reduce(
      (s, o) => s + (o.status === 'PAID' ? o.cashPaid : 0),
      0,
    );
    if (candidate < 0)
      r.invariantBreaks.push({ unsubscribeOrderId: order.unsubscribeOrderId, problem: 'negative refund' });
    else if (candidate > cash)
      r.invariantBreaks.push({
        unsubscribeOrderId: order.unsubscribeOrderId,
        problem: 'refund above the cash paid',
      });
    if (difference !== 0) {
      const largest = r.largestChanges;
      const smallest = largest.at(-1);
      if (largest.length < LARGEST || (smallest && Math.abs(difference) > Math.abs(smallest.difference))) {
        largest.push({
          unsubscribeOrderId: order.unsubscribeOrderId,
          currency: order.currency,
          recorded: order.refundAmount,
          candidate,
          difference,
        });
        largest.sort((a, b) => Math.abs(b.difference) - Math.abs(a.difference));
        if (largest.length > LARGEST) largest.pop();
      }
    }
  }

  report(): BacktestReport {
    const totalDifference: Record<string, string> = {};
    for (const [currency, total] of [...this.#totals].sort(([a], [b]) => a.localeCompare(b)))
      totalDifference[currency] = total.toString();
    return { ...this.#report, totalDifference };
  }
}
