/**
 * The service's vocabulary (SPEC section 1). Instants are epoch milliseconds (UTC) inside
 * the service and ISO-8601 strings with milliseconds at its edges; money is an integer
 * number of minor units.
 */
export type Millis = number;
export type MinorUnits = number;

export type BillingMethod = 'SUBSCRIPTION' | 'PAY_AS_YOU_GO';
export type InstanceStatus = 'ACTIVE' | 'UNSUBSCRIBED' | 'RELEASED';
export type OrderType = 'NEW' | 'RENEW';
export type OrderStatus = 'PAID' | 'CANCELLED';
export type PaymentMethodType = 'CARD' | 'PAYPAL' | 'BALANCE';
export type Destination = 'ORIGINAL_PAYMENT_METHOD' | 'ACCOUNT_BALANCE';
export type QuoteKind = 'UNSUBSCRIBE' | 'CANCEL_RENEWAL';
export type RefundType = 'FULL_REFUND' | 'PARTIAL_REFUND' | 'RENEWAL_CANCELLATION';

export interface PaymentMethod {
  type: PaymentMethodType;
  reference: string;
}

export interface Order {
  orderId: string;
  type: OrderType;
  paidAt: Millis;
  periodStart: Millis;
  /** Exclusive: the period is [periodStart, periodEnd). */
  periodEnd: Millis;
  cashPaid: MinorUnits;
  voucherPaid: MinorUnits;
  paymentMethod: PaymentMethod;
  status: OrderStatus;
}

export interface Flags {
  overduePayment: boolean;
  securityLocked: boolean;
  configurationChangeInProgress: boolean;
}

/** What the policy needs to know about an instance. */
export interface InstanceFacts {
  instanceId: string;
  product: string;
  edition: string;
  billingMethod: BillingMethod;
  currency: string;
  status: InstanceStatus;
  flags: Flags;
  /** In order: the NEW order first, then renewals by periodStart. */
  orders: Order[];
}

export interface RefundLine {
  orderId: string;
  cashPaid: MinorUnits;
  voucherPaid: MinorUnits;
  usedDays: number;
  termDays: number;
  refundAmount: MinorUnits;
  destination: Destination;
}
