/**
 * What API Gateway (HTTP API, payload format 2.0) does between a client and a Lambda
 * handler, as pure functions: match the route, build the event, turn the handler's result
 * into an HTTP answer. The local server (`server.ts`) only does the I/O around them.
 */
import type {
  APIGatewayEventRequestContextJWTAuthorizer,
  APIGatewayProxyEventV2WithJWTAuthorizer,
} from 'aws-lambda';
import { ROUTES, type Route, routeKey } from '#http/routes.ts';
import { ERROR_STATUS, type ErrorCode, type ErrorDetails, RefundError } from '#shared/errors.ts';
import type { JwtClaims } from './jwt.ts';

export interface RouteMatch {
  route: Route;
  routeKey: string;
  /** URL-decoded values of the route's `{param}`s. */
  pathParameters: Record<string, string>;
}

const segments = (path: string): string[] => path.split('/').slice(1);

function matchPath(template: string, rawPath: string): Record<string, string> | undefined {
  const expected = segments(template);
  const actual = segments(rawPath);
  if (expected.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of expected.entries()) {
    const value = actual[i] ?? '';
    const param = /^\{(\w+)\}$/.exec(part)?.[1];
    if (param === undefined) {
      if (part !== value) return undefined;
      continue;
    }
    if (value === '') return undefined;
    try {
      params[param] = decodeURIComponent(value);
    } catch {
      return undefined;
    }
  }
  return params;
}

/**
 * The route for `method` and `rawPath` (still percent-encoded), like API Gateway: literal
 * segments must match exactly, a `{param}` matches one non-empty segment, and the most
 * specific route (most literal segments) wins. A known path with another method is no
 * match either: API Gateway answers 404 for both.
 */
export function matchRoute(
  method: string,
  rawPath: string,
  routes: readonly Route[] = ROUTES,
): RouteMatch | undefined {
  const literalCount = (route: Route) => segments(route.path).filter((s) => !s.startsWith('{')).length;
  const candidates = routes
    .filter((route) => route.method === method)
    .sort((a, b) => literalCount(b) - literalCount(a));
  for (const route of candidates) {
    const pathParameters = matchPath(route.path, rawPath);
    if (pathParameters) return { route, routeKey: routeKey(route), pathParameters };
  }
  return undefined;
}

/** An incoming request as the server read it. */
export interface LocalRequest {
  method: string;
  /** The request target, e.g. `/instances?status=ACTIVE`. */
  url: string;
  /** Node's `IncomingMessage.headers` (names already lower-case). */
  headers: Record<string, string | string[] | undefined>;
  body: string;
  sourceIp: string;
  /** e.g. `HTTP/1.1` */
  protocol: string;
  requestId: string;
  /** Epoch milliseconds of arrival. */
  now: number;
}

/** Splits a request target into its raw path and raw query string. */
export function splitTarget(url: string): { rawPath: string; rawQueryString: string } {
  const q = url.indexOf('?');
  return q === -1
    ? { rawPath: url, rawQueryString: '' }
    : { rawPath: url.slice(0, q), rawQueryString: url.slice(q + 1) };
}

/**
 * The JWT authorizer's output. API Gateway hands claims to the integration as strings
 * (numbers and booleans stringified, arrays as `[a b]`), and the scopes from the `scope`
 * claim (space-separated) or `scp` (array); `null` when the token has none.
 */
export function jwtAuthorizer(claims: JwtClaims): APIGatewayEventRequestContextJWTAuthorizer {
  const asString = (value: unknown): string => {
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return `[${value.map(String).join(' ')}]`;
    if (typeof value === 'object' && value !== null) return JSON.stringify(value);
    return String(value);
  };
  const stringClaims: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) stringClaims[name] = asString(value);
  let scopes: string[] | null = null;
  if (typeof claims.scope === 'string') scopes = claims.scope.split(' ').filter(Boolean);
  else if (Array.isArray(claims.scp)) scopes = claims.scp.map(String);
  return { principalId: '', integrationLatency: 0, jwt: { claims: stringClaims, scopes } };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestContext.time`, e.g. `12/Mar/2026:19:03:58 +0000`. */
export function gatewayTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
  );
}

const headerValue = (value: string | string[]): string => (Array.isArray(value) ? value.join(',') : value);

/** Builds the payload-format-2.0 event API Gateway would send for `request` on `match`. */
export function toApiEvent(
  request: LocalRequest,
  match: RouteMatch,
  authorizer: APIGatewayEventRequestContextJWTAuthorizer,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const { rawPath, rawQueryString } = splitTarget(request.url);

  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (lower === 'cookie') {
      cookies = headerValue(value)
        .split(';')
        .map((c) => c.trim())
        .filter(Boolean);
    } else {
      headers[lower] = headerValue(value);
    }
  }

  let queryStringParameters: Record<string, string> | undefined;
  if (rawQueryString !== '') {
    queryStringParameters = {};
    for (const [name, value] of new URLSearchParams(rawQueryString)) {
      const previous = queryStringParameters[name];
      queryStringParameters[name] = previous === undefined ? value : `${previous},${value}`;
    }
  }

  const domainName = headers.host ?? 'localhost';
  return {
    version: '2.0',
    routeKey: match.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    ...(Object.keys(match.pathParameters).length > 0 ? { pathParameters: { ...match.pathParameters } } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      authorizer,
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: request.method,
        path: rawPath,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: request.requestId,
      routeKey: match.routeKey,
      stage: '$default',
      time: gatewayTime(request.now),
      timeEpoch: request.now,
    },
    ...(request.body !== '' ? { body: request.body } : {}),
    isBase64Encoded: false,
  };
}

/** What the server writes back. */
export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

/** An error answer in the service's shape (`{"error": {code, message, details}}`). */
export function errorAnswer(code: ErrorCode, message: string, details: ErrorDetails = {}): HttpAnswer {
  return {
    statusCode: ERROR_STATUS[code],
    headers: { 'content-type': 'application/json' },
    cookies: [],
    body: Buffer.from(JSON.stringify(new RefundError(code, message, details).toBody())),
  };
}

export const jsonAnswer = (statusCode: number, value: unknown): HttpAnswer => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  cookies: [],
  body: Buffer.from(JSON.stringify(value)),
});

/**
 * Turns a handler's result into an HTTP answer the way API Gateway interprets payload
 * format 2.0: a structured result (`statusCode`, `headers`, `body`, `isBase64Encoded`,
 * `cookies`) is used as is; a string, or an object without `statusCode`, is a 200 JSON
 * body. Anything unusable is a 500 that says nothing more.
 */
export function fromHandlerResult(result: unknown): HttpAnswer {
  if (typeof result === 'string') return { ...jsonAnswer(200, null), body: Buffer.from(result) };
  if (typeof result !== 'object' || result === null) {
    return errorAnswer('INTERNAL', 'Internal server error');
  }
  if (!('statusCode' in result)) return jsonAnswer(200, result);
  const structured = result as {
    statusCode?: unknown;
    headers?: Record<string, unknown>;
    body?: unknown;
    isBase64Encoded?: unknown;
    cookies?: unknown;
  };
  const { statusCode } = structured;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    return errorAnswer('INTERNAL', 'Internal server error');
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(structured.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  const text = typeof structured.body === 'string' ? structured.body : '';
  const cookies = Array.isArray(structured.cookies) ? structured.cookies.map(String) : [];
  return {
    statusCode,
    headers,
    cookies,
    body: structured.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text),
  };
}
