/**
 * Drives the real HTTP handler modules on DynamoDB Local and fauxqs, through the same
 * API Gateway v2 events the local runtime builds. Each harness has its own table and
 * queues, and a clock the test controls.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { inject } from 'vitest';
import { DynamoCreditNoteStore } from '#adapters/dynamo/credit-notes.ts';
import { DynamoJournal } from '#adapters/dynamo/journal.ts';
import { DynamoLedger } from '#adapters/dynamo/ledger.ts';
import { DynamoContactStore } from '#adapters/dynamo/notifications.ts';
import { S3DocumentStore } from '#adapters/s3-documents.ts';
import { SqsRefundQueue } from '#adapters/sqs-refund-queue.ts';
import { APPROVER_SCOPE, OPERATOR_SCOPE } from '#http/ops-routes.ts';
import { type Keyring, type KeyringSource, parseKeyring } from '#http/page-token-keys.ts';
import { INTERNAL_SCOPE } from '#http/routes.ts';
import { jwtAuthorizer, matchRoute, toApiEvent } from '#infra/local/api-event.ts';
import { createQueues, createTable, LOCAL_CREDENTIALS, LOCAL_REGION } from '#infra/local/emulators.ts';
import { JSON_LINES } from '#infra/openapi/document.ts';
import type { PolicyRegistry } from '#policy/index.ts';
import type { RefundQueue } from '#ports/refund-queue.ts';
import { type Config, readConfig } from '#shared/config.ts';
import type { OpsConfig } from '#shared/ops-config.ts';
import { apiStores, tableRef } from '#shared/wiring.ts';
import { assertMatchesContract } from './contract.ts';
import { watchTable } from './events.ts';

export interface CallOptions {
  /** The caller's account (token `sub`); omit for no token. */
  account?: string;
  internal?: boolean;
  /** An operator's token instead (`sub` = this person; scope refunds/operator). */
  operator?: string;
  /** With `operator`: also the scope refunds/approver. */
  approver?: boolean;
  body?: unknown;
  /** A raw body string, sent as is (malformed JSON, oversized bodies). */
  rawBody?: string;
  headers?: Record<string, string>;
  /** The body's Content-Type (default `application/json`); null sends none. */
  contentType?: string | null;
}

export interface ApiAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test answers are inspected freely
  body: any;
  raw: string;
  /** Lower-case names. */
  headers: Record<string, string>;
}

export const lambdaContext = (): Context =>
  ({
    awsRequestId: randomUUID(),
    functionName: 'test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test',
    memoryLimitInMB: '512',
    logGroupName: 'test',
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: false,
    // Generous on purpose: the handlers stop early as their time runs out (middy), and a loaded
    // test machine must not turn that into a failure; timing belongs in `npm run bench`.
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

export function localClients() {
  const dynamo = new DynamoDBClient({
    endpoint: inject('dynamoEndpoint'),
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const sqs = new SQSClient({
    endpoint: inject('sqsEndpoint'),
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  return { dynamo, sqs };
}

/** Sets the environment the handler modules read at import, so importing them is safe. */
export function handlerEnvironment(config: Config): void {
  process.env.TABLE_NAME = config.tableName;
  process.env.REFUND_QUEUE_URL = config.refundQueueUrl;
  // The purger's own module needs one at import; tests hand it a queue in memory (purge-pipeline.ts).
  process.env.PURGE_QUEUE_URL ??= 'http://127.0.0.1:1/000000000000/purge-work.fifo';
  process.env.AWS_REGION = LOCAL_REGION;
  process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = inject('dynamoEndpoint');
  process.env.AWS_ENDPOINT_URL_SQS = inject('sqsEndpoint');
  // fauxqs serves S3 on the same endpoint (the paperwork routes' documents).
  process.env.AWS_ENDPOINT_URL_S3 = inject('sqsEndpoint');
  process.env.CREDIT_NOTES_BUCKET ??= PAPERWORK_TEST_BUCKETS.creditNotes;
  process.env.JOURNAL_EXPORTS_BUCKET ??= PAPERWORK_TEST_BUCKETS.journalExports;
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  // The read function's page-token keys (the harness hands its handler its own keyring).
  process.env.PAGE_TOKEN_KEYS ??= JSON.stringify(newPageTokenKey('env'));
}

/** A page-token key as a keyring's JSON holds it: `{id, secret}` with a fresh random secret. */
export const newPageTokenKey = (id: string) => ({ id, secret: randomBytes(32).toString('base64url') });

/** The document buckets the harnesses use on fauxqs (created by the tests that store documents). */
export const PAPERWORK_TEST_BUCKETS = {
  creditNotes: 'credit-notes-test',
  journalExports: 'journal-exports-test',
};

export interface HarnessOptions {
  /** Replaces the SQS refund queue (e.g. one that fails). */
  queue?: RefundQueue;
  now?: string;
  holidays?: string[];
  /** The back office's four-eyes settings (default: every amount above 10000 needs an approver). */
  ops?: Partial<OpsConfig>;
}

export async function apiHarness(options: HarnessOptions = {}) {
  const { dynamo, sqs } = localClients();
  const suffix = randomUUID().slice(0, 8);
  const tableName = `api-${suffix}`;
  await createTable(dynamo, tableName);
  watchTable(tableName);
  const queues = await createQueues(sqs, `api-${suffix}-`);
  const config: Config = {
    ...readConfig({ TABLE_NAME: tableName }),
    tableName,
    refundQueueUrl: queues.refundQueueUrl,
    holidays: options.holidays ?? [],
    retryBaseSeconds: 1,
  };
  handlerEnvironment(config);

  // The keyring of nextToken values; a test can rotate it (setPageTokenKeys).
  let pageTokenKeyring: Keyring = parseKeyring(JSON.stringify(newPageTokenKey('k1')));
  const pageTokens: KeyringSource = { keyring: async () => pageTokenKeyring };

  const table = tableRef(config, dynamo);
  const stores = apiStores(table);
  let now = Date.parse(options.now ?? '2026-03-05T10:00:00.000Z');
  const clock = () => now;
  const queue = options.queue ?? new SqsRefundQueue(sqs, queues.refundQueueUrl);
  const enqueueFailures: unknown[] = [];
  const execution = {
    ...stores,
    queue,
    holidays: config.holidays,
    onEnqueueFailure: (error: unknown) => enqueueFailures.push(error),
  };

  const [quote, unsubscribe, cancelRenewal, reads, ingest, stripeWebhook, ops, paperwork] = await Promise.all(
    [
      import('#functions/quote.ts'),
      import('#functions/unsubscribe.ts'),
      import('#functions/cancel-renewal.ts'),
      import('#functions/reads.ts'),
      import('#functions/ingest.ts'),
      // With the simulator (these tests) the webhook route answers 404.
      import('#functions/stripe-webhook.ts'),
      import('#functions/ops.ts'),
      import('#functions/paperwork.ts'),
    ],
  );
  // The released policies the handlers use: the repository's, until a test releases others.
  const quoteDeps: { policies?: PolicyRegistry } & typeof stores & { holidays: readonly string[] } = {
    ...stores,
    holidays: config.holidays,
  };
  const opsSettings: OpsConfig = {
    thresholds: new Map([['*', 10_000]]),
    approvalTtlMs: 72 * 3_600_000,
    ...options.ops,
  };
  const opsDeps = ops.opsDeps(table, queue, opsSettings);
  const s3 = new S3Client({
    endpoint: inject('sqsEndpoint'),
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
  });
  const readDeps: { policies?: PolicyRegistry } & Parameters<typeof reads.createHandler>[0] = {
    ...stores,
    ledger: new DynamoLedger(table),
    pageTokens,
  };
  const handlers = {
    quote: quote.createHandler(quoteDeps, clock),
    unsubscribe: unsubscribe.createHandler(execution, clock),
    'cancel-renewal': cancelRenewal.createHandler(execution, clock),
    reads: reads.createHandler(readDeps, clock),
    ingest: ingest.createHandler(stores, clock),
    'stripe-webhook': stripeWebhook.handler,
    ops: ops.createHandler({ ...opsDeps, pageTokens }, clock),
    paperwork: paperwork.createHandler(
      {
        notes: new DynamoCreditNoteStore(table),
        contacts: new DynamoContactStore(table),
        creditNoteDocuments: new S3DocumentStore(s3, String(process.env.CREDIT_NOTES_BUCKET)),
        journal: new DynamoJournal(table),
        journalExports: new S3DocumentStore(s3, String(process.env.JOURNAL_EXPORTS_BUCKET)),
      },
      clock,
    ),
  } as const;

  async function call(method: string, url: string, options: CallOptions = {}): Promise<ApiAnswer> {
    const rawPath = url.split('?')[0] ?? url;
    const match = matchRoute(method, rawPath);
    if (!match) throw new Error(`no route for ${method} ${rawPath}`);
    const claims = options.operator
      ? {
          sub: options.operator,
          scope: [OPERATOR_SCOPE, ...(options.approver ? [APPROVER_SCOPE] : [])].join(' '),
        }
      : options.account
        ? { sub: options.account, ...(options.internal ? { scope: INTERNAL_SCOPE } : {}) }
        : undefined;
    const event = toApiEvent(
      {
        method,
        url,
        headers: {
          ...(options.contentType === null
            ? {}
            : { 'content-type': options.contentType ?? 'application/json' }),
          ...(options.headers ?? {}),
        },
        body: options.rawBody ?? (options.body === undefined ? '' : JSON.stringify(options.body)),
        sourceIp: '127.0.0.1',
        protocol: 'HTTP/1.1',
        requestId: randomUUID(),
        now,
      },
      match,
      claims
        ? jwtAuthorizer(claims)
        : { principalId: '', integrationLatency: 0, jwt: { claims: {}, scopes: null } },
    );
    const handler = handlers[match.route.fn] as (
      e: typeof event,
      c: Context,
    ) => Promise<APIGatewayProxyStructuredResultV2>;
    const result = await handler(event, lambdaContext());
    const raw = result.body ?? '';
    const status = result.statusCode ?? 200;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(result.headers ?? {}))
      headers[name.toLowerCase()] = String(value);
    const contentType = headers['content-type'];
    // JSON Lines (the orders export): the body is the array of its lines' values.
    const body = contentType?.startsWith(JSON_LINES)
      ? raw
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as unknown)
      : raw
        ? JSON.parse(raw)
        : undefined;
    // The contract test: every answer of every integration suite matches the OpenAPI document.
    assertMatchesContract(match.routeKey, status, body, contentType);
    return { status, body, raw, headers };
  }

  /** Every item in the table (for "nothing was written" checks; tests only — the service never scans). */
  async function allItems(): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await table.doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  return {
    call,
    /** Replaces the keyring of nextToken values with this keyring JSON (`{id, secret, previous?}`). */
    setPageTokenKeys: (json: unknown) => {
      pageTokenKeyring = parseKeyring(JSON.stringify(json));
    },
    config,
    queues,
    sqs,
    dynamo,
    table,
    stores,
    opsDeps,
    enqueueFailures,
    allItems,
    /** Releases another set of policies (e.g. a version 2) to the quote and execution handlers. */
    releasePolicies: (policies: PolicyRegistry) => {
      quoteDeps.policies = policies;
      readDeps.policies = policies;
      (execution as { policies?: PolicyRegistry }).policies = policies;
    },
    setNow: (iso: string) => {
      now = Date.parse(iso);
    },
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

export type ApiHarness = Awaited<ReturnType<typeof apiHarness>>;

/** A paid order from billing, as `POST /internal/orders` takes it. */
export function orderBody(
  account: string,
  instanceId: string,
  order: {
    orderId: string;
    type?: 'NEW' | 'RENEW';
    paidAt: string;
    periodStart?: string;
    periodEnd: string;
    cashPaid: number;
    voucherPaid?: number;
    method?: 'CARD' | 'PAYPAL' | 'BALANCE';
    reference?: string;
  },
  instance: { product?: string; billingMethod?: 'SUBSCRIPTION' | 'PAY_AS_YOU_GO'; currency?: string } = {},
) {
  return {
    accountId: account,
    instanceId,
    product: instance.product ?? 'waf',
    edition: 'Pro',
    billingMethod: instance.billingMethod ?? 'SUBSCRIPTION',
    currency: instance.currency ?? 'USD',
    order: {
      orderId: order.orderId,
      type: order.type ?? 'NEW',
      paidAt: order.paidAt,
      periodStart: order.periodStart ?? order.paidAt,
      periodEnd: order.periodEnd,
      cashPaid: order.cashPaid,
      voucherPaid: order.voucherPaid ?? 0,
      paymentMethod: { type: order.method ?? 'CARD', reference: order.reference ?? 'card-4242' },
    },
  };
}

export const confirmedUnsubscribe = (quoteId: string, refundType: string) => ({
  quoteId,
  refundType,
  confirmations: { rulesAndAmountConfirmed: true, dataBackupConfirmed: true },
  reason: { code: 'NO_LONGER_NEEDED' },
});
