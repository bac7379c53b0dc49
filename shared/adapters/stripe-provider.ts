/**
 * The Stripe payment provider, on the official `stripe` SDK. The only code that knows Stripe.
 *
 * - A refund is `POST /v1/refunds` with `charge` (`ch_…`) or `payment_intent` (`pi_…`) from the
 *   line's payment reference, `amount` in minor units (Stripe's smallest currency unit, the
 *   same integer), metadata `{unsubscribeOrderId, orderId, accountId}` (ids only) and the
 *   line's deterministic `Idempotency-Key`, so a retry after a crash replays the first refund.
 * - The refund's `status`: `succeeded` → SUCCEEDED; `pending` / `requires_action` → SUBMITTED
 *   (final answer by webhook or `retrieve`); `failed` / `canceled` at creation → REFUSED.
 * - Errors (docs/payment-providers.md, "Stripe"): a card error or a charge that can no longer be refunded →
 *   REFUSED (the balance is credited); rate limits, 5xx, 409 lock/idempotency-in-use,
 *   connection errors and timeouts → `TransientProviderError` (retried with the same key,
 *   never a fallback); everything else (bad key, missing charge, disputed or already refunded
 *   charge, a reference that is no Stripe id) → `StripeRequestError`: retried too and, if it
 *   persists, the order ends `NEEDS_ATTENTION` for a person, because crediting the balance
 *   could pay the customer twice.
 *
 * Nothing here logs, and no error message carries the payment reference or Stripe's text.
 */
import Stripe from 'stripe';
import {
  type PaymentProvider,
  type ProviderRefundRequest,
  type ProviderRefundResult,
  type RefusalReason,
  TransientProviderError,
} from '#ports/payment-provider.ts';
import {
  failureCode,
  type ProviderRefundUpdate,
  type RefundState,
  type RefundStatusSource,
} from '#ports/refund-status.ts';

export interface StripeClientOptions {
  /** For a local fake (tests): `127.0.0.1`, its port, `http`. Default: Stripe's API. */
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  /** The SDK's own retries (same idempotency key); default 0: the refund queue retries. */
  maxNetworkRetries?: number;
  /** Per request, ms (default 10 s; the processor's timeout is 30 s). */
  timeoutMs?: number;
}

/**
 * The Stripe API version every request names (`Stripe-Version`), written down rather than
 * left to whichever SDK is installed: the refund and webhook shapes this adapter reads are
 * this version's. The SDK types it as its own latest version, so an SDK upgrade that moves
 * to another version fails the typecheck here, and the move is a reviewed change.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive';

export function createStripeClient(apiKey: string, options: StripeClientOptions = {}): Stripe {
  return new Stripe(apiKey, {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: options.maxNetworkRetries ?? 0,
    timeout: options.timeoutMs ?? 10_000,
    telemetry: false,
    ...(options.host ? { host: options.host } : {}),
    ...(options.port ? { port: options.port } : {}),
    ...(options.protocol ? { protocol: options.protocol } : {}),
  });
}

/** Stripe answered in a way that is neither a refund nor a definitive refusal; the code is Stripe's, the text is not kept. */
export class StripeRequestError extends Error {
  readonly code: string;

  constructor(code: string, options?: ErrorOptions) {
    super(`Stripe refused the request (${code})`, options);
    this.name = 'StripeRequestError';
    this.code = code;
  }
}

/** invalid_request_error codes that mean this charge can never be refunded to its method. */
const NOT_REFUNDABLE_CODES = new Set(['charge_not_refundable']);
/** card_error codes that mean the card is gone. */
const CLOSED_CARD_CODES = new Set(['expired_card', 'expired_or_canceled_card', 'lost_card', 'stolen_card']);
/** 409s that go away when retried. */
const TRANSIENT_CONFLICT_CODES = new Set(['lock_timeout', 'idempotency_key_in_use']);

/** Maps a thrown SDK error: a refusal to return, or an error to throw. */
export function classifyStripeError(error: unknown): { refusal: RefusalReason } | { error: Error } {
  if (!(error instanceof Stripe.errors.StripeError)) {
    return { error: new TransientProviderError('Stripe did not answer', { cause: error }) };
  }
  const code = error.code ?? 'none';
  const status = error.statusCode ?? 0;
  if (
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeRateLimitError ||
    error instanceof Stripe.errors.StripeAPIError ||
    status === 429 ||
    status >= 500 ||
    (status === 409 && TRANSIENT_CONFLICT_CODES.has(code))
  ) {
    return {
      error: new TransientProviderError(`Stripe did not answer definitively (${status || error.type})`),
    };
  }
  if (error instanceof Stripe.errors.StripeCardError) {
    return { refusal: CLOSED_CARD_CODES.has(code) ? 'METHOD_CLOSED' : 'METHOD_INVALID' };
  }
  if (error instanceof Stripe.errors.StripeInvalidRequestError && NOT_REFUNDABLE_CODES.has(code)) {
    return { refusal: 'REFUND_NOT_ALLOWED' };
  }
  return { error: new StripeRequestError(code === 'none' ? error.type : code) };
}

/** The refund's target from a payment reference: a charge or a payment intent id. */
function refundTarget(reference: string): { charge: string } | { payment_intent: string } {
  if (/^ch_[A-Za-z0-9]+$/.test(reference)) return { charge: reference };
  if (/^pi_[A-Za-z0-9]+$/.test(reference)) return { payment_intent: reference };
  throw new StripeRequestError('reference_not_a_charge_or_payment_intent');
}

export function refundState(status: string | null | undefined): RefundState {
  if (status === 'succeeded') return 'SUCCEEDED';
  if (status === 'failed' || status === 'canceled') return 'FAILED';
  return 'PENDING';
}

/** A Stripe Refund object as the port's update (only the id, the state and the failure code). */
export function refundUpdate(
  refund: Pick<Stripe.Refund, 'id' | 'status' | 'failure_reason'>,
): ProviderRefundUpdate {
  const state = refundState(refund.status);
  return {
    providerRefundId: refund.id,
    state,
    ...(state === 'FAILED' ? { failureReason: failureCode(refund.failure_reason) } : {}),
  };
}

export class StripeProvider implements PaymentProvider, RefundStatusSource {
  readonly #stripe: Stripe;

  constructor(stripe: Stripe) {
    this.#stripe = stripe;
  }

  async refund(request: ProviderRefundRequest): Promise<ProviderRefundResult> {
    const target = refundTarget(request.paymentMethod.reference);
    let refund: Stripe.Refund;
    try {
      // Stripe forgets idempotency keys after 24 h; a retry after that (a redrive from the
      // dead-letter queue) must find the line's first refund instead of making a second one.
      refund =
        (await this.#existing(target, request)) ??
        (await this.#stripe.refunds.create(
          {
            ...target,
            amount: request.amount,
            metadata: {
              unsubscribeOrderId: request.unsubscribeOrderId,
              orderId: request.orderId,
              accountId: request.accountId,
            },
          },
          { idempotencyKey: request.idempotencyKey },
        ));
    } catch (error) {
      const classified = classifyStripeError(error);
      if ('refusal' in classified) return { outcome: 'REFUSED', reason: classified.refusal };
      throw classified.error;
    }
    // The key replays the first refund; one that differs from this request is never taken as done.
    if (
      refund.amount !== request.amount ||
      refund.currency.toLowerCase() !== request.currency.toLowerCase()
    ) {
      throw new StripeRequestError('refund_does_not_match_request');
    }
    switch (refundState(refund.status)) {
      case 'SUCCEEDED':
        return { outcome: 'SUCCEEDED', providerRefundId: refund.id };
      case 'PENDING':
        return { outcome: 'SUBMITTED', providerRefundId: refund.id };
      case 'FAILED':
        return { outcome: 'REFUSED', reason: 'METHOD_CLOSED' };
    }
  }

  /** This line's refund of this charge, if one was made already (found by the metadata we set). */
  async #existing(
    target: { charge: string } | { payment_intent: string },
    request: ProviderRefundRequest,
  ): Promise<Stripe.Refund | null> {
    const page = await this.#stripe.refunds.list({ ...target, limit: 100 });
    return (
      page.data.find(
        (r) =>
          r.metadata?.unsubscribeOrderId === request.unsubscribeOrderId &&
          r.metadata?.orderId === request.orderId,
      ) ?? null
    );
  }

  async retrieve(providerRefundId: string): Promise<ProviderRefundUpdate> {
    try {
      return refundUpdate(await this.#stripe.refunds.retrieve(providerRefundId));
    } catch (error) {
      const classified = classifyStripeError(error);
      throw 'error' in classified ? classified.error : new StripeRequestError('refund_not_retrievable');
    }
  }
}

/** The events that carry a refund's new state (`charge.refund.updated` is the older name). */
const REFUND_EVENTS = new Set(['refund.updated', 'refund.failed', 'charge.refund.updated']);

export type WebhookVerification =
  | { ok: true; update: ProviderRefundUpdate | null }
  | { ok: false; reason: 'BAD_SIGNATURE' | 'NOT_A_REFUND' };

/**
 * Verifies `Stripe-Signature` over the raw body (`constructEvent`, HMAC-SHA256 with the
 * signing secret, timestamp within `toleranceSeconds` of `nowMs`) and reads the refund.
 * An event of another type → `update: null` (acknowledged, ignored).
 */
export function verifyWebhook(
  stripe: Stripe,
  input: {
    rawBody: string;
    signature: string | undefined;
    secret: string;
    toleranceSeconds: number;
    nowMs: number;
  },
): WebhookVerification {
  if (!input.signature) return { ok: false, reason: 'BAD_SIGNATURE' };
  let event: Stripe.Event;
  try {
    event = stripe.webhooks.constructEvent(
      input.rawBody,
      input.signature,
      input.secret,
      input.toleranceSeconds,
      undefined,
      input.nowMs,
    );
  } catch {
    return { ok: false, reason: 'BAD_SIGNATURE' };
  }
  if (!REFUND_EVENTS.has(event.type)) return { ok: true, update: null };
  const refund = event.data.object as Partial<Stripe.Refund>;
  if (refund.object !== 'refund' || typeof refund.id !== 'string')
    return { ok: false, reason: 'NOT_A_REFUND' };
  return {
    ok: true,
    update: refundUpdate({
      id: refund.id,
      status: refund.status ?? null,
      failure_reason: refund.failure_reason,
    }),
  };
}
