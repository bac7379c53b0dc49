/**
 * Stripe's credentials from AWS Secrets Manager: one secret (its name from config,
 * `STRIPE_SECRET_NAME`) whose value is JSON `{"apiKey": "sk_…", "webhookSecret": "whsec_…"}`.
 * Read once at cold start. Neither value is ever logged or put in an error message.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';

export interface StripeSecrets {
  apiKey: string;
  webhookSecret: string;
}

const secretSchema = z.object({
  apiKey: z.string().check(z.minLength(1)),
  webhookSecret: z.string().check(z.minLength(1)),
});

export async function readStripeSecrets(
  name: string,
  client: SecretsManagerClient = new SecretsManagerClient({}),
): Promise<StripeSecrets> {
  const result = await client.send(new GetSecretValueCommand({ SecretId: name }));
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.SecretString ?? '');
  } catch {
    parsed = undefined;
  }
  const checked = z.safeParse(secretSchema, parsed);
  // The message names the secret and the expected shape, never its content.
  if (!checked.success) {
    throw new Error(`Secret ${name} must be JSON {"apiKey": "...", "webhookSecret": "..."}`);
  }
  return { apiKey: checked.data.apiKey, webhookSecret: checked.data.webhookSecret };
}
