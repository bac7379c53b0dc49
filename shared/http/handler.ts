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
import { serviceClock } from '#shared/clock.ts';
import { RefundError } from '#shared/errors.ts';
import { logger } from '#shared/logger.ts';
import { INTERNAL_SCOPE, routeKey as keyOf, ROUTES, type RouteAuth, requiredScopes } from './routes.ts';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** Bodies larger than this are refused with 413 (SPEC 4). */
export const MAX_BODY_BYTES = 16 * 1024;

export interface HttpRequest {
  routeKey: string;
  /**
   * The token's `sub`: the caller's account on public routes, the person on operator routes
   * (`/ops/...`); null on internal ones.
   */
  accountId: string | null;
  /** The token's scopes (operator routes tell operators from approvers by them). */
  scopes: readonly string[];
  pathParameters: Record<string, string>;
  query: Record<string, string>;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The parsed JSON body, or undefined when there is none. */
  body: unknown;
  now: number;
  /** API Gateway's request id (the access log's `requestId`). */
  requestId: string;
}

export interface HttpAnswer {
  statusCode: number;
  /** A value to serialise, or an already serialised body (an idempotent replay, JSON Lines). */
  json?: unknown;
  rawBody?: string;
  /** The body's media type: `application/json` unless told. */
  contentType?: string;
  /** More headers (lower-case names), e.g. the export's `next-token`. */
  headers?: Record<string, string>;
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

type Auth = RouteAuth;
type Middleware = MiddlewareObj<HttpEvent, HttpResult>;

/** What the `before` middlewares establish about a request, for the route handler. */
interface Parsed {
  auth: Auth;
  accountId: string | null;
  body: unknown;
}

/**
 * Where the middlewares leave what they found: on the invocation's own copy of the event
 * (made by the first one), so concurrent invocations never share it.
 */
const PARSED = Symbol('parsed');
type ParsedEvent = HttpEvent & { [PARSED]?: Partial<Parsed> };

function stage(event: HttpEvent): Partial<Parsed> {
  const parts = (event as ParsedEvent)[PARSED];
  if (!parts) throw new Error('the routing middleware runs first');
  return parts;
}

/** 1. The route must be one this function serves (the route table says public or internal). */
const routing = (handlers: Record<string, RouteHandler>): Middleware => {
  const auth = new Map(ROUTES.map((route) => [keyOf(route), route.auth]));
  return {
    name: 'routing',
    before: (request) => {
      const routeAuth = auth.get(request.event.routeKey);
      if (!handlers[request.event.routeKey] || !routeAuth)
        throw new RefundError('NOT_FOUND', 'No such route');
      request.event = { ...request.event, [PARSED]: { auth: routeAuth } } as ParsedEvent;
    },
  };
};

/** 2. The caller, from the verified token only: the account on public routes, internal callers on internal ones. */
const identity = (): Middleware => ({
  name: 'identity',
  before: (request) => {
    const parts = stage(request.event);
    parts.accountId = accountOf(request.event, parts.auth ?? 'public');
  },
});

/** 3. The body: declared as JSON (415), at most MAX_BODY_BYTES (413), JSON (400). */
const jsonBody = (): Middleware => ({
  name: 'json-body',
  before: (request) => {
    stage(request.event).body = parseBody(request.event);
  },
});

function accountOf(event: HttpEvent, auth: Auth): string | null {
  // Not served by httpFunction (the webhook reads its raw body itself): refuse rather than pass.
  if (auth === 'none') throw new RefundError('FORBIDDEN', 'This route is not served here');
  const authorizer = event.requestContext.authorizer as HttpEvent['requestContext']['authorizer'] & {
    iam?: unknown;
  };
  if (auth === 'internal') {
    const scopes = authorizer?.jwt?.scopes ?? [];
    if (authorizer?.iam || scopes.includes(INTERNAL_SCOPE)) return null;
    throw new RefundError('FORBIDDEN', 'This route is for internal callers only');
  }
  if (auth === 'operator' || auth === 'approver') {
    const scopes = authorizer?.jwt?.scopes ?? [];
    const missing = requiredScopes(auth).filter((scope) => !scopes.includes(scope));
    if (missing.length > 0)
      throw new RefundError('FORBIDDEN', `This route needs the scope ${missing.join(' and ')}`);
  }
  const sub = authorizer?.jwt?.claims?.sub;
  if (typeof sub !== 'string' || sub.length === 0)
    throw new RefundError('UNAUTHORIZED', 'A valid token is required');
  return sub;
}

/**
 * Whether a `Content-Type` value is JSON: the media type `application/json` (any case),
 * parameters such as `; charset=utf-8` allowed. Nothing else, `+json` types included.
 */
export function isJsonMediaType(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

function contentTypeOf(event: HttpEvent): string | undefined {
  for (const [name, value] of Object.entries(event.headers ?? {}))
    if (name.toLowerCase() === 'content-type') return value;
  return undefined;
}

function parseBody(event: HttpEvent): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  // A body of any other type (text/plain, a form, none declared) is refused before it is read:
  // the routes take JSON only, and a browser sends those types cross-site without a preflight.
  if (!isJsonMediaType(contentTypeOf(event))) {
    throw new RefundError(
      'UNSUPPORTED_MEDIA_TYPE',
      'The body must be JSON: send Content-Type: application/json',
      {
        expected: 'application/json',
      },
    );
  }
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
 * Builds the Lambda handler of an HTTP function serving `handlers` (route key → handler):
 * errors → answers, then the `before` middlewares (route, identity, body) in that order, then
 * the route's handler with the request they established.
 */
export function httpFunction(handlers: Record<string, RouteHandler>, clock: () => number = serviceClock.now) {
  return middy<HttpEvent, HttpResult>()
    .use(errorResponses())
    .use(routing(handlers))
    .use(identity())
    .use(jsonBody())
    .handler(async (event, context) => {
      const parts = stage(event);
      const handle = handlers[event.routeKey];
      if (!handle) throw new RefundError('NOT_FOUND', 'No such route');
      const request: HttpRequest = {
        routeKey: event.routeKey,
        accountId: parts.accountId ?? null,
        scopes: event.requestContext.authorizer?.jwt?.scopes ?? [],
        pathParameters: (event.pathParameters ?? {}) as Record<string, string>,
        query: (event.queryStringParameters ?? {}) as Record<string, string>,
        headers: lowerCaseHeaders(event.headers),
        body: parts.body,
        now: clock(),
        requestId: event.requestContext.requestId ?? context.awsRequestId,
      };
      const result = await handle(request, context);
      const body = result.rawBody ?? JSON.stringify(result.json);
      if (result.contentType === undefined && result.headers === undefined)
        return answer(result.statusCode, body);
      return {
        statusCode: result.statusCode,
        headers: {
          ...JSON_HEADERS,
          ...(result.contentType ? { 'content-type': result.contentType } : {}),
          ...result.headers,
        },
        body,
      };
    });
}

function lowerCaseHeaders(headers: HttpEvent['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}
