/**
 * The local API: a `node:http` server that plays API Gateway (HTTP API) in front of the
 * real handlers. Per request, in API Gateway's order: match a route (else 404), run the
 * JWT authorizer (else 401), check the internal scope (else 403), build the 2.0 event,
 * invoke the function, write its answer back. Plus the local-only `POST /local/purger-runs` and
 * `POST /local/reconciler-runs` (run the schedule's functions once at a chosen time), and
 * `GET /openapi.json` (the API's OpenAPI document, no token needed).
 *
 * The server signs tokens for any account (`POST /local/tokens`), so before anything else it
 * answers only requests addressed to a loopback name (`Host: 127.0.0.1` or `localhost`, any
 * port), else 403: a page whose own name was rebound to 127.0.0.1 sends its own name. Every
 * `POST /local/*` must be `Content-Type: application/json`, else 415: a cross-site page can
 * send text/plain or a form without asking, but JSON only after a CORS preflight, which this
 * server never grants.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import * as z from 'zod/mini';
import { requiredScopes } from '#http/routes.ts';
import { openApiDocument } from '#infra/openapi/document.ts';
import { toIso } from '#policy/time.ts';
import { instant, parseOrThrow } from '#schema/common.ts';
import { RefundError } from '#shared/errors.ts';
import {
  errorAnswer,
  fromHandlerResult,
  type HttpAnswer,
  jsonAnswer,
  jwtAuthorizer,
  type LocalRequest,
  matchRoute,
  splitTarget,
  toApiEvent,
} from './api-event.ts';
import { type FunctionRegistry, HandlerUnavailableError, invoke } from './functions.ts';
import { bearerToken, verifyJwt } from './jwt.ts';

/** The server stops reading a body past this size; the handlers enforce the API's own 16 KiB. */
export const MAX_LOCAL_BODY_BYTES = 1024 * 1024;

export const LOCAL_PATH_PREFIX = '/local/';
export const PURGER_RUNS_PATH = '/local/purger-runs';
export const RECONCILER_RUNS_PATH = '/local/reconciler-runs';
export const OPENAPI_PATH = '/openapi.json';

export interface ApiServerOptions {
  registry: FunctionRegistry;
  jwtSecret: string;
  region: string;
  /** Runs the purger once with `time` as its schedule time and returns its summary. */
  runPurger: (time: string) => Promise<unknown>;
  /** Runs both reconcilers once with `time` as their schedule time; returns their summaries. */
  runReconcilers?: (time: string) => Promise<unknown>;
  /** One line per request (route, status, duration) and per handler failure. */
  log: (line: string) => void;
  maxBodyBytes?: number;
  /** Local-only routes tried before the API's (the console page and its sign-in); undefined = not theirs. */
  localRoutes?: (method: string, rawPath: string, body: string) => Promise<HttpAnswer | undefined>;
}

/** API Gateway-like request ids, e.g. `Xy3kQWq1vHcEJaA=`. */
const requestId = (): string => randomBytes(10).toString('base64');

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      reject(new BodyTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const scheduledRunSchema = z.strictObject({ time: instant() });

/** `127.0.0.1`, `localhost`, either with a port: the names this loopback-only server answers to. */
const LOOPBACK_HOST = /^(?:127\.0\.0\.1|localhost)(?::\d{1,5})?$/i;

/** Whether a request's `Host` header names this machine's loopback (and nothing else). */
export function isLoopbackHost(host: string | undefined): boolean {
  return host !== undefined && LOOPBACK_HOST.test(host);
}

/** Whether a `Content-Type` header is JSON (`application/json`, parameters allowed). */
export function isJsonContentType(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

function write(res: ServerResponse, answer: HttpAnswer, id: string, close = false): void {
  const headers: Record<string, string | string[]> = {
    ...answer.headers,
    'content-length': String(answer.body.length),
    'apigw-requestid': id,
  };
  if (answer.cookies.length > 0) headers['set-cookie'] = answer.cookies;
  if (close) headers.connection = 'close';
  res.writeHead(answer.statusCode, headers);
  res.end(answer.body);
}

export function createApiServer(options: ApiServerOptions): Server {
  const limit = options.maxBodyBytes ?? MAX_LOCAL_BODY_BYTES;

  type Outcome = { ok: true; result: unknown } | { ok: false; answer: HttpAnswer };

  /** Runs a function; a missing module or a throw becomes a 500 (API Gateway's answer) and a log line. */
  async function invokeFunction(label: string, run: () => Promise<unknown>): Promise<Outcome> {
    try {
      return { ok: true, result: await run() };
    } catch (error) {
      if (error instanceof HandlerUnavailableError) {
        options.log(`${label}: ${error.message}`);
        const message = `The local runtime cannot run the ${error.functionName} function yet`;
        return { ok: false, answer: errorAnswer('INTERNAL', message, { function: error.functionName }) };
      }
      options.log(
        `${label} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      return { ok: false, answer: errorAnswer('INTERNAL', 'Internal server error') };
    }
  }

  async function handle(
    req: IncomingMessage,
    id: string,
    now: number,
    body: string,
  ): Promise<[string, HttpAnswer]> {
    const method = req.method ?? 'GET';
    const { rawPath } = splitTarget(req.url ?? '/');

    if (!isLoopbackHost(headerString(req.headers.host))) {
      const message = 'This local server answers only to Host 127.0.0.1 or localhost';
      return [`${method} (not a loopback host)`, errorAnswer('FORBIDDEN', message)];
    }
    if (
      method === 'POST' &&
      rawPath.startsWith(LOCAL_PATH_PREFIX) &&
      !isJsonContentType(headerString(req.headers['content-type']))
    ) {
      const message = 'The local routes take a JSON body: send Content-Type: application/json';
      return [`${method} ${rawPath}`, errorAnswer('UNSUPPORTED_MEDIA_TYPE', message)];
    }

    if (rawPath === OPENAPI_PATH && method === 'GET')
      return [`${method} ${OPENAPI_PATH}`, jsonAnswer(200, openApiDocument())];

    const scheduled =
      method !== 'POST'
        ? undefined
        : rawPath === PURGER_RUNS_PATH
          ? { label: 'purger', run: options.runPurger }
          : rawPath === RECONCILER_RUNS_PATH
            ? options.runReconcilers && { label: 'reconcilers', run: options.runReconcilers }
            : undefined;
    if (scheduled) {
      let time: string;
      try {
        const parsed = parseOrThrow(scheduledRunSchema, body === '' ? undefined : JSON.parse(body));
        time = toIso(parsed.time);
      } catch (error) {
        const refusal =
          error instanceof RefundError
            ? error
            : new RefundError(
                'VALIDATION_FAILED',
                'The body must be JSON like {"time": "2026-04-10T15:30:00.000Z"}',
              );
        return [`${method} ${rawPath}`, errorAnswer(refusal.code, refusal.message, refusal.details)];
      }
      const outcome = await invokeFunction(scheduled.label, () => scheduled.run(time));
      const answer = outcome.ok ? jsonAnswer(200, outcome.result) : outcome.answer;
      return [`${method} ${rawPath}`, answer];
    }

    const local = await options.localRoutes?.(method, rawPath, body);
    if (local) return [`${method} ${rawPath}`, local];

    const match = matchRoute(method, rawPath);
    if (!match)
      return [`${method} (no route)`, errorAnswer('NOT_FOUND', `No route for ${method} ${rawPath}`)];

    // API Gateway sends no claims for a route without an authorizer.
    let authorizer: ReturnType<typeof jwtAuthorizer> = {
      principalId: '',
      integrationLatency: 0,
      jwt: { claims: {}, scopes: [] },
    };
    // A route without an authorizer (the Stripe webhook) reaches its function as it came.
    if (match.route.auth !== 'none') {
      const token = bearerToken(headerString(req.headers.authorization));
      if (!token) return [match.routeKey, errorAnswer('UNAUTHORIZED', 'A bearer token is required')];
      const verified = verifyJwt(token, options.jwtSecret, now);
      if (!verified.ok) return [match.routeKey, errorAnswer('UNAUTHORIZED', verified.reason)];
      authorizer = jwtAuthorizer(verified.claims);
      // API Gateway's authorization scopes: the token must carry the route's (403 otherwise).
      const missing = requiredScopes(match.route.auth).filter((s) => !authorizer.jwt.scopes?.includes(s));
      if (missing.length > 0) {
        return [
          match.routeKey,
          errorAnswer('FORBIDDEN', `This route needs the scope ${missing.join(' and ')}`),
        ];
      }
    }

    const request: LocalRequest = {
      method,
      url: req.url ?? '/',
      headers: req.headers,
      body,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      protocol: `HTTP/${req.httpVersion}`,
      requestId: id,
      now,
    };
    const event = toApiEvent(request, match, authorizer);
    const outcome = await invokeFunction(match.route.fn, () =>
      invoke(options.registry, match.route.fn, event, options.region),
    );
    const answer = outcome.ok ? fromHandlerResult(outcome.result) : outcome.answer;
    return [match.routeKey, answer];
  }

  return createServer((req, res) => {
    const started = Date.now();
    const id = requestId();
    readBody(req, limit)
      .then(
        (body) => handle(req, id, started, body).then(([label, answer]) => ({ label, answer, close: false })),
        (error: unknown) => {
          if (!(error instanceof BodyTooLargeError)) throw error;
          const answer = errorAnswer('PAYLOAD_TOO_LARGE', `The body is larger than ${limit} bytes`);
          return { label: `${req.method} (body too large)`, answer, close: true };
        },
      )
      .catch((error: unknown) => {
        options.log(`local server error: ${error instanceof Error ? error.message : String(error)}`);
        return {
          label: `${req.method} (error)`,
          answer: errorAnswer('INTERNAL', 'Internal server error'),
          close: true,
        };
      })
      .then(({ label, answer, close }) => {
        if (res.headersSent || res.destroyed) return;
        write(res, answer, id, close);
        options.log(`${label} → ${answer.statusCode} (${Date.now() - started} ms)`);
      });
  });
}

const headerString = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;
