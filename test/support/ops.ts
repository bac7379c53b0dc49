/**
 * The back office in the integration suites: orders made stuck through the real path (ingest,
 * quote, unsubscribe, then settlement giving up after the last receive), and small helpers to
 * call the `/ops` routes as an operator or an approver.
 */
import { randomUUID } from 'node:crypto';
import { DynamoSettlementStore } from '#adapters/dynamo/settlement.ts';
import { type PaymentProvider, TransientProviderError } from '#ports/payment-provider.ts';
import { QUEUES } from '#schema/table.ts';
import { settleRefund } from '#use-cases/settle-refund.ts';
import { type ApiAnswer, type ApiHarness, confirmedUnsubscribe, orderBody } from './api.ts';

/** A provider that is down: every refund fails transiently. */
export const downProvider: PaymentProvider = {
  async refund() {
    throw new TransientProviderError('provider down (test)');
  },
};

/** An account with one active instance (NEW order paid four days before the harness's now). */
export async function accountWithInstance(
  api: ApiHarness,
  options: { cashPaid?: number; currency?: string; method?: 'CARD' | 'PAYPAL' | 'BALANCE' } = {},
) {
  const account = `acct-${randomUUID().slice(0, 8)}`;
  const instanceId = `i-${randomUUID().slice(0, 8)}`;
  const paidAt = new Date(api.now() - 4 * 86_400_000).toISOString();
  const periodEnd = new Date(api.now() + 300 * 86_400_000).toISOString();
  const ingested = await api.call('POST', '/internal/orders', {
    account: 'billing',
    internal: true,
    body: orderBody(
      account,
      instanceId,
      {
        orderId: `o-${randomUUID().slice(0, 8)}`,
        paidAt,
        periodEnd,
        cashPaid: options.cashPaid ?? 5000,
        ...(options.method ? { method: options.method } : {}),
      },
      { currency: options.currency ?? 'USD' },
    ),
  });
  if (ingested.status !== 201) throw new Error(`ingest: ${ingested.status} ${ingested.raw}`);
  return { account, instanceId };
}

/** Unsubscribes a fresh instance; the order is PENDING with one card line. */
export async function unsubscribedOrder(
  api: ApiHarness,
  options: Parameters<typeof accountWithInstance>[1] = {},
) {
  const { account, instanceId } = await accountWithInstance(api, options);
  const quote = await api.call('POST', `/instances/${instanceId}/refund-quotes`, {
    account,
    body: { kind: 'UNSUBSCRIBE' },
  });
  const order = await api.call('POST', `/instances/${instanceId}/unsubscriptions`, {
    account,
    headers: { 'idempotency-key': randomUUID() },
    body: confirmedUnsubscribe(quote.body.quoteId, quote.body.refundType),
  });
  if (order.status !== 202) throw new Error(`unsubscribe: ${order.status} ${order.raw}`);
  return {
    account,
    instanceId,
    unsubscribeOrderId: String(order.body.unsubscribeOrderId),
    refundAmount: Number(order.body.refundAmount),
  };
}

/** An order in NEEDS_ATTENTION: settlement with the provider down gave up on its last receive. */
export async function stuckOrder(api: ApiHarness, options: Parameters<typeof accountWithInstance>[1] = {}) {
  const made = await unsubscribedOrder(api, options);
  const orders = new DynamoSettlementStore(api.table);
  const clock = { now: () => api.now() };
  await settleRefund(
    { orders, provider: downProvider, clock },
    { accountId: made.account, unsubscribeOrderId: made.unsubscribeOrderId },
    { receiveCount: QUEUES.maxReceiveCount },
  ).catch((error: unknown) => {
    if (!(error instanceof TransientProviderError)) throw error;
  });
  const order = await orders.get({ accountId: made.account, unsubscribeOrderId: made.unsubscribeOrderId });
  if (order?.status !== 'NEEDS_ATTENTION') throw new Error(`not stuck: ${order?.status}`);
  return { ...made, orderId: order.lines[0]?.orderId ?? '' };
}

export const why = (note = 'checked with the provider') => ({ reasonCode: 'PROVIDER_OUTAGE' as const, note });

/** Calls an /ops route as `operator` (an approver with `approver: true`), with an Idempotency-Key on POSTs. */
export function opsCaller(api: ApiHarness) {
  return (
    method: 'GET' | 'POST',
    url: string,
    as: { operator: string; approver?: boolean; key?: string },
    body?: unknown,
  ): Promise<ApiAnswer> =>
    api.call(method, url, {
      operator: as.operator,
      ...(as.approver ? { approver: true } : {}),
      ...(method === 'POST' ? { headers: { 'idempotency-key': as.key ?? randomUUID() } } : {}),
      ...(body === undefined ? {} : { body }),
    });
}
