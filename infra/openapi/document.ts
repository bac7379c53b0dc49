/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the zod schemas that validate
 * requests (`#schema/api.ts`) and describe answers (`#schema/responses.ts`). Not imported by
 * any Lambda function (bundles and cold starts are unaffected): `npm run openapi` writes it
 * to docs/openapi.json, `npm start` serves it at `GET /openapi.json`, and the contract test
 * checks every answer of the integration suites against it.
 */
import * as z from 'zod/mini';
import { ROUTES, type Route, requiredScopes, routeKey } from '#http/routes.ts';
import {
  EXPORT_LIMIT,
  EXPORT_MAX_RANGE_DAYS,
  exportUnsubscribeOrdersQuerySchema,
  ingestOrderRequestSchema,
  listInstancesQuerySchema,
  listUnsubscribeOrdersQuerySchema,
  quoteRequestSchema,
  renewalCancellationRequestSchema,
  setFlagsRequestSchema,
  unsubscribeRequestSchema,
} from '#schema/api.ts';
import {
  contactRequestSchema,
  contactResponseSchema,
  creditNoteLinkResponseSchema,
  journalExportQuerySchema,
  journalExportResponseSchema,
} from '#schema/paperwork.ts';
import {
  balanceResponseSchema,
  errorResponseSchema,
  exportedOrderResponseSchema,
  instanceListPageResponseSchema,
  instanceResponseSchema,
  quoteResponseSchema,
  unsubscribeOrderPageResponseSchema,
  unsubscribeOrderResponseSchema,
  webhookAckResponseSchema,
} from '#schema/responses.ts';
import { ERROR_STATUS, type ErrorCode } from '#shared/errors.ts';
import { EVENT_SCHEMA_VERSIONS, eventSchema } from '#shared/events/schemas.ts';
import { OPS_BODIES, OPS_OPERATIONS } from './ops.ts';

type Schema = z.ZodMiniType;
type JsonSchema = Record<string, unknown>;

interface Operation {
  summary: string;
  /** A longer account of the operation (CommonMark). */
  description?: string;
  query?: Schema;
  body?: Schema;
  idempotent?: boolean;
  /** Status → the schema (name in components) of its body. */
  success: Record<number, string>;
  /**
   * JSON Lines instead of JSON: the success body is one value of the schema per line, and the
   * next page's token comes in the `Next-Token` header.
   */
  jsonLines?: boolean;
  /** The refusals this route can give besides the ones every route can (SPEC 4.4). */
  errors: ErrorCode[];
}

/** Every answer body, by its name in `components.schemas`. */
const BODIES: Record<string, Schema> = {
  ...OPS_BODIES,
  Instance: instanceResponseSchema,
  InstanceListPage: instanceListPageResponseSchema,
  ExportedOrder: exportedOrderResponseSchema,
  Quote: quoteResponseSchema,
  UnsubscribeOrder: unsubscribeOrderResponseSchema,
  UnsubscribeOrderPage: unsubscribeOrderPageResponseSchema,
  Balance: balanceResponseSchema,
  WebhookAck: webhookAckResponseSchema,
  CreditNoteLink: creditNoteLinkResponseSchema,
  Contact: contactResponseSchema,
  JournalExport: journalExportResponseSchema,
  Error: errorResponseSchema,
};

/** Any route: a bad body or parameter, an oversized body, a failure on our side. */
const EVERY_ROUTE: ErrorCode[] = ['VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE', 'INTERNAL'];
/** Routes of `httpFunction` (every one with an authorizer) also refuse a body that is not JSON. */
const JSON_ROUTE: ErrorCode[] = ['UNSUPPORTED_MEDIA_TYPE'];
const QUOTED_EXECUTION: ErrorCode[] = [
  'NOT_FOUND',
  'INSTANCE_NOT_ACTIVE',
  'RESOURCE_INFO_UNAVAILABLE',
  'QUOTE_EXPIRED',
  'QUOTE_ALREADY_USED',
  'QUOTE_STALE',
  'IDEMPOTENCY_IN_PROGRESS',
  'NOT_REFUNDABLE',
  'NOTHING_TO_REFUND',
  'CONFIRMATION_REQUIRED',
  'IDEMPOTENCY_KEY_REUSED',
];

const OPERATIONS: Record<string, Operation> = {
  ...OPS_OPERATIONS,
  'GET /instances': {
    summary:
      "List the caller's instances, each with until when a full refund is available (`fullRefundUntil`)",
    query: listInstancesQuerySchema,
    success: { 200: 'InstanceListPage' },
    errors: [],
  },
  'GET /instances/{instanceId}': {
    summary: 'One instance with its orders and retention',
    success: { 200: 'Instance' },
    errors: ['NOT_FOUND'],
  },
  'POST /instances/{instanceId}/refund-quotes': {
    summary: 'Quote an unsubscription or a renewal cancellation (binding for 15 minutes)',
    body: quoteRequestSchema,
    success: { 201: 'Quote' },
    errors: [
      'NOT_FOUND',
      'INSTANCE_NOT_ACTIVE',
      'RESOURCE_INFO_UNAVAILABLE',
      'NOT_REFUNDABLE',
      'NOTHING_TO_REFUND',
      'NO_PENDING_RENEWAL',
      'INVALID_EXPIRATION_TIME',
    ],
  },
  'POST /instances/{instanceId}/unsubscriptions': {
    summary: 'Unsubscribe with the amounts of a quote, exactly once',
    body: unsubscribeRequestSchema,
    idempotent: true,
    success: { 202: 'UnsubscribeOrder' },
    errors: [...QUOTED_EXECUTION, 'REFUND_TYPE_MISMATCH'],
  },
  'POST /instances/{instanceId}/renewal-cancellations': {
    summary: 'Cancel unactivated renewals with the amounts of a quote, exactly once',
    body: renewalCancellationRequestSchema,
    idempotent: true,
    success: { 202: 'UnsubscribeOrder' },
    errors: [...QUOTED_EXECUTION, 'NO_PENDING_RENEWAL', 'INVALID_EXPIRATION_TIME'],
  },
  'GET /unsubscribe-orders': {
    summary: "List the caller's unsubscribe orders",
    query: listUnsubscribeOrdersQuerySchema,
    success: { 200: 'UnsubscribeOrderPage' },
    errors: [],
  },
  'GET /unsubscribe-orders/{unsubscribeOrderId}': {
    summary: 'One unsubscribe order with its lines and history',
    success: { 200: 'UnsubscribeOrder' },
    errors: ['NOT_FOUND'],
  },
  'GET /unsubscribe-orders/{unsubscribeOrderId}/credit-note': {
    summary:
      "The order's credit note: its number and a link to its PDF that works for 5 minutes (404 until it is issued, moments after the order)",
    success: { 200: 'CreditNoteLink' },
    errors: ['NOT_FOUND'],
  },
  'GET /account/balance': {
    summary: 'The account balance per currency and its ledger entries',
    success: { 200: 'Balance' },
    errors: [],
  },
  'POST /internal/orders': {
    summary: 'Billing: ingest a paid order (creates, renews or restores an instance)',
    body: ingestOrderRequestSchema,
    success: { 200: 'Instance', 201: 'Instance' },
    errors: ['NOT_FOUND', 'ORDER_CONFLICT', 'INSTANCE_RELEASED', 'ORDER_NOT_CONTIGUOUS'],
  },
  'PUT /internal/accounts/{accountId}/contact': {
    summary:
      "Billing: the account's contact for customer emails (personal data: stored, used to send, never logged or in events)",
    body: contactRequestSchema,
    success: { 200: 'Contact' },
    errors: [],
  },
  'GET /internal/journal/exports/{day}': {
    summary:
      "Finance: a closed day's journal export (day in UTC+8; `format` jsonl or csv) and a link to the file that works for 5 minutes (404 until the day is exported, at 00:30 UTC+8 the day after)",
    query: journalExportQuerySchema,
    success: { 200: 'JournalExport' },
    errors: ['NOT_FOUND'],
  },
  'PUT /internal/instances/{instanceId}/flags': {
    summary: "Billing: set an instance's abnormal flags",
    body: setFlagsRequestSchema,
    success: { 200: 'Instance' },
    errors: ['NOT_FOUND'],
  },
  'GET /internal/unsubscribe-orders/export': {
    summary:
      "Policy backtest: every account's unsubscribe orders created in [createdFrom, createdTo), oldest first, as JSON Lines",
    description: [
      'Each line is one `ExportedOrder`: the amounts, the lines as quoted, the policy version and the derivation with its recorded inputs — exactly what `npm run policy -- backtest` reads, so `curl … | npm run policy -- backtest --policy candidate.json` works page by page.',
      `The range is at most ${EXPORT_MAX_RANGE_DAYS} days. A page holds at most \`limit\` orders (1–${EXPORT_LIMIT}, default ${EXPORT_LIMIT}) and at most 5 MB; it may hold fewer, even none, when the range is long (a page reads at most 31 days of the index).`,
      "The next page's token is the `Next-Token` response header (absent on the last page), passed back as `nextToken` with the same query: the body stays pure JSON Lines.",
      'Read from the keys-only `created` index (partitions by UTC day and shard), then each order by key: never a scan.',
    ].join('\n\n'),
    query: exportUnsubscribeOrdersQuerySchema,
    success: { 200: 'ExportedOrder' },
    jsonLines: true,
    errors: [],
  },
  'POST /webhooks/stripe': {
    summary:
      "Stripe: a refund's outcome (refund.updated, refund.failed, charge.refund.updated); raw body verified with the Stripe-Signature header",
    success: { 200: 'WebhookAck' },
    errors: ['NOT_FOUND'],
  },
};

/** Request schemas describe what callers send (before conversions such as instants → ms). */
const requestSchema = (schema: Schema): JsonSchema => {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' });
  return rest as JsonSchema;
};

const responseSchema = (schema: Schema): JsonSchema => {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io: 'output', target: 'draft-2020-12' });
  return rest as JsonSchema;
};

/** The error codes a route can answer with, by HTTP status. */
export function errorCodesByStatus(route: Route): Map<number, ErrorCode[]> {
  const operation = OPERATIONS[routeKey(route)];
  if (!operation) throw new Error(`no OpenAPI operation for ${routeKey(route)}`);
  const identity: ErrorCode[] =
    route.auth === 'internal' || route.auth === 'operator' || route.auth === 'approver'
      ? ['UNAUTHORIZED', 'FORBIDDEN']
      : route.auth === 'public'
        ? ['UNAUTHORIZED']
        : [];
  const json = route.auth === 'none' ? [] : JSON_ROUTE;
  const codes = new Set<ErrorCode>([...EVERY_ROUTE, ...json, ...identity, ...operation.errors]);
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of Object.keys(ERROR_STATUS) as ErrorCode[]) {
    if (!codes.has(code)) continue;
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return byStatus;
}

const pathParameters = (path: string) =>
  [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,128}$' },
  }));

const QUERY_DESCRIPTIONS: Record<string, string> = {
  format: '`jsonl` (JSON Lines, the default) or `csv` (RFC 4180): one line per debit or credit of an entry',
  nextToken:
    'Opaque and signed; from the previous page, valid for 24 hours and only for the same caller and query (anything else is 400 VALIDATION_FAILED)',
  orderTimeFrom:
    'With orderTimeTo: an instance matches when any of its orders was paid in [orderTimeFrom, orderTimeTo)',
  pendingRenewal:
    '`true`: only ACTIVE instances with a paid renewal that has not started at the time of the request (those whose renewal can be cancelled); `false`: only the others. Applied across pages.',
};

function queryParameters(schema: Schema | undefined) {
  if (!schema) return [];
  const json = requestSchema(schema) as { properties: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    ...(QUERY_DESCRIPTIONS[name] ? { description: QUERY_DESCRIPTIONS[name] } : {}),
    schema: property,
  }));
}

const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  in: 'header',
  required: true,
  description: 'Replays with the same key and body answer the stored response (SPEC 3.3)',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};

const STRIPE_SIGNATURE = {
  name: 'Stripe-Signature',
  in: 'header',
  required: true,
  description:
    "Stripe's signature of the raw body (t=…,v1=…); a missing, wrong or too old one is 400 VALIDATION_FAILED",
  schema: { type: 'string', minLength: 1 },
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** The media type of a JSON Lines answer (one JSON value a line, `\n`-terminated). */
export const JSON_LINES = 'application/x-ndjson';

const NEXT_TOKEN_HEADER = {
  description: 'The `nextToken` of the next page (same query, valid for 24 hours); absent on the last page',
  schema: { type: 'string', minLength: 1 },
};

function operationOf(route: Route) {
  const key = routeKey(route);
  const operation = OPERATIONS[key];
  if (!operation) throw new Error(`no OpenAPI operation for ${key}`);
  const responses: Record<string, unknown> = {};
  for (const [status, body] of Object.entries(operation.success)) {
    responses[status] = operation.jsonLines
      ? {
          description: `JSON Lines: one ${body} a line`,
          headers: { 'Next-Token': NEXT_TOKEN_HEADER },
          content: { [JSON_LINES]: { schema: ref(body) } },
        }
      : { description: body, content: { 'application/json': { schema: ref(body) } } };
  }
  for (const [status, codes] of errorCodesByStatus(route)) {
    responses[String(status)] = {
      description: codes.join(', '),
      content: {
        'application/json': {
          schema: {
            allOf: [
              ref('Error'),
              {
                type: 'object',
                properties: { error: { type: 'object', properties: { code: { enum: codes } } } },
              },
            ],
          },
        },
      },
    };
  }
  return {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[^A-Za-z]+(\w)?/g, (_m, c?: string) => (c ? c.toUpperCase() : ''))}`,
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    tags: [route.auth],
    security:
      route.auth === 'internal'
        ? [{ iam: [] }]
        : route.auth === 'public'
          ? [{ jwt: [] }]
          : route.auth === 'none'
            ? []
            : [{ jwt: [...requiredScopes(route.auth)] }],
    parameters: [
      ...(route.auth === 'none' ? [STRIPE_SIGNATURE] : []),
      ...pathParameters(route.path),
      ...queryParameters(operation.query),
      ...(operation.idempotent ? [IDEMPOTENCY_KEY] : []),
    ],
    ...(operation.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: requestSchema(operation.body) } },
          },
        }
      : {}),
    responses,
  };
}

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operationOf(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Refund service',
      version: '1.0.0',
      description:
        'Self-service unsubscription and exactly-once refunds (SPEC 4). Money is integer minor units; instants are ISO-8601 UTC with milliseconds. List routes page with `limit` (1–100, default 20) and `nextToken` (null on the last page).',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: 'http://localhost:3000', description: '`npm start`' }],
    security: [{ jwt: [] }],
    tags: [
      { name: 'public', description: "Customer routes: the account is the token's `sub`" },
      { name: 'internal', description: 'Billing routes: AWS IAM (SigV4) in the cloud' },
      {
        name: 'operator',
        description: 'Back office: a JWT with the scope refunds/operator; `sub` is the person',
      },
      { name: 'approver', description: 'Back office decisions: also the scope refunds/approver' },
    ],
    paths,
    components: {
      securitySchemes: {
        jwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The account is `sub`' },
        iam: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            'AWS Signature Version 4 (IAM). `npm start` accepts instead a JWT with the scope `refunds/internal`.',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
      schemas: Object.fromEntries(Object.entries(BODIES).map(([name, s]) => [name, responseSchema(s)])),
    },
  };
}

/** The document as checked in: stable key order, two-space indentation, trailing newline. */
export const openApiJson = (): string => `${JSON.stringify(openApiDocument(), null, 2)}\n`;

export const OPENAPI_FILE = 'docs/openapi.json';

/** The versioned JSON Schema of each domain event (every version documented), by file name under docs/events/. */
export function eventJsonSchemas(): Record<string, string> {
  return Object.fromEntries(
    EVENT_SCHEMA_VERSIONS.map(({ type, version }) => {
      const file = `${type}.v${version}.schema.json`;
      const schema = z.toJSONSchema(eventSchema(type, version), { target: 'draft-2020-12' });
      const json = { $id: `https://refunds.example/events/${file}`, title: type, ...schema };
      return [file, `${JSON.stringify(json, null, 2)}\n`];
    }),
  );
}
