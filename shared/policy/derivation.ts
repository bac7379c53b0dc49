/**
 * How every amount, deadline and due-by was found, as data (`refund-derivation/1`): the
 * inputs the policy read (orders without payment references, the quota's state), the rule
 * that decided each figure and its arithmetic. Quotes and unsubscribe orders carry one, the
 * API presents it, and `npm run policy -- explain` recomputes an order from it.
 *
 * Never personal data: no payment references, no reasons, no e-mail addresses.
 */
import type { Millis, MinorUnits, OrderStatus, OrderType, PaymentMethodType } from '#shared/domain.ts';
import type { PolicyRef } from './document.ts';

export const DERIVATION_SCHEMA = 'refund-derivation/1';

/** An order as the policy saw it (the payment method's type only). */
export interface OrderInput {
  orderId: string;
  type: OrderType;
  status: OrderStatus;
  paidAt: Millis;
  periodStart: Millis;
  periodEnd: Millis;
  cashPaid: MinorUnits;
  voucherPaid: MinorUnits;
  paymentMethodType: PaymentMethodType;
}

/** Who used the year's full refund (when it was used). */
export interface QuotaUse {
  unsubscribeOrderId: string;
  instanceId: string;
  usedAt: Millis;
}

export type EligibilityRule =
  /** Within the window and the year's full refund is free. */
  | 'FULL_REFUND_WITHIN_WINDOW'
  /** The window had closed. */
  | 'PARTIAL_WINDOW_CLOSED'
  /** Within the window, but this year's full refund was already used. */
  | 'PARTIAL_QUOTA_USED'
  /** The policy grants no full refund at all. */
  | 'PARTIAL_NO_FULL_REFUND'
  /** Cancelling renewals that have not started refunds them whole. */
  | 'RENEWAL_CANCELLATION';

export interface EligibilityDerivation {
  rule: EligibilityRule;
  purchasePaidAt: Millis;
  windowEndsAt: Millis;
  withinWindow: boolean;
  quota: {
    year: number;
    allowedPerYear: number;
    /** null when it could not matter (outside the window, or a renewal cancellation). */
    used: boolean | null;
    usedBy: QuotaUse | null;
  };
}

export type LineRule = 'NOT_STARTED' | 'ENDED' | 'IN_EFFECT' | 'FULL_REFUND' | 'RENEWAL_NOT_STARTED';

export type DestinationRule = 'PAID_FROM_BALANCE' | 'WITHIN_PROVIDER_WINDOW' | 'PAST_PROVIDER_WINDOW';

export interface LineDerivation {
  orderId: string;
  rule: LineRule;
  periodStart: Millis;
  periodEnd: Millis;
  termDays: number;
  usedDays: number;
  remainingDays: number;
  cashPaid: MinorUnits;
  /** Vouchers are never refunded; shown so the customer sees why the line is less than paid. */
  voucherPaid: MinorUnits;
  /**
   * For `IN_EFFECT`: the remainder of `cash × remaining / term` (the quotient is `refundAmount`);
   * null when not prorated. The presentation spells out the arithmetic from these integers.
   */
  prorationRemainder: number | null;
  refundAmount: MinorUnits;
  destination: {
    rule: DestinationRule;
    paymentMethodType: PaymentMethodType;
    /** Days from the payment to the refund, a started day counting whole (null for balance payments). */
    ageDays: number | null;
    windowDays: number | null;
  };
}

export interface RetentionDerivation {
  unsubscribedAt: Millis;
  configDataHours: number;
  configDataPurgeAt: Millis;
  /** The next 00:00 in the billing time zone strictly after unsubscribing. */
  logDataPurgeAt: Millis;
  billingUtcOffsetMinutes: number;
}

export interface DueByDerivation {
  confirmedAt: Millis;
  /** The billing-zone calendar day of confirmation (never counts). */
  confirmedDay: string;
  businessDays: string[];
  skipped: { day: string; why: 'WEEKEND' | 'HOLIDAY' }[];
  dueBy: Millis;
}

export interface QuoteDerivation {
  schema: typeof DERIVATION_SCHEMA;
  policy: PolicyRef;
  inputs: {
    asOf: Millis;
    product: string;
    currency: string;
    /** Unsubscription: whether the year's full refund was used when quoted (null: not looked up). */
    quotaUsed: boolean | null;
    /** Renewal cancellation: the chosen updated expiration time. */
    updatedExpirationTime: Millis | null;
    orders: OrderInput[];
  };
  eligibility: EligibilityDerivation;
  lines: LineDerivation[];
  total: { refundAmount: MinorUnits; nonRefundableVoucherAmount: MinorUnits };
}

/** An unsubscribe order's derivation: its quote's, plus what was fixed at confirmation. */
export interface OrderDerivation extends QuoteDerivation {
  retention: RetentionDerivation | null;
  dueBy: DueByDerivation;
}
