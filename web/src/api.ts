/**
 * The page's only way to the service: the public HTTP API (docs/api.md).
 * A refusal is an ApiError with the SPEC 4.4 code; no answer at all is a NetworkError.
 */

import type { Derivation } from './explain.ts';

export interface Order {
  orderId: string;
  type: 'NEW' | 'RENEW';
  paidAt: string;
  periodStart: string;
  periodEnd: string;
  cashPaid: number;
  voucherPaid: number;
  status: 'PAID' | 'CANCELLED';
}

export interface Instance {
  instanceId: string;
  product: string;
  edition: string;
  billingMethod: string;
  currency: string;
  status: 'ACTIVE' | 'UNSUBSCRIBED' | 'RELEASED';
  expiresAt: string | null;
  flags: { overduePayment: boolean; securityLocked: boolean; configurationChangeInProgress: boolean };
  orders: Order[];
  unsubscribedAt: string | null;
  /** On list items: until when unsubscribing refunds everything (null when it would not now). */
  fullRefundUntil?: string | null;
}

export interface QuoteLine {
  orderId: string;
  cashPaid: number;
  voucherPaid: number;
  usedDays: number;
  termDays: number;
  refundAmount: number;
  destination: string;
}

export interface Quote {
  quoteId: string;
  instanceId: string;
  kind: 'UNSUBSCRIBE' | 'CANCEL_RENEWAL';
  refundType: string;
  currency: string;
  refundAmount: number;
  nonRefundableVoucherAmount: number;
  lines: QuoteLine[];
  asOf: string;
  expiresAt: string;
  /** When the refund is due at the latest if this quote is confirmed while it is valid. */
  dueBy: string;
  retention?: { configDataPurgeAt: string; logDataPurgeAt: string };
  updatedExpirationTime?: string;
  allowedExpirationTimes?: string[];
  /** How every figure was found (absent on quotes made before policies were versioned). */
  derivation?: Derivation;
}

export interface UnsubscribeOrder {
  unsubscribeOrderId: string;
  instanceId: string;
  type: string;
  refundType: string;
  quoteId: string;
  status: 'PENDING' | 'PROCESSING' | 'SUCCEEDED' | 'NEEDS_ATTENTION';
  currency: string;
  refundAmount: number;
  lines: {
    orderId: string;
    cashPaid: number;
    voucherPaid: number;
    usedDays: number;
    termDays: number;
    refundAmount: number;
    status: string;
    /** Where the money went once settled; until then, where it is predicted to go. */
    destination: string;
    predictedDestination: string;
    settledAt: string | null;
  }[];
  reason: { code: string; text?: string } | null;
  derivation?: Derivation;
  createdAt: string;
  dueBy: string;
  settledAt: string | null;
  slaBreached: boolean;
  history: { status: string; at: string; note?: string; orderId?: string; failureReason?: string }[];
}

export interface Balance {
  balances: { currency: string; amount: number }[];
  entries: {
    entryId: string;
    currency: string;
    amount: number;
    cause: string;
    /** Null for an adjustment by the support team (no refund line). */
    unsubscribeOrderId: string | null;
    orderId: string | null;
    createdAt: string;
  }[];
}

/** `GET /unsubscribe-orders/{id}/credit-note`: the note's number and a link to its PDF that works for minutes. */
export interface CreditNoteLink {
  unsubscribeOrderId: string;
  number: string;
  issuedAt: string;
  currency: string;
  refundAmount: number;
  url: string;
  urlExpiresAt: string;
}

export interface Page<T> {
  items: T[];
  nextToken: string | null;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;
  constructor(status: number, code: string, message: string, details: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** The request never got an answer (offline, connection reset): safe to retry with the same key. */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

export interface Api {
  get<T>(path: string, query?: Record<string, string | undefined>): Promise<T>;
  post<T>(path: string, body: unknown, idempotencyKey?: string): Promise<T>;
}

export function createApi(baseUrl: string, token: () => string | undefined): Api {
  async function send<T>(method: string, path: string, body?: unknown, key?: string): Promise<T> {
    const headers: Record<string, string> = {};
    const bearer = token();
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (key) headers['idempotency-key'] = key;
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw new NetworkError(error instanceof Error ? error.message : String(error));
    }
    const text = await response.text().catch(() => '');
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = {};
    }
    if (!response.ok) {
      const error = (
        json as { error?: { code?: string; message?: string; details?: Record<string, unknown> } }
      ).error;
      throw new ApiError(
        response.status,
        error?.code ?? 'INTERNAL',
        error?.message ?? `HTTP ${response.status}`,
        error?.details ?? {},
      );
    }
    return json as T;
  }

  return {
    get: (path, query = {}) => {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(query)) if (value) params.set(name, value);
      const qs = params.toString();
      return send('GET', qs ? `${path}?${qs}` : path);
    },
    post: (path, body, key) => send('POST', path, body, key),
  };
}

export const path = (template: TemplateStringsArray, ...ids: string[]): string =>
  template.reduce(
    (out, part, i) => out + part + (i < ids.length ? encodeURIComponent(ids[i] ?? '') : ''),
    '',
  );
