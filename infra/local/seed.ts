/**
 * Demo data for `npm start -- --seed`, loaded through the real API (`POST /internal/orders`,
 * the ingest function) so it is stored exactly as billing's orders would be. Dates are
 * relative to `now`, so the demo behaves the same whenever it is started.
 */
import { INTERNAL_SCOPE } from '#http/routes.ts';
import { signJwt } from './jwt.ts';

const DAY = 24 * 60 * 60 * 1000;

export interface SeedOrder {
  accountId: string;
  instanceId: string;
  product: string;
  edition: string;
  billingMethod: 'SUBSCRIPTION' | 'PAY_AS_YOU_GO';
  currency: string;
  order: {
    orderId: string;
    type: 'NEW' | 'RENEW';
    paidAt: string;
    periodStart: string;
    periodEnd: string;
    cashPaid: number;
    voucherPaid: number;
    paymentMethod: { type: 'CARD' | 'PAYPAL' | 'BALANCE'; reference: string };
  };
}

export interface SeededInstance {
  accountId: string;
  instanceId: string;
  /** What the instance demonstrates. */
  note: string;
}

export const DEMO_ACCOUNT = 'acct-demo';
export const OTHER_DEMO_ACCOUNT = 'acct-demo-2';

/** The ingest requests of the demo data, in order (a renewal after its NEW order). */
export function demoOrders(now: number): { seeded: SeededInstance[]; orders: SeedOrder[] } {
  const at = (ms: number) => new Date(ms).toISOString();
  const base = {
    product: 'cloud-firewall',
    edition: 'Enterprise',
    billingMethod: 'SUBSCRIPTION',
    currency: 'USD',
  } as const;
  const order = (
    accountId: string,
    instanceId: string,
    o: {
      id: string;
      type: 'NEW' | 'RENEW';
      paid: number;
      start: number;
      days: number;
      cash: number;
      voucher: number;
      card: string;
    },
  ): SeedOrder => ({
    accountId,
    instanceId,
    ...base,
    order: {
      orderId: o.id,
      type: o.type,
      paidAt: at(o.paid),
      periodStart: at(o.start),
      periodEnd: at(o.start + o.days * DAY),
      cashPaid: o.cash,
      voucherPaid: o.voucher,
      paymentMethod: { type: 'CARD', reference: o.card },
    },
  });

  const fresh = now - 2 * DAY;
  const renewing = now - 40 * DAY;
  const flaky = now - 10 * DAY;
  const closed = now - 20 * DAY;
  const other = now - 3 * DAY;
  const orders = [
    order(DEMO_ACCOUNT, 'demo-fresh', {
      id: 'demo-fresh-new',
      type: 'NEW',
      paid: fresh,
      start: fresh,
      days: 365,
      cash: 99900,
      voucher: 10000,
      card: 'card-4242',
    }),
    order(DEMO_ACCOUNT, 'demo-renewing', {
      id: 'demo-renewing-new',
      type: 'NEW',
      paid: renewing,
      start: renewing,
      days: 90,
      cash: 29900,
      voucher: 0,
      card: 'card-5555',
    }),
    order(DEMO_ACCOUNT, 'demo-renewing', {
      id: 'demo-renewing-renew-1',
      type: 'RENEW',
      paid: now - DAY,
      start: renewing + 90 * DAY,
      days: 90,
      cash: 27900,
      voucher: 2000,
      card: 'card-5555',
    }),
    order(DEMO_ACCOUNT, 'demo-flaky', {
      id: 'demo-flaky-new',
      type: 'NEW',
      paid: flaky,
      start: flaky,
      days: 365,
      cash: 49900,
      voucher: 0,
      card: 'flaky-card-0001',
    }),
    order(DEMO_ACCOUNT, 'demo-closed', {
      id: 'demo-closed-new',
      type: 'NEW',
      paid: closed,
      start: closed,
      days: 365,
      cash: 19900,
      voucher: 0,
      card: 'closed-card-0002',
    }),
    order(OTHER_DEMO_ACCOUNT, 'demo2-fresh', {
      id: 'demo2-fresh-new',
      type: 'NEW',
      paid: other,
      start: other,
      days: 30,
      cash: 3100,
      voucher: 0,
      card: 'card-1111',
    }),
  ];
  const seeded: SeededInstance[] = [
    { accountId: DEMO_ACCOUNT, instanceId: 'demo-fresh', note: 'bought 2 days ago: FULL_REFUND' },
    { accountId: DEMO_ACCOUNT, instanceId: 'demo-renewing', note: 'bought 40 days ago, renewal pending' },
    { accountId: DEMO_ACCOUNT, instanceId: 'demo-flaky', note: 'flaky- card: settles after 2 retries' },
    { accountId: DEMO_ACCOUNT, instanceId: 'demo-closed', note: 'closed- card: refund goes to the balance' },
    { accountId: OTHER_DEMO_ACCOUNT, instanceId: 'demo2-fresh', note: 'another account (tenancy)' },
  ];
  return { seeded, orders };
}

export class SeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedError';
  }
}

/**
 * Posts the demo orders, dated relative to `now` (the local clock's), to the running local API
 * at `baseUrl`; throws `SeedError` on any refusal. Its token is on the real time, as every token.
 */
export async function seedDemoData(
  baseUrl: string,
  jwtSecret: string,
  now: number = Date.now(),
): Promise<SeededInstance[]> {
  const { seeded, orders } = demoOrders(now);
  const token = signJwt('local-seed', jwtSecret, { scopes: [INTERNAL_SCOPE], ttlSeconds: 300 });
  for (const order of orders) {
    const response = await fetch(`${baseUrl}/internal/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(order),
    });
    if (response.status !== 201 && response.status !== 200) {
      const text = await response.text();
      let code = '';
      let message = '';
      try {
        const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
        code = body.error?.code ?? '';
        message = body.error?.message ?? '';
      } catch {}
      throw new SeedError(
        `Seeding order ${order.order.orderId} failed: POST /internal/orders answered ${response.status} ${code} ${message}`.trim(),
      );
    }
  }
  return seeded;
}
