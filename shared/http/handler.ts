/**
 * The middy stack every HTTP function shares: identity from the verified token, body size
 * and JSON parsing, dispatch on the API Gateway route key, and one place that maps errors
 * to answers (`RefundError` → its code and status; anything else → 500 `INTERNAL`, which
 * reveals nothing).
 */
import middy, { type MiddlewareObj } from '@middy/core';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { RefundError } from '#shared/errors.ts';
import { logger } from '#shared/logger.ts';
import { INTERNAL_SCOPE, routeKey as keyOf, ROUTES } from './routes.ts';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** Bodies larger than this are refused with 413 (SPEC 4). */
export const MAX_BODY_BYTES = 16 * 1024;

export interface HttpRequest {
  routeKey: string;
  /** The caller's account: the token's `sub` on public routes, null on internal ones. */
  accountId: string | null;
  pathParameters: Record<string, string>;
  query: Record<string, string>;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The parsed JSON body, or undefined when there is none. */
  body: unknown;
  now: number;
}

export interface HttpAnswer {
  statusCode: number;
  /** A value to serialise, or an already serialised body (an idempotent replay). */
  json?: unknown;
  rawBody?: string;
}

export type RouteHandler = (request: HttpRequest, context: Context) => Promise<HttpAnswer>;

const JSON_HEADERS = { 'content-type': 'application/json' };

const answer = (statusCode: number, body: string): HttpResult => ({
  statusCode,
  headers: JSON_HEADERS,
  body,
});

const errorResponses = (): MiddlewareObj<HttpEvent, HttpResult> => ({
  onError: async (request) => {
    const error = request.error;
    if (error instanceof RefundError) {
      if (error.status >= 500)
        logger.error('request failed', { code: error.code, route: request.event.routeKey });
      request.response = answer(error.status, JSON.stringify(error.toBody()));
      return;
    }
    logger.error('unexpected failure', {
      route: request.event.routeKey,
      requestId: request.context.awsRequestId,
      error:
        error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : 'unknown',
    });
    request.response = answer(
      500,
      JSON.stringify(
        new RefundError('INTERNAL', 'Something went wrong on our side; please retry later').toBody(),
      ),
    );
  },
});

function accountOf(event: HttpEvent, auth: 'public' | 'internal'): string | null {
  const authorizer = event.requestContext.authorizer as HttpEvent['requestContext']['authorizer'] & {
    iam?: unknown;
  };
  if (auth === 'internal') {
    const scopes = authorizer?.jwt?.scopes ?? [];
    if (authorizer?.iam || scopes.includes(INTERNAL_SCOPE)) return null;
    throw new RefundError('FORBIDDEN', 'This route is for internal callers only');
  }
  const sub = authorizer?.jwt?.claims?.sub;
  if (typeof sub !== 'string' || sub.length === 0)
    throw new RefundError('UNAUTHORIZED', 'A valid token is required');
  return sub;
}

function parseBody(event: HttpEvent): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (raw.byteLength > MAX_BODY_BYTES) {
    throw new RefundError('PAYLOAD_TOO_LARGE', `The body must be at most ${MAX_BODY_BYTES} bytes`, {
      limit: MAX_BODY_BYTES,
    });
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new RefundError('VALIDATION_FAILED', 'The body is not valid JSON', {
      issues: [{ field: '(body)', message: 'malformed JSON' }],
    });
  }
}

/**
 * Builds the Lambda handler of an HTTP function serving `handlers` (route key → handler).
 * The route table says which routes are public and which internal.
 */
export function httpFunction(handlers: Record<string, RouteHandler>, clock: () => number = Date.now) {
  const auth = new Map(ROUTES.map((route) => [keyOf(route), route.auth]));
  return middy<HttpEvent, HttpResult>()
    .use(errorResponses())
    .handler(async (event, context) => {
      const handle = handlers[event.routeKey];
      const routeAuth = auth.get(event.routeKey);
      if (!handle || !routeAuth) throw new RefundError('NOT_FOUND', 'No such route');
      const accountId = accountOf(event, routeAuth);
      const request: HttpRequest = {
        routeKey: event.routeKey,
        accountId,
        pathParameters: (event.pathParameters ?? {}) as Record<string, string>,
        query: (event.queryStringParameters ?? {}) as Record<string, string>,
        headers: lowerCaseHeaders(event.headers),
        body: parseBody(event),
        now: clock(),
      };
      const result = await handle(request, context);
      return answer(result.statusCode, result.rawBody ?? JSON.stringify(result.json));
    });
}

function lowerCaseHeaders(headers: HttpEvent['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

/** The caller's account; for handlers of public routes. */
export function callerAccount(request: HttpRequest): string {
  if (request.accountId === null) throw new RefundError('UNAUTHORIZED', 'A valid token is required');
  return request.accountId;
}

/** The `Idempotency-Key` header (1–255 characters), required for money-moving requests. */
export function idempotencyKey(request: HttpRequest): string {
  const key = request.headers['idempotency-key'];
  if (key === undefined || key.length < 1 || key.length > 255) {
    throw new RefundError('VALIDATION_FAILED', 'The Idempotency-Key header (1–255 characters) is required', {
      issues: [
        {
          field: 'Idempotency-Key',
          message: key === undefined ? 'missing header' : 'must be 1–255 characters',
        },
      ],
    });
  }
  return key;
}
