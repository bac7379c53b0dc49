import type { Millis, Order } from '#shared/domain.ts';
import { validationFailed } from '#shared/errors.ts';

/** The purchase order; valid data has exactly one (SPEC 1). */
export function newOrderOf(orders: readonly Order[]): Order {
  for (const order of orders) if (order.type === 'NEW') return order;
  throw validationFailed([{ field: 'orders', message: 'must contain exactly one NEW order' }]);
}

/** `expiresAt` of an instance: the latest `periodEnd` of its PAID orders (SPEC 1). */
export function expiresAt(orders: readonly Order[]): Millis {
  let latest = Number.NEGATIVE_INFINITY;
  for (const order of orders)
    if (order.status === 'PAID' && order.periodEnd > latest) latest = order.periodEnd;
  if (latest === Number.NEGATIVE_INFINITY) {
    throw validationFailed([{ field: 'orders', message: 'must contain at least one PAID order' }]);
  }
  return latest;
}
