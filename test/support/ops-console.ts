/**
 * What the operator console's browser test and its screenshots share: a local runtime whose
 * refund processor settles through a payment provider that can be taken down (so orders end
 * in NEEDS_ATTENTION through the real path: five receives, then the dead-letter queue), and
 * small callers of the runtime's API as a customer, billing or an operator.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { PaymentSimulator } from '#adapters/payment-simulator.ts';
import type { LocalHandler } from '#infra/local/functions.ts';
import type { LocalRuntime } from '#infra/local/runtime.ts';
import { type PaymentProvider, TransientProviderError } from '#ports/payment-provider.ts';
import { confirmedUnsubscribe } from './api.ts';

/**
 * The refund processor of the runtime (`handlers: {'refund-processor': processor}`) on the
 * simulator, failing transiently while `down` is set. Built on its first message, once the
 * runtime has set the environment the function reads.
 */
export function switchableSettlement() {
  const simulator = new PaymentSimulator();
  const state = { down: false };
  const provider: PaymentProvider = {
    refund(request) {
      if (state.down) return Promise.reject(new TransientProviderError('provider down (test)'));
      return simulator.refund(request);
    },
  };
  let handler: LocalHandler | undefined;
  const processor: LocalHandler = async (event: never, context: Context) => {
    if (!handler) {
      const [
        { createRefundProcessorHandler },
        { DynamoSettlementStore },
        { tableRef },
        { readConfig },
        clock,
      ] = await Promise.all([
        import('#functions/refund-processor.ts'),
        import('#adapters/dynamo/settlement.ts'),
        import('#shared/wiring.ts'),
        import('#shared/config.ts'),
        import('#shared/clock.ts'),
      ]);
      handler = createRefundProcessorHandler({
        orders: new DynamoSettlementStore(tableRef(readConfig())),
        provider,
        clock: clock.serviceClock,
      }) as LocalHandler;
    }
    return handler(event, context);
  };
  return { simulator, state, processor };
}

export type Json = Record<string, unknown> & { items?: Json[] };
export type Caller = ReturnType<typeof runtimeCaller>;

/** Calls the runtime's API as a customer (`account`), billing (`internal`) or an operator. */
export function runtimeCaller(runtime: LocalRuntime) {
  return async (
    method: string,
    path: string,
    as: { account?: string; operator?: string; approver?: boolean; internal?: boolean },
    body?: unknown,
  ): Promise<{ status: number; body: Json }> => {
    const token = as.operator
      ? runtime.token(as.operator, { role: as.approver ? 'approver' : 'operator' })
      : runtime.token(as.account ?? 'billing', { internal: as.internal ?? false });
    const response = await fetch(`${runtime.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Json };
  };
}

/** The customer unsubscribes the instance (quote, then confirm); the runtime's poller settles it. */
export async function unsubscribeInstance(
  call: Caller,
  account: string,
  instanceId: string,
): Promise<string> {
  const quote = await call(
    'POST',
    `/instances/${instanceId}/refund-quotes`,
    { account },
    { kind: 'UNSUBSCRIBE' },
  );
  const order = await call(
    'POST',
    `/instances/${instanceId}/unsubscriptions`,
    { account },
    confirmedUnsubscribe(String(quote.body.quoteId), String(quote.body.refundType)),
  );
  if (order.status !== 202)
    throw new Error(`unsubscribe ${instanceId}: ${order.status} ${JSON.stringify(order.body)}`);
  return String(order.body.unsubscribeOrderId);
}

/** Waits (up to a minute) until the back office sees the order in `status`. */
export async function untilOrderStatus(call: Caller, id: string, status: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const view = await call('GET', `/ops/orders/${encodeURIComponent(id)}`, { operator: 'carol' });
    const now = (view.body.order as { status?: string } | undefined)?.status;
    if (now === status) return;
    if (Date.now() > deadline) throw new Error(`order ${id} is ${now}, not ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
