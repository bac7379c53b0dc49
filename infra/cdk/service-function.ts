/**
 * One Lambda function of the service with the house defaults, so each function in the
 * stack is a few lines: Node.js 24 on arm64, an ESM bundle built by the local esbuild (no
 * Docker), minified with source maps, its own log group with a retention, its own role with
 * nothing but permission to write that log group. Everything else is added with the bind
 * helpers below, which set the environment variable and the permission together.
 *
 * The AWS SDK v3 is bundled (not left to the runtime's copy), decided by measurement with
 * `npx node infra/cdk/measure-bundles.ts` (same esbuild options; each bundle imported in a fresh
 * Node 24 process, 21 interleaved runs; docs/performance.md explains it). Over the eight
 * functions:
 *   - SDK bundled:  381–438 KiB minified (119–136 KiB gzipped); import median 62–92 ms, min 57–78 ms
 *   - SDK external: 42–76 KiB minified (14–25 KiB gzipped);   import median 75–113 ms, min 65–95 ms
 *     (resolving the SDK's many small files from node_modules, as Lambda would from its runtime).
 * Every function loads faster bundled (5–17 ms at the minimum, 9–41 ms at the median) for
 * ~100–110 KiB more download, and the SDK version is the one the tests ran against.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type IndexName, TABLE } from '#schema/table.ts';
import { METRICS_NAMESPACE, SERVICE_NAME } from '#shared/service.ts';
import {
  bundleAliases,
  ESM_REQUIRE_BANNER,
  type FunctionDef,
  NODE_TARGET,
  type PaymentProviderName,
  type TableAccess,
} from './functions.ts';

/** The repository root: entries, package-lock.json and node_modules (the local esbuild) live here. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServiceFunctionProps extends Pick<FunctionDef, 'entry' | 'description'> {
  timeout: Duration;
  memorySize: number;
  logRetention?: RetentionDays;
  environment?: Record<string, string>;
  /** The deployment's provider: a simulator deployment's bundles carry no Stripe SDK (bundleAliases). */
  paymentProvider: PaymentProviderName;
  /** Whether the function reads the page-token secret (its bundle keeps the Secrets Manager client). */
  pageTokens?: boolean;
}

export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      // Operational logs only (the audit trail is each order's history in the table).
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // An explicit role instead of the default one with the AWSLambdaBasicExecutionRole
    // managed policy (logs:* on every log group): this function may write its own log group only.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${id}: ${props.description}`.slice(0, 1000),
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(REPO_ROOT, props.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: NODE_TARGET,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Measured above: bundle the SDK v3 (tree-shaken, pinned) rather than use the runtime's copy.
        bundleAwsSDK: true,
        externalModules: [],
        // functions.ts, bundleAliases: node:http without its ESM facade (~10 ms per cold start),
        // credentials from the environment only (~20 ms, ~135 KiB), and no Stripe SDK in a
        // simulator deployment. Measured by `npm run bench` (docs/performance.md).
        esbuildArgs: Object.fromEntries(
          Object.entries(bundleAliases(props.paymentProvider, { pageTokens: props.pageTokens })).map(
            ([from, to]) => [`--alias:${from}`, join(REPO_ROOT, to)],
          ),
        ),
      },
    });
  }

  addEnvironment(name: string, value: string): void {
    this.function.addEnvironment(name, value);
  }
}

/**
 * Table actions per access level. No Scan (SPEC 3.5: never a table scan), no streams, no
 * DescribeTable; TransactWriteItems needs the per-item actions, TransactGetItems GetItem.
 */
export const TABLE_ACTIONS: Record<TableAccess, readonly string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:ConditionCheckItem',
  ],
};

/**
 * Sets TABLE_NAME and grants the access level on the table, plus dynamodb:Query on each
 * named index. Index ARNs are spelled out (`<table>/index/<name>`) instead of the
 * `index/*` wildcard `table.grant*()` adds: only the purger may read `due` and only the
 * reconciler `pending`.
 */
export function bindTable(
  fn: ServiceFunction,
  table: ITableV2,
  access: TableAccess,
  indexes: readonly IndexName[] = [],
): void {
  fn.addEnvironment('TABLE_NAME', table.tableName);
  Grant.addToPrincipal({
    grantee: fn.function,
    actions: [...TABLE_ACTIONS[access]],
    resourceArns: [table.tableArn],
  });
  if (indexes.length > 0) {
    Grant.addToPrincipal({
      grantee: fn.function,
      actions: ['dynamodb:Query'],
      resourceArns: indexes.map((name) => `${table.tableArn}/index/${TABLE.indexes[name].indexName}`),
    });
  }
}

/** Sets REFUND_QUEUE_URL and grants sqs:SendMessage (also covers SendMessageBatch) on that queue only. */
export function bindRefundQueueSender(fn: ServiceFunction, queue: IQueue): void {
  fn.addEnvironment('REFUND_QUEUE_URL', queue.queueUrl);
  queue.grant(fn.function, 'sqs:SendMessage');
}

/** Sets PURGE_QUEUE_URL and grants sqs:SendMessage (also covers SendMessageBatch) on the purge work queue only. */
export function bindPurgeWorkSender(fn: ServiceFunction, queue: IQueue): void {
  fn.addEnvironment('PURGE_QUEUE_URL', queue.queueUrl);
  queue.grant(fn.function, 'sqs:SendMessage');
}
