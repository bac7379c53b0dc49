/**
 * `POST /webhooks/stripe` (no JWT: Stripe signs the request instead). Verifies the
 * `Stripe-Signature` header over the raw body with the signing secret and a tolerance window,
 * then applies the refund's new state (`#use-cases/apply-refund-update.ts`).
 *
 * | request                                             | answer                                  |
 * |-----------------------------------------------------|-----------------------------------------|
 * | missing/bad signature, or older than the tolerance  | 400 `VALIDATION_FAILED`, nothing changes |
 * | a refund event (`refund.updated`, `refund.failed`, `charge.refund.updated`) | 200, applied (idempotent) |
 * | an unknown refund id                                | 200, nothing changes (Stripe stops retrying) |
 * | any other event type                                | 200, ignored                            |
 * | a storage failure                                   | 500: Stripe delivers it again later     |
 * | `PAYMENT_PROVIDER` is not `stripe`                  | 404 `NOT_FOUND`                          |
 *
 * Logs carry event outcomes and ids only, never the body.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DynamoProviderRefunds } from '#adapters/dynamo/provider-refunds.ts';
import { DynamoSettlementStore } from '#adapters/dynamo/settlement.ts';
import { verifyWebhook, type WebhookVerification } from '#adapters/stripe-provider.ts';
import type { Clock } from '#ports/clock.ts';
import { realClock, serviceClock } from '#shared/clock.ts';
import { readConfig } from '#shared/config.ts';
import { type ErrorCode, RefundError } from '#shared/errors.ts';
import { createLogger } from '#shared/logger.ts';
import { stripeRuntime } from '#shared/provider-wiring.ts';
import { tableRef } from '#shared/wiring.ts';
import { applyRefundUpdate, type RefundUpdateDeps } from '#use-cases/apply-refund-update.ts';

/** Stripe's refund events are a few KiB; anything far larger is not one. */
export const MAX_WEBHOOK_BYTES = 256 * 1024;

export type WebhookVerifier = (input: {
  rawBody: string;
  signature: string | undefined;
  nowMs: number;
}) => WebhookVerification;

export interface StripeWebhookDeps extends Omit<RefundUpdateDeps, 'observe'> {
  verify: WebhookVerifier;
  clock: Clock;
  /**
   * What the signature's age is measured against (default `clock`): Stripe stamps it with the
   * real time, so the functions pass the real clock, which stays real when the local clock runs
   * ahead (`#shared/clock.ts`).
   */
  signatureClock?: Clock;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export type StripeWebhookHandler = (
  event: APIGatewayProxyEventV2,
) => Promise<APIGatewayProxyStructuredResultV2>;

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const refusal = (code: ErrorCode, message: string) =>
  json(new RefundError(code, message).status, new RefundError(code, message).toBody());

function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  for (const [key, value] of Object.entries(event.headers ?? {}))
    if (key.toLowerCase() === name) return value;
  return undefined;
}

export function createStripeWebhookHandler(deps: StripeWebhookDeps): StripeWebhookHandler {
  const logger = deps.logger ?? createLogger();
  return async (event) => {
    const body = event.body ?? '';
    const raw = event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
    if (raw.byteLength > MAX_WEBHOOK_BYTES) {
      return refusal('PAYLOAD_TOO_LARGE', `The body must be at most ${MAX_WEBHOOK_BYTES} bytes`);
    }
    const verification = deps.verify({
      rawBody: raw.toString('utf8'),
      signature: header(event, 'stripe-signature'),
      nowMs: (deps.signatureClock ?? deps.clock).now(),
    });
    if (!verification.ok) {
      logger.warn('Webhook refused', { reason: verification.reason });
      return refusal(
        'VALIDATION_FAILED',
        verification.reason === 'BAD_SIGNATURE'
          ? 'The Stripe-Signature header is missing, does not match the body, or is too old'
          : 'The event does not carry a refund',
      );
    }
    if (!verification.update) return json(200, { received: true, outcome: 'IGNORED' });
    try {
      const result = await applyRefundUpdate(
        {
          refunds: deps.refunds,
          orders: deps.orders,
          clock: deps.clock,
          observe: (e) => {
            if (e.type === 'UNKNOWN_REFUND') logger.warn('Webhook for an unknown refund; acknowledged');
            else if (e.type === 'LINE_FINISHED' && e.applied)
              logger.info('Refund line finished by webhook', { ...e });
            else if (e.type === 'ORDER_SUCCEEDED') logger.info('Unsubscribe order settled', { ...e });
          },
        },
        verification.update,
      );
      return json(200, { received: true, outcome: result.outcome });
    } catch (error) {
      logger.error('Webhook could not be applied; Stripe will deliver it again', {
        error: error instanceof Error ? error.name : 'Unknown',
      });
      return refusal('INTERNAL', 'Something went wrong on our side; please retry later');
    }
  };
}

const config = readConfig();

async function coldStart(): Promise<StripeWebhookHandler> {
  if (config.paymentProvider !== 'stripe') {
    return async () => refusal('NOT_FOUND', 'Stripe is not the configured payment provider');
  }
  const { stripe, webhookSecret } = await stripeRuntime(config);
  const table = tableRef(config);
  return createStripeWebhookHandler({
    refunds: new DynamoProviderRefunds(table),
    orders: new DynamoSettlementStore(table),
    clock: serviceClock,
    signatureClock: realClock,
    verify: (input) =>
      verifyWebhook(stripe, {
        ...input,
        secret: webhookSecret,
        toleranceSeconds: config.stripe.webhookToleranceSeconds,
      }),
  });
}

export const handler = await coldStart();
