import type { InstanceFacts } from '#shared/domain.ts';
import type { OrderInput } from './derivation.ts';

/** The orders as the policy reads them, without payment references (for the derivation). */
export function orderInputs(instance: InstanceFacts): OrderInput[] {
  return instance.orders.map((o) => ({
    orderId: o.orderId,
    type: o.type,
    status: o.status,
    paidAt: o.paidAt,
    periodStart: o.periodStart,
    periodEnd: o.periodEnd,
    cashPaid: o.cashPaid,
    voucherPaid: o.voucherPaid,
    paymentMethodType: o.paymentMethod.type,
  }));
}
