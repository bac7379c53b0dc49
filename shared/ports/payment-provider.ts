/**
 * The payment provider, as the refund processor needs it: one call that refunds one line of
 * an unsubscribe order to the payment method it was paid with.
 *
 * To plug in a real provider, implement `PaymentProvider` and hand it to
 * `createRefundProcessorHandler` (see `functions/refund-processor.ts`). The contract:
 *
 * 1. **Idempotency.** `idempotencyKey` is deterministic per line
 *    (`<unsubscribeOrderId>:<orderId>`). The provider must treat a repeated key as the same
 *    refund: never move money twice, answer with the first outcome. Pass it to the
 *    provider's own idempotency mechanism (e.g. an `Idempotency-Key` header).
 * 2. **Outcomes.** Return `SUCCEEDED` once the provider has made the refund to the original
 *    method. Return `SUBMITTED` when it accepted the refund but will only say later whether it
 *    succeeded (see `#ports/refund-status.ts`). Return `REFUSED` only for a *definitive* refusal — the method can never receive
 *    it (closed card, account gone, method no longer valid); the processor then credits the
 *    account balance instead.
 * 3. **Everything else throws.** A timeout, a 5xx, a throttle, an unknown answer: throw
 *    (preferably `TransientProviderError`). Anything thrown is treated as *not* definitive:
 *    the message is retried later with the same key and the money never falls back to the
 *    balance. When in doubt, throw — a wrong `REFUSED` credits the balance for a refund the
 *    provider might still make.
 *
 * Amounts are integer minor units of `currency`. The request carries the payment reference,
 * which is personal data: adapters must not log it.
 */
import type { MinorUnits, PaymentMethod } from '#shared/domain.ts';

export interface ProviderRefundRequest {
  /** `<unsubscribeOrderId>:<orderId>`: the same line always sends the same key. */
  idempotencyKey: string;
  accountId: string;
  unsubscribeOrderId: string;
  /** The paid order this line refunds. */
  orderId: string;
  amount: MinorUnits;
  currency: string;
  paymentMethod: PaymentMethod;
}

/** Short machine-readable refusal reasons (never free text from the provider). */
export type RefusalReason = 'METHOD_CLOSED' | 'METHOD_INVALID' | 'REFUND_NOT_ALLOWED';

export type ProviderRefundResult =
  | { outcome: 'SUCCEEDED'; providerRefundId: string }
  /** Accepted but not final (Stripe `pending`): the line becomes `SUBMITTED`; the final answer comes later. */
  | { outcome: 'SUBMITTED'; providerRefundId: string }
  | { outcome: 'REFUSED'; reason: RefusalReason };

export interface PaymentProvider {
  /** Refunds one line; see the module comment for what must be returned and what must throw. */
  refund(request: ProviderRefundRequest): Promise<ProviderRefundResult>;
}

/** The provider could not answer definitively (timeout, outage, throttling): retry later. */
export class TransientProviderError extends Error {
  constructor(message = 'The payment provider did not answer definitively', options?: ErrorOptions) {
    super(message, options);
    this.name = 'TransientProviderError';
  }
}

/** The provider idempotency key of one line of an unsubscribe order (SPEC 3.4). */
export function refundIdempotencyKey(unsubscribeOrderId: string, orderId: string): string {
  return `${unsubscribeOrderId}:${orderId}`;
}
