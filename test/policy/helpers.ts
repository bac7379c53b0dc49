import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseInstanceFacts } from '#schema/instance.ts';
import type { InstanceFacts, Millis, Order } from '#shared/domain.ts';

/** `2026-03-05T10:00Z` → epoch milliseconds; throws on anything Date.parse rejects. */
export function at(isoInstant: string): Millis {
  const t = Date.parse(isoInstant);
  if (Number.isNaN(t)) throw new Error(`bad instant in test: ${isoInstant}`);
  return t;
}

export function order(fields: Partial<Order> & { periodStart: Millis; periodEnd: Millis }): Order {
  return {
    orderId: 'o-new',
    type: 'NEW',
    paidAt: fields.periodStart,
    cashPaid: 1000,
    voucherPaid: 0,
    paymentMethod: { type: 'CARD', reference: 'card-4242' },
    status: 'PAID',
    ...fields,
  };
}

export function instance(orders: Order[], fields: Partial<InstanceFacts> = {}): InstanceFacts {
  return {
    instanceId: 'i-1',
    product: 'cloud-firewall',
    edition: 'Standard',
    billingMethod: 'SUBSCRIPTION',
    currency: 'USD',
    status: 'ACTIVE',
    flags: { overduePayment: false, securityLocked: false, configurationChangeInProgress: false },
    orders,
    ...fields,
  };
}

export const fixturePath = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/policy/${name}`, import.meta.url));

/** A fixture's raw JSON, freshly parsed (so each test gets its own copy). */
export function fixtureJson(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(fixturePath(name), 'utf8')) as Record<string, unknown>;
}

export function fixture(name: string): InstanceFacts {
  return parseInstanceFacts(fixtureJson(name));
}
