/**
 * A local fake of the part of Stripe's API the adapter uses, on 127.0.0.1 and a free port, for
 * the real `stripe` SDK to talk to (`host`/`port`/`protocol: 'http'`):
 *
 * - `POST /v1/refunds` (form-encoded `charge` | `payment_intent`, `amount`, `metadata[...]`),
 *   with Stripe's idempotency: the same `Idempotency-Key` replays the first response (status
 *   and body), the same key with other parameters is a 400 `idempotency_error`;
 * - `GET /v1/refunds/:id`, and `GET /v1/refunds?charge=…|payment_intent=…` (newest first);
 * - error bodies as Stripe sends them: `{"error": {"type", "code", "message", "param"}}`, with a
 *   `request-id` header; 401 without a bearer key.
 *
 * Tests script the charges (`addCharge`), what the next refunds answer (`refundStatus`,
 * `failNext`), and a refund's later fate (`finish`), and read what really happened (`refunds`).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

export interface FakeCharge {
  id: string;
  paymentIntent?: string;
  amount: number;
  currency: string;
}

export interface FakeRefund {
  id: string;
  object: 'refund';
  amount: number;
  currency: string;
  charge: string;
  payment_intent: string | null;
  status: 'pending' | 'succeeded' | 'failed' | 'canceled' | 'requires_action';
  failure_reason?: string;
  metadata: Record<string, string>;
  created: number;
}

/** A scripted failure of the next POST /v1/refunds: an HTTP error body, or no answer at all (a timeout). */
export type ScriptedFailure =
  | { status: number; type: string; code?: string; message?: string }
  | { hang: true };

interface Remembered {
  fingerprint: string;
  status: number;
  body: string;
}

export interface FakeStripe {
  host: string;
  port: number;
  /** SDK options pointing at this fake. */
  clientOptions: { host: string; port: number; protocol: 'http' };
  apiKey: string;
  addCharge(charge: Partial<FakeCharge> & { amount: number }): FakeCharge;
  /** What new refunds are created as (default `succeeded`). */
  refundStatus: FakeRefund['status'];
  failNext(...failures: ScriptedFailure[]): void;
  /** The refund's final state, as Stripe would change it (returns the object a webhook carries). */
  finish(refundId: string, status: 'succeeded' | 'failed' | 'canceled', failureReason?: string): FakeRefund;
  refunds(): FakeRefund[];
  /** POST /v1/refunds requests received (including replays and failures). */
  requests: {
    idempotencyKey: string | undefined;
    apiVersion: string | undefined;
    params: Record<string, string>;
  }[];
  /** GET /v1/refunds (list) requests received. */
  lists(): number;
  /** Stripe keeps idempotency keys for 24 hours: after that a key is new again. */
  forgetIdempotencyKeys(): void;
  close(): Promise<void>;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startFakeStripe(): Promise<FakeStripe> {
  const apiKey = 'sk_test_fake_local';
  const charges = new Map<string, FakeCharge>();
  const refunds = new Map<string, FakeRefund>();
  const idempotency = new Map<string, Remembered>();
  const failures: ScriptedFailure[] = [];
  const requests: FakeStripe['requests'] = [];
  const hanging = new Set<ServerResponse>();
  let listed = 0;

  const send = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'request-id': id('req'),
      'content-length': String(Buffer.byteLength(body)),
    });
    res.end(body);
  };
  const error = (type: string, code: string | undefined, message: string, param?: string) =>
    JSON.stringify({ error: { type, ...(code ? { code } : {}), message, ...(param ? { param } : {}) } });

  function createRefund(params: Record<string, string>): { status: number; body: string } {
    const charge = params.charge
      ? charges.get(params.charge)
      : [...charges.values()].find((c) => c.paymentIntent === params.payment_intent);
    if (!charge) {
      const param = params.charge ? 'charge' : 'payment_intent';
      return {
        status: 404,
        body: error('invalid_request_error', 'resource_missing', `No such ${param}`, param),
      };
    }
    const amount = params.amount === undefined ? charge.amount : Number(params.amount);
    const refunded = [...refunds.values()]
      .filter((r) => r.charge === charge.id && r.status !== 'failed' && r.status !== 'canceled')
      .reduce((n, r) => n + r.amount, 0);
    if (refunded >= charge.amount) {
      return {
        status: 400,
        body: error('invalid_request_error', 'charge_already_refunded', 'Charge has already been refunded.'),
      };
    }
    if (amount + refunded > charge.amount) {
      return {
        status: 400,
        body: error(
          'invalid_request_error',
          'amount_too_large',
          'Refund amount is greater than unrefunded amount',
          'amount',
        ),
      };
    }
    const metadata: Record<string, string> = {};
    for (const [key, value] of Object.entries(params)) {
      const match = /^metadata\[(.+)\]$/.exec(key);
      if (match?.[1]) metadata[match[1]] = value;
    }
    const refund: FakeRefund = {
      id: id('re'),
      object: 'refund',
      amount,
      currency: charge.currency,
      charge: charge.id,
      payment_intent: charge.paymentIntent ?? null,
      status: fake.refundStatus,
      metadata,
      created: Math.floor(Date.now() / 1000),
    };
    refunds.set(refund.id, refund);
    return { status: 200, body: JSON.stringify(refund) };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const body = await readBody(req);
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      send(res, 401, error('invalid_request_error', undefined, 'Invalid API Key provided'));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const retrieve = /^\/v1\/refunds\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && retrieve?.[1]) {
      const refund = refunds.get(decodeURIComponent(retrieve[1]));
      if (refund) send(res, 200, JSON.stringify(refund));
      else send(res, 404, error('invalid_request_error', 'resource_missing', 'No such refund', 'id'));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/v1/refunds') {
      const charge = url.searchParams.get('charge');
      const intent = url.searchParams.get('payment_intent');
      const data = [...refunds.values()]
        .filter((r) => (charge ? r.charge === charge : intent ? r.payment_intent === intent : true))
        .reverse();
      listed += 1;
      send(res, 200, JSON.stringify({ object: 'list', data, has_more: false, url: '/v1/refunds' }));
      return;
    }
    if (req.method !== 'POST' || url.pathname !== '/v1/refunds') {
      send(res, 404, error('invalid_request_error', undefined, 'Unrecognized request URL'));
      return;
    }
    const params = Object.fromEntries(new URLSearchParams(body));
    const key = req.headers['idempotency-key'] as string | undefined;
    requests.push({
      idempotencyKey: key,
      apiVersion: req.headers['stripe-version'] as string | undefined,
      params,
    });
    const failure = failures.shift();
    if (failure) {
      if ('hang' in failure) {
        hanging.add(res);
        return;
      }
      send(res, failure.status, error(failure.type, failure.code, failure.message ?? 'Scripted failure'));
      return;
    }
    const fingerprint = JSON.stringify(Object.entries(params).sort());
    const remembered = key ? idempotency.get(key) : undefined;
    if (remembered) {
      if (remembered.fingerprint !== fingerprint) {
        send(
          res,
          400,
          error(
            'idempotency_error',
            undefined,
            'Keys for idempotent requests can only be used with the same parameters they were first used with.',
          ),
        );
        return;
      }
      send(res, remembered.status, remembered.body);
      return;
    }
    const answer = createRefund(params);
    // Stripe stores every answer that was not a 5xx or a 429 under the key.
    if (key) idempotency.set(key, { fingerprint, ...answer });
    send(res, answer.status, answer.body);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, error('api_error', undefined, 'fake failure')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeStripe = {
    host: '127.0.0.1',
    port,
    clientOptions: { host: '127.0.0.1', port, protocol: 'http' },
    apiKey,
    refundStatus: 'succeeded',
    addCharge(charge) {
      const full: FakeCharge = {
        id: charge.id ?? id('ch'),
        amount: charge.amount,
        currency: charge.currency ?? 'usd',
        ...(charge.paymentIntent ? { paymentIntent: charge.paymentIntent } : {}),
      };
      charges.set(full.id, full);
      return full;
    },
    failNext(...next) {
      failures.push(...next);
    },
    finish(refundId, status, failureReason) {
      const refund = refunds.get(refundId);
      if (!refund) throw new Error(`no refund ${refundId}`);
      refund.status = status;
      if (status !== 'succeeded') refund.failure_reason = failureReason ?? 'unknown';
      return { ...refund };
    },
    refunds: () => [...refunds.values()].map((r) => ({ ...r })),
    requests,
    lists: () => listed,
    forgetIdempotencyKeys: () => idempotency.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return fake;
}

export const TEST_WEBHOOK_SECRET = 'whsec_test_local_secret';

/** A Stripe event carrying `refund`, as Stripe sends it (JSON), signed with the SDK's own test helper. */
export function signedRefundEvent(
  refund: FakeRefund | (Partial<FakeRefund> & { id: string }),
  options: { type?: string; secret?: string; timestampSeconds?: number } = {},
): { body: string; signature: string } {
  const body = JSON.stringify({
    id: id('evt'),
    object: 'event',
    api_version: '2026-10-28.endive',
    created: options.timestampSeconds ?? Math.floor(Date.now() / 1000),
    type: options.type ?? 'refund.updated',
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object: { object: 'refund', ...refund } },
  });
  const signature = webhookSigner.webhooks.generateTestHeaderString({
    payload: body,
    secret: options.secret ?? TEST_WEBHOOK_SECRET,
    ...(options.timestampSeconds !== undefined ? { timestamp: options.timestampSeconds } : {}),
  });
  return { body, signature };
}

/** Only for its webhook helpers (no request is ever sent with it). */
const webhookSigner = new Stripe('sk_test_unused', { telemetry: false });
