/**
 * Stripe for `npm start` (`PAYMENT_PROVIDER=stripe`): the functions run their cloud code
 * unchanged, reading the API key and webhook signing secret from "Secrets Manager", here a
 * loopback stand-in that serves that one secret (`GetSecretValue` only), and calling Stripe's
 * API, or a Stripe-compatible server on this machine (`STRIPE_API_HOST`/`_PORT`/`_PROTOCOL`).
 *
 * The key and secret come from `STRIPE_API_KEY` / `STRIPE_WEBHOOK_SECRET`, each else from
 * `.local/stripe.json` (gitignored; the deployed secret's shape, `{"apiKey", "webhookSecret"}`).
 * Test mode only: a live key (`sk_live_…`, `rk_live_…`) is refused, so a laptop never moves
 * real money. Neither value is ever logged or put in an error message.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCAL_REGION } from './emulators.ts';

/** What the local runtime needs to settle refunds with Stripe. */
export interface LocalStripe {
  apiKey: string;
  webhookSecret: string;
  /** A Stripe-compatible server on this machine instead of Stripe's API. */
  api: { host?: string; port?: number; protocol?: 'http' | 'https' };
}

/** The local secrets file, relative to the repository root (`.local/` is gitignored). */
export const LOCAL_STRIPE_FILE = '.local/stripe.json';
/** The name the functions read (`STRIPE_SECRET_NAME`) from the local Secrets Manager. */
export const LOCAL_STRIPE_SECRET_NAME = 'refund-service-local/stripe';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Local Stripe mode is misconfigured; `npm start` prints the message and exits. */
export class LocalStripeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalStripeError';
  }
}

const TEST_KEY = /^(?:sk|rk)_test_\S+$/;
const WEBHOOK_SECRET = /^whsec_\S+$/;

function readFile(path: string): { apiKey?: unknown; webhookSecret?: unknown } {
  if (!existsSync(path)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed;
  } catch {
    // Reported below, without the content.
  }
  throw new LocalStripeError(`${path} must be JSON {"apiKey": "sk_test_…", "webhookSecret": "whsec_…"}`);
}

/**
 * Local Stripe mode from the environment (and the local secrets file): undefined unless
 * `PAYMENT_PROVIDER=stripe`; throws `LocalStripeError` naming what is missing or wrong.
 */
export function localStripeSettings(
  env: NodeJS.ProcessEnv = process.env,
  file: string = join(REPO_ROOT, LOCAL_STRIPE_FILE),
): LocalStripe | undefined {
  const provider = env.PAYMENT_PROVIDER ?? 'simulator';
  if (provider === 'simulator') return undefined;
  if (provider !== 'stripe') {
    throw new LocalStripeError(`PAYMENT_PROVIDER="${provider}" must be simulator or stripe`);
  }
  const stored = env.STRIPE_API_KEY && env.STRIPE_WEBHOOK_SECRET ? {} : readFile(file);
  const apiKey = env.STRIPE_API_KEY || stored.apiKey;
  const webhookSecret = env.STRIPE_WEBHOOK_SECRET || stored.webhookSecret;
  const where = (variable: string, field: string) => `${variable} or "${field}" in ${LOCAL_STRIPE_FILE}`;
  if (typeof apiKey !== 'string' || apiKey === '') {
    throw new LocalStripeError(
      `PAYMENT_PROVIDER=stripe needs a test-mode API key: ${where('STRIPE_API_KEY', 'apiKey')}`,
    );
  }
  if (!TEST_KEY.test(apiKey)) {
    throw new LocalStripeError(
      'npm start takes only a test-mode Stripe key (sk_test_… or rk_test_…): a live key would move real money',
    );
  }
  if (typeof webhookSecret !== 'string' || !WEBHOOK_SECRET.test(webhookSecret)) {
    throw new LocalStripeError(
      `PAYMENT_PROVIDER=stripe needs the webhook signing secret (whsec_…, \`stripe listen\` prints it): ${where('STRIPE_WEBHOOK_SECRET', 'webhookSecret')}`,
    );
  }
  const port = env.STRIPE_API_PORT;
  const protocol = env.STRIPE_API_PROTOCOL;
  if (port !== undefined && !/^\d{1,5}$/.test(port)) {
    throw new LocalStripeError(`STRIPE_API_PORT="${port}" must be a port number`);
  }
  if (protocol !== undefined && protocol !== 'http' && protocol !== 'https') {
    throw new LocalStripeError(`STRIPE_API_PROTOCOL="${protocol}" must be http or https`);
  }
  return {
    apiKey,
    webhookSecret,
    api: {
      ...(env.STRIPE_API_HOST ? { host: env.STRIPE_API_HOST } : {}),
      ...(port !== undefined ? { port: Number(port) } : {}),
      ...(protocol !== undefined ? { protocol } : {}),
    },
  };
}

/** The functions' environment for `stripe` (every Stripe variable set, or removed, here). */
export function stripeEnv(stripe: LocalStripe, secretsEndpoint: string): Record<string, string | undefined> {
  return {
    PAYMENT_PROVIDER: 'stripe',
    STRIPE_SECRET_NAME: LOCAL_STRIPE_SECRET_NAME,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsEndpoint,
    STRIPE_API_HOST: stripe.api.host,
    STRIPE_API_PORT: stripe.api.port === undefined ? undefined : String(stripe.api.port),
    STRIPE_API_PROTOCOL: stripe.api.protocol,
  };
}

export interface LocalSecrets {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_SECRETS_MANAGER`. */
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * The local stand-in for Secrets Manager: `GetSecretValue` of one secret, on loopback, in
 * Secrets Manager's JSON protocol (so the real SDK and `readStripeSecrets` run unchanged).
 */
export async function startLocalSecrets(name: string, secretString: string): Promise<LocalSecrets> {
  const versionId = randomUUID();
  const created = Date.now() / 1000;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const reply = (status: number, body: Record<string, unknown>) => {
        const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1' };
        if (typeof body.__type === 'string') headers['x-amzn-errortype'] = body.__type;
        res.writeHead(status, headers);
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        reply(400, { __type: 'UnknownOperationException', message: 'Only GetSecretValue is served locally' });
        return;
      }
      let secretId: unknown;
      try {
        secretId = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId?: unknown }).SecretId;
      } catch {
        secretId = undefined;
      }
      if (secretId !== name) {
        reply(400, {
          __type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        });
        return;
      }
      reply(200, {
        ARN: `arn:aws:secretsmanager:${LOCAL_REGION}:000000000000:secret:${name}`,
        Name: name,
        VersionId: versionId,
        SecretString: secretString,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: created,
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
