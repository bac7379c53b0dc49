/**
 * The service's Lambda functions: entry file, sizing and what each may touch. Plain data
 * (no CDK imports) so the stack, its tests and `measure-bundles.ts` share one list.
 */
import type { FunctionName } from '#http/routes.ts';
import type { IndexName } from '#schema/table.ts';
import type { DomainEventType } from '#shared/events/derive.ts';

/**
 * `read`: GetItem/BatchGetItem/Query on the table. `readWrite` adds
 * PutItem/UpdateItem/DeleteItem/BatchWriteItem/ConditionCheckItem (what TransactWriteItems
 * needs per item). Neither includes Scan: SPEC 3.5 forbids table scans, and IAM enforces it.
 */
export type TableAccess = 'read' | 'readWrite';

/** `stream`: no item access and no TABLE_NAME; it reads the table's stream (its event source grants that). */
export type TableUse = TableAccess | 'stream';

export interface FunctionDef {
  /** Entry file, relative to the repository root; exports `handler`. */
  entry: string;
  description: string;
  table: TableUse;
  /** Indexes it queries (dynamodb:Query on that index only; no `index/*` wildcard). */
  indexes: readonly IndexName[];
  /** May send to the refund queue (sets REFUND_QUEUE_URL + sqs:SendMessage). */
  sendsRefunds: boolean;
  /** May send to the purge work queue (sets PURGE_QUEUE_URL + sqs:SendMessage on that queue). */
  sendsPurgeWork?: boolean;
  /** Talks to the payment provider: PAYMENT_PROVIDER, STRIPE_SECRET_NAME and read on that one secret. */
  provider?: boolean;
  /**
   * Signs and verifies `nextToken` values: PAGE_TOKEN_SECRET_NAME and read on the page-token
   * secret; its bundle keeps the Secrets Manager client (loaded on the first paged request).
   */
  pageTokens?: boolean;
  /** Puts domain events on the event bus (sets EVENT_BUS_NAME + events:PutEvents on that bus). */
  publishesEvents?: boolean;
  /** Reads the four-eyes settings (FOUR_EYES_THRESHOLDS, APPROVAL_TTL_HOURS). */
  fourEyes?: boolean;
  timeoutSeconds: number;
  memoryMb: number;
  /**
   * The domain events that invoke it: an EventBridge rule on the bus in the cloud (Paperwork in
   * infra/cdk/paperwork.ts), the local bus's dispatcher locally. Consumers de-duplicate by event id.
   */
  consumes?: readonly DomainEventType[];
  /** The private document buckets it reads or writes (sets the bucket's variable and the grant). */
  documents?: Partial<Record<DocumentBucket, 'read' | 'write'>>;
  /** Needs the credit notes' issuer settings (ISSUER_*). */
  issuer?: boolean;
  /** Sends customer emails: MAIL_FROM and ses:SendEmail from that identity only. */
  sendsEmail?: boolean;
  /** Posts journal entries: JOURNAL_ACCOUNTS (the chart, context `journalAccounts`) when configured. */
  chart?: boolean;
}

/** The paperwork buckets: credit-note PDFs and the journal's daily exports. */
export type DocumentBucket = 'creditNotes' | 'journalExports';

/** The key prefix of each bucket's objects (grants are scoped to it). */
export const DOCUMENT_PREFIXES: Record<DocumentBucket, string> = {
  creditNotes: 'credit-notes/',
  journalExports: 'journal/',
};

/** The variable that names each bucket. */
export const DOCUMENT_BUCKET_VARIABLES: Record<DocumentBucket, string> = {
  creditNotes: 'CREDIT_NOTES_BUCKET',
  journalExports: 'JOURNAL_EXPORTS_BUCKET',
};

export type ServiceFunctionName =
  | FunctionName
  | 'refund-processor'
  | 'purger'
  | 'purge-worker'
  | 'reconciler'
  | 'submitted-reconciler'
  | 'event-publisher'
  | 'ops-sweeper'
  | 'credit-notes'
  | 'notifier'
  | 'journal'
  | 'journal-export';

const http = { timeoutSeconds: 10, memoryMb: 512 } as const;

export const FUNCTIONS: Record<ServiceFunctionName, FunctionDef> = {
  quote: {
    ...http,
    entry: 'functions/quote.ts',
    description: 'Creates refund quotes (POST /instances/{instanceId}/refund-quotes)',
    table: 'readWrite',
    indexes: [],
    sendsRefunds: false,
  },
  unsubscribe: {
    ...http,
    entry: 'functions/unsubscribe.ts',
    description: 'Unsubscribes an instance and enqueues its refund',
    table: 'readWrite',
    indexes: [],
    sendsRefunds: true,
  },
  'cancel-renewal': {
    ...http,
    entry: 'functions/cancel-renewal.ts',
    description: 'Cancels paid renewals that have not started and enqueues their refund',
    table: 'readWrite',
    indexes: [],
    // A renewal cancellation is an unsubscribe order too: it enqueues its refund (wiring's quotedExecutionDeps).
    sendsRefunds: true,
  },
  reads: {
    ...http,
    entry: 'functions/reads.ts',
    description: 'Read routes: instances, unsubscribe orders, account balance; the orders export (internal)',
    table: 'read',
    // The export of past orders by creation time (GET /internal/unsubscribe-orders/export).
    indexes: ['created'],
    sendsRefunds: false,
    pageTokens: true,
  },
  ingest: {
    ...http,
    entry: 'functions/ingest.ts',
    description: 'Internal routes: paid-order ingestion and abnormal flags',
    table: 'readWrite',
    indexes: [],
    sendsRefunds: false,
  },
  'refund-processor': {
    entry: 'functions/refund-processor.ts',
    description: 'Settles refunds from the refund queue (SQS batch, partial failures)',
    table: 'readWrite',
    indexes: [],
    sendsRefunds: false,
    provider: true,
    // The provider call dominates; 30 s leaves room for a slow provider plus retries in the adapter.
    timeoutSeconds: 30,
    memoryMb: 512,
  },
  purger: {
    entry: 'functions/purger.ts',
    description:
      'Dispatches due retention purges to the purge workers, one work item per shard (every minute)',
    // One Query of one item per shard of the due index: it reads, the workers write.
    table: 'read',
    indexes: ['due'],
    sendsRefunds: false,
    sendsPurgeWork: true,
    timeoutSeconds: 30,
    memoryMb: 256,
  },
  'purge-worker': {
    entry: 'functions/purge-worker.ts',
    description: 'Purges the retained data due on one shard of the due index (purge work queue)',
    table: 'readWrite',
    indexes: ['due'],
    sendsRefunds: false,
    // Bounded per work item: it stops with a fifth of this left, and the next dispatch goes on.
    timeoutSeconds: 300,
    // DynamoDB calls are CPU-bound in the SDK (marshalling, signing): 1024 MB buys more of a vCPU.
    memoryMb: 1024,
  },
  reconciler: {
    entry: 'functions/reconciler.ts',
    description: 'Re-enqueues PENDING unsubscribe orders older than 5 minutes (every 5 minutes)',
    table: 'read',
    indexes: ['pending'],
    sendsRefunds: true,
    timeoutSeconds: 60,
    memoryMb: 512,
  },
  'stripe-webhook': {
    ...http,
    entry: 'functions/stripe-webhook.ts',
    description: 'Stripe webhook (POST /webhooks/stripe): refund outcomes, signature-verified',
    table: 'readWrite',
    indexes: [],
    sendsRefunds: false,
    provider: true,
  },
  'submitted-reconciler': {
    entry: 'functions/submitted-reconciler.ts',
    description: 'Asks Stripe about SUBMITTED refunds with no final answer (every 5 minutes)',
    table: 'readWrite',
    indexes: ['pending'],
    sendsRefunds: false,
    provider: true,
    timeoutSeconds: 60,
    memoryMb: 512,
  },
  ops: {
    ...http,
    entry: 'functions/ops.ts',
    description:
      "Operators' back office (/ops/...): queues, any order or account, audit, actions with four-eyes",
    table: 'readWrite',
    // Work queues (pending: NEEDS_ATTENTION, approvals, SUBMITTED lines; due: SLA, audit by
    // time) and lookup (any order by id, audit by actor).
    indexes: ['pending', 'due', 'lookup'],
    // Retry settlement now re-enqueues the order.
    sendsRefunds: true,
    fourEyes: true,
    // Its lists page with signed nextToken values, like the customer reads.
    pageTokens: true,
  },
  'ops-sweeper': {
    entry: 'functions/ops-sweeper.ts',
    description: 'Expires due approval requests and reports the back office queues (every 5 minutes)',
    table: 'readWrite',
    indexes: ['pending'],
    sendsRefunds: false,
    timeoutSeconds: 60,
    memoryMb: 256,
  },
  'event-publisher': {
    entry: 'functions/event-publisher.ts',
    description: 'Publishes domain events from the table stream to the EventBridge bus',
    table: 'stream',
    indexes: [],
    sendsRefunds: false,
    publishesEvents: true,
    // Derivation is pure; the time goes to PutEvents calls (at most 10 events each).
    timeoutSeconds: 30,
    memoryMb: 256,
  },
  paperwork: {
    ...http,
    entry: 'functions/paperwork.ts',
    description: 'Paperwork routes: credit-note links, account contacts, journal exports',
    table: 'readWrite',
    indexes: [],
    sendsRefunds: false,
    documents: { creditNotes: 'read', journalExports: 'read' },
  },
  'credit-notes': {
    entry: 'functions/credit-notes.ts',
    description: 'Issues, renders and stores the credit note of each accepted unsubscribe order',
    table: 'readWrite',
    indexes: [],
    sendsRefunds: false,
    consumes: ['UnsubscribeOrderAccepted'],
    documents: { creditNotes: 'write' },
    issuer: true,
    // Numbering may wait out a burst of concurrent issuances; rendering one note takes milliseconds warm.
    timeoutSeconds: 60,
    memoryMb: 1024,
  },
  notifier: {
    entry: 'functions/notifier.ts',
    description:
      'Emails the customer once per fact: order accepted, refund completed, refund moved to the balance',
    table: 'readWrite',
    indexes: [],
    sendsRefunds: false,
    consumes: ['UnsubscribeOrderAccepted', 'UnsubscribeOrderSucceeded', 'AccountBalanceCredited'],
    documents: { creditNotes: 'read' },
    sendsEmail: true,
    // A completed refund's email may wait a few seconds for its credit note.
    timeoutSeconds: 30,
    memoryMb: 512,
  },
  journal: {
    entry: 'functions/journal.ts',
    description: 'Posts the balanced journal entry of each money fact, once per event',
    table: 'readWrite',
    indexes: [],
    sendsRefunds: false,
    consumes: [
      'UnsubscribeOrderAccepted',
      'RefundLineSettled',
      'AccountBalanceCredited',
      'AccountBalanceAdjusted',
    ],
    chart: true,
    // One transaction per fact.
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  'journal-export': {
    entry: 'functions/journal-export.ts',
    description:
      "Exports the closed day's journal (UTC+8) as JSON Lines and CSV to S3 (daily, 00:30 UTC+8), catching up missed days",
    // Reads each day's partition and records the export once.
    table: 'readWrite',
    indexes: [],
    sendsRefunds: false,
    documents: { journalExports: 'write' },
    // Seven days of entries read and hashed; a busy day is a few MB.
    timeoutSeconds: 300,
    memoryMb: 1024,
  },
};

/**
 * How the event publisher reads the table's stream: the stack's event source mapping and the
 * local runtime's stream reader both take these.
 */
export const STREAM_READING = {
  batchSize: 100,
  /** A failing batch is retried (from the reported record) this many times, then recorded as failed. */
  retryAttempts: 10,
  /** Stream records live 24 h; one the publisher could not publish for 6 h is given up on (and recorded). */
  maxRecordAgeHours: 6,
  /** Alarm when the oldest unpublished record is this old. */
  iteratorAgeAlarmMinutes: 5,
  archiveRetentionDays: 365,
} as const;

/** Node's `require` for the few CommonJS dependencies inside an ESM bundle (esbuild's `__require` shim). */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/**
 * esbuild aliases of every function bundle: `node:http` is Node's module itself rather than
 * its ESM facade (see node-http.cjs; ~10 ms of each cold start). A path relative to the
 * repository root, so the stack and the benchmark resolve the same file.
 */
export const NODE_HTTP_ALIAS = { 'node:http': 'infra/cdk/node-http.cjs' } as const;

/**
 * The SDK's default credential chain → its first link, the environment, where Lambda puts
 * the execution role's credentials (see lambda-credentials.ts; ~135 KiB and ~20 ms of each
 * cold start). Every bundle, whatever the provider.
 */
export const LAMBDA_CREDENTIALS_ALIAS = {
  '@aws-sdk/credential-provider-node': 'infra/cdk/lambda-credentials.ts',
} as const;

/** The aliases every function bundle has, whatever the deployment's provider. */
export const COMMON_ALIASES = { ...NODE_HTTP_ALIAS, ...LAMBDA_CREDENTIALS_ALIAS } as const;

export type PaymentProviderName = 'simulator' | 'stripe';

/** What the Stripe adapter alone needs: left out of a simulator deployment's bundles. */
export const STRIPE_ONLY_MODULES = ['stripe', '@aws-sdk/client-secrets-manager'] as const;

/** The Secrets Manager client: Stripe's credentials, and the page-token keyring of the list function. */
const SECRETS_MANAGER_MODULE = '@aws-sdk/client-secrets-manager';

/**
 * Every esbuild alias of the bundles of a deployment settling with `provider`: the common
 * ones (node:http, credentials), and for the simulator the Stripe-only modules → a stand-in
 * that fails loudly at cold start if ever constructed (stripe-absent.cjs), so those bundles
 * do not carry what they can never use (the provider is chosen at synth, with PAYMENT_PROVIDER).
 */
export function bundleAliases(
  provider: PaymentProviderName,
  def: Pick<FunctionDef, 'pageTokens'> = {},
): Record<string, string> {
  if (provider === 'stripe') return { ...COMMON_ALIASES };
  // A function that reads its page-token secret keeps the Secrets Manager client.
  const kept: readonly string[] = def.pageTokens ? [SECRETS_MANAGER_MODULE] : [];
  const absent = Object.fromEntries(
    STRIPE_ONLY_MODULES.filter((m) => !kept.includes(m)).map((m) => [m, 'infra/cdk/stripe-absent.cjs']),
  );
  return { ...COMMON_ALIASES, ...absent };
}

/** esbuild target matching the Lambda runtime. */
export const NODE_TARGET = 'node24';
