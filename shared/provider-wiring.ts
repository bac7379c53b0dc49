/**
 * The payment provider chosen by configuration (`PAYMENT_PROVIDER`): the embedded simulator
 * (default) or Stripe, whose API key and webhook signing secret are read once per process
 * from Secrets Manager. Handler modules await these at cold start.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type Stripe from 'stripe';
import { PaymentSimulator } from '#adapters/payment-simulator.ts';
import { createStripeClient, StripeProvider } from '#adapters/stripe-provider.ts';
import { readStripeSecrets } from '#adapters/stripe-secrets.ts';
import type { PaymentProvider } from '#ports/payment-provider.ts';
import type { Config } from './config.ts';

export interface StripeRuntime {
  stripe: Stripe;
  provider: StripeProvider;
  webhookSecret: string;
}

/** The Stripe client and secrets; throws at cold start when the provider is not configured. */
export async function stripeRuntime(config: Config, secrets?: SecretsManagerClient): Promise<StripeRuntime> {
  const name = config.stripe.secretName;
  if (!name) throw new Error('Invalid configuration: STRIPE_SECRET_NAME missing');
  const { apiKey, webhookSecret } = await readStripeSecrets(name, secrets);
  const stripe = createStripeClient(apiKey, {
    ...config.stripe.api,
    maxNetworkRetries: config.stripe.maxNetworkRetries,
  });
  return { stripe, provider: new StripeProvider(stripe), webhookSecret };
}

/** The refund processor's provider. */
export async function configuredPaymentProvider(config: Config): Promise<PaymentProvider> {
  if (config.paymentProvider === 'stripe') return (await stripeRuntime(config)).provider;
  return new PaymentSimulator();
}
