/**
 * Template assertions for the CDK stack (issue 5). The stack is synthesized once (bundling
 * every function with the local esbuild takes a few seconds) and every test reads the
 * same template. Expectations come from the shared definitions (`TABLE`, `QUEUES`, `ROUTES`)
 * and the function catalogue, so a drift between them and the stack fails here.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, routeKey } from '#http/routes.ts';
import {
  bundleAliases,
  COMMON_ALIASES,
  ESM_REQUIRE_BANNER,
  FUNCTIONS,
  type ServiceFunctionName,
  STREAM_READING,
  type TableAccess,
} from '#infra/cdk/functions.ts';
import { createApp } from '#infra/cdk/refund-app.ts';
import {
  CONTEXT_DEFAULTS,
  PURGE_VISIBILITY_TIMEOUT_FACTOR,
  type RefundStack,
  SLA_BREACH_METRIC,
  VISIBILITY_TIMEOUT_FACTOR,
} from '#infra/cdk/refund-stack.ts';
import { TABLE_ACTIONS } from '#infra/cdk/service-function.ts';
import { PURGE_QUEUES, projectionOf, QUEUES, TABLE } from '#schema/table.ts';
import { EVENT_SOURCE_PREFIXES } from '#shared/events/derive.ts';
import { DEFAULT_APPROVAL_TTL_HOURS, DEFAULT_FOUR_EYES_THRESHOLDS } from '#shared/ops-config.ts';
import { EVENT_SOURCE, OPS_METRICS, PROCESSOR_METRICS, PURGE_METRICS } from '#shared/service.ts';
import { asArray, CDK_CONTEXT, type Json, type Synthesized, synthesize } from '../support/synth.ts';

const SYNTH_TIMEOUT = 180_000;
const NAMES = Object.keys(FUNCTIONS) as ServiceFunctionName[];
let synth: Synthesized;
let app: App;
let stack: RefundStack;
let template: Template;
let resources: Record<string, Json>;

const logicalId: Synthesized['logicalId'] = (construct) => synth.logicalId(construct);
const fnId = (name: ServiceFunctionName) => logicalId(stack.functions[name].function);
const ofType: Synthesized['ofType'] = (type) => synth.ofType(type);

/** Every IAM statement attached to a function's role. */
function statementsOf(name: ServiceFunctionName): Json[] {
  const roleId = logicalId(stack.functions[name].role);
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as Json[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
}
const actionsOf = (name: ServiceFunctionName) =>
  new Set(statementsOf(name).flatMap((s) => asArray<string>(s.Action)));

beforeAll(() => {
  synth = synthesize();
  ({ app, stack, template, resources } = synth);
}, SYNTH_TIMEOUT);

describe('functions', () => {
  it('defines exactly the functions of the catalogue, and CDK’s console deployment function', () => {
    // The one other function is BucketDeployment's (it copies the console to S3 during deploys).
    const [deployment] = ofType('Custom::CDKBucketDeployment').map(([, r]) => r.Properties.ServiceToken);
    const deploymentFn = deployment['Fn::GetAtt'][0] as string;
    expect(resources[deploymentFn]?.Properties.Runtime).toMatch(/^python/);
    expect(
      ofType('AWS::Lambda::Function')
        .map(([id]) => id)
        .sort(),
    ).toEqual([...NAMES.map(fnId), deploymentFn].sort());
    expect(NAMES.sort()).toEqual(
      [
        'cancel-renewal',
        'event-publisher',
        'ingest',
        'ops',
        'ops-sweeper',
        'purge-worker',
        'paperwork',
        'credit-notes',
        'notifier',
        'journal',
        'journal-export',
        'purger',
        'quote',
        'reads',
        'reconciler',
        'refund-processor',
        'stripe-webhook',
        'submitted-reconciler',
        'unsubscribe',
      ].sort(),
    );
  });

  it.each(NAMES)('%s runs nodejs24.x on arm64 with source maps, its timeout, memory and table', (name) => {
    const fn = resources[fnId(name)];
    expect(fn?.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: FUNCTIONS[name].timeoutSeconds,
      MemorySize: FUNCTIONS[name].memoryMb,
      Environment: {
        Variables: {
          NODE_OPTIONS: '--enable-source-maps',
          ...(FUNCTIONS[name].table === 'stream' ? {} : { TABLE_NAME: { Ref: logicalId(stack.table) } }),
          POWERTOOLS_SERVICE_NAME: 'refund-service',
          POWERTOOLS_METRICS_NAMESPACE: 'RefundService',
        },
      },
      LoggingConfig: { LogGroup: { Ref: logicalId(stack.functions[name].logGroup) } },
    });
  });

  it.each(NAMES)('%s writes to its own log group with a retention', (name) => {
    const logGroup = resources[logicalId(stack.functions[name].logGroup)];
    expect(logGroup?.Properties.RetentionInDays).toBeGreaterThan(0);
    const logStatements = statementsOf(name).filter((s) =>
      asArray<string>(s.Action).some((a) => a.startsWith('logs:')),
    );
    expect(logStatements).toHaveLength(1);
    expect(logStatements[0]?.Resource).toEqual({
      'Fn::GetAtt': [logicalId(stack.functions[name].logGroup), 'Arn'],
    });
    // No managed policy (AWSLambdaBasicExecutionRole would allow every log group).
    const role = resources[logicalId(stack.functions[name].role)];
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it.each(NAMES)('%s is an ESM bundle with the AWS SDK inside (no runtime SDK import)', (name) => {
    // The staged asset directory is named after the hash the template uses as the S3 key.
    const s3Key = resources[fnId(name)]?.Properties.Code.S3Key as string;
    const dir = join(app.outdir, `asset.${s3Key.replace(/\.zip$/, '')}`);
    expect(existsSync(join(dir, 'index.mjs'))).toBe(true);
    expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
  });

  it('sets PURGE_QUEUE_URL on the purger only', () => {
    for (const name of NAMES) {
      const variables = resources[fnId(name)]?.Properties.Environment.Variables as Json;
      if (name === 'purger') expect(variables.PURGE_QUEUE_URL).toEqual({ Ref: logicalId(stack.purgeQueue) });
      else expect(variables.PURGE_QUEUE_URL, name).toBeUndefined();
    }
  });

  it('sets REFUND_QUEUE_URL exactly on the functions that enqueue refunds, and the processor (retry backoff)', () => {
    for (const name of NAMES) {
      const variables = resources[fnId(name)]?.Properties.Environment.Variables as Json;
      if (FUNCTIONS[name].sendsRefunds || name === 'refund-processor') {
        expect(variables.REFUND_QUEUE_URL, name).toEqual({ Ref: logicalId(stack.refundQueue) });
      } else {
        expect(variables.REFUND_QUEUE_URL, name).toBeUndefined();
      }
    }
  });
});

describe('least privilege', () => {
  const tableArn = () => ({ 'Fn::GetAtt': [logicalId(stack.table), 'Arn'] });
  const indexArn = (index: string) => ({ 'Fn::Join': ['', [tableArn(), `/index/${index}`]] });

  const ITEM_USERS = NAMES.filter((name) => FUNCTIONS[name].table !== 'stream');
  it.each(ITEM_USERS)('%s has exactly its table actions, on the table only', (name) => {
    const dynamo = statementsOf(name).filter((s) =>
      asArray<string>(s.Action).some((a) => a.startsWith('dynamodb:')),
    );
    const onTable = dynamo.filter((s) => JSON.stringify(s.Resource) === JSON.stringify(tableArn()));
    expect(onTable).toHaveLength(1);
    expect(new Set(asArray(onTable[0]?.Action))).toEqual(
      new Set(TABLE_ACTIONS[FUNCTIONS[name].table as TableAccess]),
    );
  });

  it('only the purger, its workers and the back office query the due index, and the reconcilers the pending index (no index/*)', () => {
    for (const name of NAMES) {
      const indexStatements = statementsOf(name).filter((s) =>
        JSON.stringify(s.Resource).includes('/index/'),
      );
      const expected = FUNCTIONS[name].indexes.map((i) => indexArn(TABLE.indexes[i].indexName));
      const sorted = (resources: unknown[]) => resources.map((r) => JSON.stringify(r)).sort();
      expect(sorted(indexStatements.flatMap((s) => asArray(s.Resource))), name).toEqual(sorted(expected));
      for (const s of indexStatements) expect(s.Action, name).toBe('dynamodb:Query');
    }
    // The back office reads its own `due` partitions (SLA#, AUDIT#), never the purger's DUE#.
    expect(NAMES.filter((name) => FUNCTIONS[name].indexes.includes('due')).sort()).toEqual([
      'ops',
      'purge-worker',
      'purger',
    ]);
    expect(FUNCTIONS.reconciler.indexes).toEqual(['pending']);
    // The back office reads its queues and lookups; its sweeper only the pending approvals.
    expect(FUNCTIONS.ops.indexes).toEqual(['pending', 'due', 'lookup']);
    expect(FUNCTIONS['ops-sweeper'].indexes).toEqual(['pending']);
    // The policy backtest's export: only the read function, only the keys-only created index.
    expect(NAMES.filter((name) => FUNCTIONS[name].indexes.includes('created'))).toEqual(['reads']);
    expect(FUNCTIONS.reads.indexes).toEqual(['created']);
  });

  it('reads, the reconciler and the purger (a dispatcher) cannot write the table; nobody can scan it', () => {
    expect(FUNCTIONS['submitted-reconciler'].indexes).toEqual(['pending']);
    for (const name of ['reads', 'reconciler', 'purger'] as const) {
      const actions = actionsOf(name);
      for (const write of ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']) {
        expect(actions.has(`dynamodb:${write}`), `${name} ${write}`).toBe(false);
      }
    }
    for (const name of NAMES) expect(actionsOf(name).has('dynamodb:Scan'), name).toBe(false);
  });

  it('only unsubscribe, cancel-renewal, the reconciler and the back office (retry now) can send to the refund queue, and only there', () => {
    const refundQueueArn = JSON.stringify({ 'Fn::GetAtt': [logicalId(stack.refundQueue), 'Arn'] });
    const sendsThere = (name: ServiceFunctionName) =>
      statementsOf(name).some(
        (s) => asArray(s.Action).includes('sqs:SendMessage') && JSON.stringify(s.Resource) === refundQueueArn,
      );
    const senders = NAMES.filter(sendsThere).sort();
    expect(senders).toEqual(['cancel-renewal', 'ops', 'reconciler', 'unsubscribe']);
    for (const name of senders) {
      const send = statementsOf(name).filter((s) => asArray(s.Action).includes('sqs:SendMessage'));
      expect(send).toEqual([
        {
          Action: 'sqs:SendMessage',
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [logicalId(stack.refundQueue), 'Arn'] },
        },
      ]);
    }
  });

  it('only the purger can send to the purge work queue, only the purge worker consumes it', () => {
    const purgeQueueArn = { 'Fn::GetAtt': [logicalId(stack.purgeQueue), 'Arn'] };
    const on = (name: ServiceFunctionName, action: string) =>
      statementsOf(name).filter(
        (s) =>
          asArray(s.Action).includes(action) && JSON.stringify(s.Resource) === JSON.stringify(purgeQueueArn),
      );
    expect(NAMES.filter((name) => on(name, 'sqs:SendMessage').length > 0)).toEqual(['purger']);
    expect(on('purger', 'sqs:SendMessage')).toEqual([
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: purgeQueueArn },
    ]);
    expect(NAMES.filter((name) => on(name, 'sqs:ReceiveMessage').length > 0)).toEqual(['purge-worker']);
    expect(actionsOf('purge-worker').has('sqs:SendMessage')).toBe(false);
  });

  it('the refund processor consumes the refund queue and cannot send to it', () => {
    const actions = actionsOf('refund-processor');
    for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']) {
      expect(actions.has(action), action).toBe(true);
    }
    expect(actions.has('sqs:SendMessage')).toBe(false);
    const consume = statementsOf('refund-processor').filter((s) =>
      asArray(s.Action).includes('sqs:ReceiveMessage'),
    );
    expect(consume.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [logicalId(stack.refundQueue), 'Arn'] }]);
    for (const name of NAMES.filter((n) => n !== 'refund-processor' && n !== 'purge-worker')) {
      expect(actionsOf(name).has('sqs:ReceiveMessage'), name).toBe(false);
    }
  });

  it('no statement of any service role has a wildcard action or resource', () => {
    // CDK's console deployment role is checked in test/infra/console-hosting.test.ts.
    const serviceRoles = new Set(NAMES.map((name) => logicalId(stack.functions[name].role)));
    const servicePolicies = ofType('AWS::IAM::Policy').filter(([, p]) =>
      (p.Properties.Roles as Json[]).every((r) => serviceRoles.has(r.Ref)),
    );
    expect(servicePolicies.length).toBe(ofType('AWS::IAM::Policy').length - 1);
    for (const [id, policy] of servicePolicies) {
      for (const statement of policy.Properties.PolicyDocument.Statement as Json[]) {
        for (const action of asArray<string>(statement.Action)) expect(action, id).not.toContain('*');
        // Document objects are granted under their bucket's prefix (`<bucket>/credit-notes/*`), nothing wider.
        const resource = JSON.stringify(statement.Resource).replace(
          /\/(credit-notes|journal)\/\*"/g,
          '/$1/"',
        );
        expect(resource, id).not.toContain('*');
      }
    }
  });
});

describe('payment provider (Stripe)', () => {
  const PROVIDER_FUNCTIONS = NAMES.filter((name) => FUNCTIONS[name].provider).sort();
  const secretArn = (statement: Json) => JSON.stringify(statement.Resource);

  it('takes the secret name as the StripeCredentialsName parameter (default from cdk.json)', () => {
    template.hasParameter('StripeCredentialsName', { Type: 'String', Default: CDK_CONTEXT.stripeSecretName });
    expect(CDK_CONTEXT.paymentProvider).toBe('simulator');
  });

  it('the processor, the webhook and the submitted-refund reconciler get the provider, and only they', () => {
    expect(PROVIDER_FUNCTIONS).toEqual(['refund-processor', 'stripe-webhook', 'submitted-reconciler']);
    for (const name of NAMES) {
      const variables = resources[fnId(name)]?.Properties.Environment.Variables as Json;
      if (FUNCTIONS[name].provider) {
        expect(variables.PAYMENT_PROVIDER, name).toBe(CDK_CONTEXT.paymentProvider);
        expect(variables.STRIPE_SECRET_NAME, name).toEqual({ Ref: 'StripeCredentialsName' });
      } else {
        expect(variables.PAYMENT_PROVIDER, name).toBeUndefined();
        expect(variables.STRIPE_SECRET_NAME, name).toBeUndefined();
      }
    }
  });

  it('grants read on that one secret only, to those functions only', () => {
    for (const name of NAMES) {
      const secrets = statementsOf(name).filter(
        (s) =>
          asArray<string>(s.Action).some((a) => a.startsWith('secretsmanager:')) &&
          secretArn(s).includes('StripeCredentialsName'),
      );
      if (!FUNCTIONS[name].provider) {
        expect(secrets, name).toEqual([]);
        continue;
      }
      expect(secrets, name).toHaveLength(1);
      const [statement] = secrets as [Json];
      expect(new Set(asArray(statement.Action))).toEqual(
        new Set(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']),
      );
      // arn:…:secret:<StripeCredentialsName>-?????? (Secrets Manager's random suffix), nothing wider.
      expect(secretArn(statement)).toContain('{"Ref":"StripeCredentialsName"}');
      expect(secretArn(statement)).toContain('-??????');
      expect(asArray(statement.Resource)).toHaveLength(1);
    }
  });

  const bundleOf = (name: ServiceFunctionName) => {
    const s3Key = resources[fnId(name)]?.Properties.Code.S3Key as string;
    return join(app.outdir, `asset.${s3Key.replace(/\.zip$/, '')}`, 'index.mjs');
  };

  it('a simulator synth bundles no Stripe SDK, and the Secrets Manager client only where the page-token keys are read (bundleAliases)', () => {
    expect(bundleAliases('simulator', { pageTokens: true })).toEqual({
      ...COMMON_ALIASES,
      stripe: 'infra/cdk/stripe-absent.cjs',
    });
    const reads = readFileSync(bundleOf('reads'), 'utf8');
    expect(reads).not.toContain('api.stripe.com');
    expect(reads).toContain('secretsmanager.');
    for (const name of NAMES.filter((n) => !FUNCTIONS[n].pageTokens)) {
      expect(readFileSync(bundleOf(name), 'utf8'), name).not.toContain('secretsmanager.');
    }
  });

  it('a simulator synth bundles no Stripe SDK and no Secrets Manager client in the provider functions', () => {
    expect(bundleAliases('simulator')).toMatchObject({
      stripe: 'infra/cdk/stripe-absent.cjs',
      '@aws-sdk/client-secrets-manager': 'infra/cdk/stripe-absent.cjs',
    });
    expect(bundleAliases('stripe')).toEqual(COMMON_ALIASES);
    for (const name of PROVIDER_FUNCTIONS) {
      const code = readFileSync(bundleOf(name), 'utf8');
      expect(code, name).not.toContain('api.stripe.com');
      expect(code, name).not.toContain('secretsmanager.');
      expect(code, name).toContain('synthesized for the simulator');
    }
  });

  it('every bundle takes credentials from the environment only: none of the default chain beyond it is bundled', () => {
    expect(COMMON_ALIASES['@aws-sdk/credential-provider-node']).toBe('infra/cdk/lambda-credentials.ts');
    for (const name of NAMES) {
      // The source map lists every module in the bundle.
      const { sources } = JSON.parse(readFileSync(`${bundleOf(name)}.map`, 'utf8')) as { sources: string[] };
      expect(
        sources.some((s) => s.endsWith('infra/cdk/lambda-credentials.ts')),
        name,
      ).toBe(true);
      expect(
        sources.some((s) => s.includes('@aws-sdk/credential-provider-env/')),
        name,
      ).toBe(true);
      for (const absent of [
        '@aws-sdk/credential-provider-node/',
        '@aws-sdk/credential-provider-ini/',
        '@aws-sdk/credential-provider-sso/',
        '@smithy/credential-provider-imds/',
        '@aws-sdk/nested-clients/',
      ]) {
        expect(
          sources.filter((s) => s.includes(absent)),
          `${name}: ${absent}`,
        ).toEqual([]);
      }
    }
  });

  it('such a bundle switched to PAYMENT_PROVIDER=stripe after the synth fails at its cold start, saying how to fix it', async () => {
    const run = promisify(execFile);
    const importing = run(
      process.execPath,
      ['--input-type=module', '-e', `await import(${JSON.stringify(bundleOf('refund-processor'))})`],
      {
        env: {
          PATH: process.env.PATH ?? '',
          TABLE_NAME: 'refunds',
          PAYMENT_PROVIDER: 'stripe',
          STRIPE_SECRET_NAME: 'refund-service/stripe',
          AWS_REGION: 'eu-west-1',
        },
      },
    );
    await expect(importing).rejects.toMatchObject({
      stderr: expect.stringContaining('-c paymentProvider=stripe'),
    });
  });

  it('routes POST /webhooks/stripe to the webhook function without an authorizer', () => {
    const route = ROUTES.find((r) => r.path === '/webhooks/stripe');
    expect(route).toEqual({ method: 'POST', path: '/webhooks/stripe', fn: 'stripe-webhook', auth: 'none' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /webhooks/stripe',
      AuthorizationType: 'NONE',
    });
  });
});

describe('queues', () => {
  it('redrives to the dead-letter queue after QUEUES.maxReceiveCount receives', () => {
    expect(resources[logicalId(stack.refundQueue)]?.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stack.deadLetterQueue), 'Arn'] },
      maxReceiveCount: QUEUES.maxReceiveCount,
    });
    expect(QUEUES.maxReceiveCount).toBe(5);
  });

  it('keeps dead letters 14 days; both queues encrypted, retained and TLS-only', () => {
    expect(resources[logicalId(stack.deadLetterQueue)]?.Properties.MessageRetentionPeriod).toBe(
      14 * 24 * 3600,
    );
    for (const queue of [stack.refundQueue, stack.deadLetterQueue]) {
      const id = logicalId(queue);
      expect(resources[id]).toMatchObject({
        Properties: { SqsManagedSseEnabled: true },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('the visibility timeout is at least 6× the processor timeout (read from the template)', () => {
    const visibility = resources[logicalId(stack.refundQueue)]?.Properties.VisibilityTimeout as number;
    const processorTimeout = resources[fnId('refund-processor')]?.Properties.Timeout as number;
    expect(processorTimeout).toBeGreaterThan(0);
    expect(VISIBILITY_TIMEOUT_FACTOR).toBeGreaterThanOrEqual(6);
    expect(visibility).toBeGreaterThanOrEqual(6 * processorTimeout);
  });

  it('the processor reads batches of 10 with partial failures and a parameterised maximum concurrency', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties as Json);
    expect(mappings.map((m) => m.FunctionName.Ref).sort()).toEqual(
      [fnId('refund-processor'), fnId('purge-worker'), fnId('event-publisher')].sort(),
    );
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnId('refund-processor') },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.refundQueue), 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: { Ref: 'ProcessorMaxConcurrency' } },
    });
    template.hasParameter('ProcessorMaxConcurrency', {
      Type: 'Number',
      Default: CDK_CONTEXT.processorMaxConcurrency,
      MinValue: 2,
      MaxValue: 1000,
    });
    expect(CDK_CONTEXT.processorMaxConcurrency).toBe(5);
  });
});

describe('purge work queue', () => {
  it('is FIFO with deduplication and throughput per message group (one group per due shard)', () => {
    expect(resources[logicalId(stack.purgeQueue)]?.Properties).toMatchObject({
      FifoQueue: true,
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
      SqsManagedSseEnabled: true,
    });
    expect(resources[logicalId(stack.purgeDeadLetterQueue)]?.Properties).toMatchObject({
      FifoQueue: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
  });

  it('redrives a work item to its FIFO dead-letter queue after PURGE_QUEUES.maxReceiveCount receives; both retained and TLS-only', () => {
    expect(resources[logicalId(stack.purgeQueue)]?.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stack.purgeDeadLetterQueue), 'Arn'] },
      maxReceiveCount: PURGE_QUEUES.maxReceiveCount,
    });
    for (const queue of [stack.purgeQueue, stack.purgeDeadLetterQueue]) {
      const id = logicalId(queue);
      expect(resources[id]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('keeps a work item invisible for twice the worker timeout (read from the template)', () => {
    const visibility = resources[logicalId(stack.purgeQueue)]?.Properties.VisibilityTimeout as number;
    const workerTimeout = resources[fnId('purge-worker')]?.Properties.Timeout as number;
    expect(workerTimeout).toBe(FUNCTIONS['purge-worker'].timeoutSeconds);
    expect(visibility).toBe(PURGE_VISIBILITY_TIMEOUT_FACTOR * workerTimeout);
    expect(visibility).toBeGreaterThan(workerTimeout);
  });

  it('the worker takes one work item per invocation, with a parameterised maximum concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnId('purge-worker') },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.purgeQueue), 'Arn'] },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: { Ref: 'PurgeWorkerMaxConcurrency' } },
    });
    template.hasParameter('PurgeWorkerMaxConcurrency', {
      Type: 'Number',
      Default: CDK_CONTEXT.purgeWorkerMaxConcurrency,
      MinValue: 2,
      MaxValue: 1000,
    });
    expect(CDK_CONTEXT.purgeWorkerMaxConcurrency).toBeLessThanOrEqual(TABLE.dueShards);
  });

  it('the queue URL is an output', () => {
    template.hasOutput('PurgeQueueUrl', { Value: { Ref: logicalId(stack.purgeQueue) } });
  });
});

describe('domain events (stream → publisher → bus)', () => {
  const busArn = () => ({ 'Fn::GetAtt': [logicalId(stack.events.bus), 'Arn'] });
  const streamArn = () => ({ 'Fn::GetAtt': [logicalId(stack.table), 'StreamArn'] });

  it('the table streams new and old images', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  it('the publisher reads the stream in order, with partial failures, retries and an on-failure queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnId('event-publisher') },
      EventSourceArn: streamArn(),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: STREAM_READING.batchSize,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: STREAM_READING.retryAttempts,
      MaximumRecordAgeInSeconds: STREAM_READING.maxRecordAgeHours * 3600,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(stack.events.failures), 'Arn'] } },
      },
    });
  });

  it('the stream filter passes exactly the account items that carry events', () => {
    const mapping = ofType('AWS::Lambda::EventSourceMapping')
      .map(([, m]) => m.Properties as Json)
      .find((m) => m.FunctionName.Ref === fnId('event-publisher'));
    const patterns = ((mapping?.FilterCriteria.Filters ?? []) as Json[]).map((f) => JSON.parse(f.Pattern));
    expect(patterns).toEqual([
      {
        dynamodb: {
          Keys: {
            pk: { S: [{ prefix: 'ACCT#' }] },
            sk: { S: EVENT_SOURCE_PREFIXES.map((prefix) => ({ prefix })) },
          },
        },
      },
    ]);
    expect([...EVENT_SOURCE_PREFIXES].sort()).toEqual(['AUDIT#', 'INST#', 'LEDGER#', 'UORDER#']);
  });

  it('the publisher may put events on its bus and nothing else: no table item access', () => {
    const variables = resources[fnId('event-publisher')]?.Properties.Environment.Variables as Json;
    expect(variables.EVENT_BUS_NAME).toEqual({ Ref: logicalId(stack.events.bus) });
    expect(variables.TABLE_NAME).toBeUndefined();
    const put = statementsOf('event-publisher').filter((s) => asArray(s.Action).includes('events:PutEvents'));
    expect(put).toEqual([{ Action: 'events:PutEvents', Effect: 'Allow', Resource: busArn() }]);
    const dynamo = statementsOf('event-publisher').filter((s) =>
      asArray<string>(s.Action).some((a) => a.startsWith('dynamodb:')),
    );
    for (const statement of dynamo) expect(statement.Resource).toEqual(streamArn());
    expect(new Set(dynamo.flatMap((s) => asArray<string>(s.Action)))).toEqual(
      new Set([
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
      ]),
    );
    for (const name of NAMES.filter((n) => n !== 'event-publisher')) {
      expect(actionsOf(name).has('events:PutEvents'), name).toBe(false);
    }
  });

  it('a custom bus with an archive of every refund-service event', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: busArn(),
      EventPattern: { source: [EVENT_SOURCE] },
      RetentionDays: STREAM_READING.archiveRetentionDays,
    });
  });

  it('alarms on a batch given up on and on a publisher falling behind', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.events.failures), 'QueueName'] } },
      ],
      Threshold: 0,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId('event-publisher') } }],
      Statistic: 'Maximum',
      Threshold: STREAM_READING.iteratorAgeAlarmMinutes * 60_000,
    });
  });

  it('the on-failure queue is encrypted, TLS-only and retained', () => {
    const queue = Object.entries(resources).find(([id]) => id === logicalId(stack.events.failures))?.[1];
    expect(queue?.DeletionPolicy).toBe('Retain');
    expect(queue?.Properties.SqsManagedSseEnabled).toBe(true);
  });
});

describe('schedules', () => {
  it('runs the purger every minute (SPEC 3.5)', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId('purger'), 'Arn'] } })],
    });
  });

  it.each(['reconciler', 'submitted-reconciler', 'ops-sweeper'] as const)(
    'runs the %s every 5 minutes',
    (name) => {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(5 minutes)',
        State: 'ENABLED',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId(name), 'Arn'] } })],
      });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [fnId(name), 'Arn'] },
        Principal: 'events.amazonaws.com',
      });
    },
  );

  it('has no other schedule', () => {
    const schedules = ofType('AWS::Events::Rule').filter(([, r]) => r.Properties.ScheduleExpression);
    // And the journal's daily export (see paperwork below).
    expect(schedules).toHaveLength(5);
  });
});

describe('HTTP API', () => {
  it('has one route per ROUTES entry and nothing else', () => {
    const keys = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey as string);
    expect(keys.sort()).toEqual(ROUTES.map(routeKey).sort());
  });

  it.each(ROUTES.map((r) => [routeKey(r), r] as const))('%s: authorizer and function', (_key, route) => {
    const [, resource] =
      ofType('AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties.RouteKey === routeKey(route)) ?? [];
    expect(resource).toBeDefined();
    const props = resource?.Properties as Json;
    const jwtAuthorizer = (audience: string) =>
      ofType('AWS::ApiGatewayV2::Authorizer').find(
        ([, a]) =>
          a.Properties.AuthorizerType === 'JWT' && a.Properties.JwtConfiguration.Audience.Ref === audience,
      )?.[0];
    if (route.auth === 'public') {
      expect(props).toMatchObject({
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: jwtAuthorizer('JwtAudience') },
      });
      expect(props.AuthorizationScopes).toBeUndefined();
    } else if (route.auth === 'operator' || route.auth === 'approver') {
      // The back office's own authorizer (same issuer), and the route's scope: a customer token gets 403.
      expect(props).toMatchObject({
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: jwtAuthorizer('OpsJwtAudience') },
        AuthorizationScopes: [route.auth === 'approver' ? 'refunds/approver' : 'refunds/operator'],
      });
    } else if (route.auth === 'internal') {
      expect(props.AuthorizationType).toBe('AWS_IAM');
      expect(props.AuthorizerId).toBeUndefined();
    } else {
      // The Stripe webhook: no authorizer (the function verifies Stripe's signature).
      expect(props.AuthorizationType).toBe('NONE');
      expect(props.AuthorizerId).toBeUndefined();
    }
    // The route's integration invokes the route's function, with the 2.0 payload.
    const integrationId = (props.Target['Fn::Join'][1] as Json[])[1]?.Ref as string;
    expect(resources[integrationId]?.Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [fnId(route.fn), 'Arn'] },
      PayloadFormatVersion: '2.0',
    });
  });

  it('validates JWTs from the JwtIssuer and JwtAudience parameters (cdk.json defaults)', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 2);
    for (const audience of ['JwtAudience', 'OpsJwtAudience'])
      template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: { Issuer: { Ref: 'JwtIssuer' }, Audience: { Ref: audience } },
      });
    // The back office's audience defaults to the customers' (one app client can serve both).
    template.hasParameter('OpsJwtAudience', { Type: 'CommaDelimitedList', Default: CDK_CONTEXT.jwtAudience });
    template.hasParameter('FourEyesThresholds', { Type: 'String', Default: DEFAULT_FOUR_EYES_THRESHOLDS });
    template.hasParameter('ApprovalTtlHours', { Type: 'Number', Default: DEFAULT_APPROVAL_TTL_HOURS });
    template.hasParameter('JwtIssuer', { Type: 'String', Default: CDK_CONTEXT.jwtIssuer });
    template.hasParameter('JwtAudience', { Type: 'CommaDelimitedList', Default: CDK_CONTEXT.jwtAudience });
  });

  it('throttles the auto-deployed default stage and writes JSON access logs to a log group', () => {
    const stage = resources[logicalId(stack.stage)]?.Properties as Json;
    expect(stage).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: expect.any(Number),
        ThrottlingBurstLimit: expect.any(Number),
      },
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } },
    });
    const logGroupId = stage.AccessLogSettings.DestinationArn['Fn::GetAtt'][0] as string;
    expect(resources[logGroupId]?.Type).toBe('AWS::Logs::LogGroup');
    expect(resources[logGroupId]?.Properties.RetentionInDays).toBeGreaterThan(0);
    const format = JSON.parse(stage.AccessLogSettings.Format as string);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
    });
  });
});

describe('table', () => {
  it('is built from TABLE: keys, sparse GSIs, TTL', () => {
    const props = resources[logicalId(stack.table)]?.Properties as Json;
    expect(props.KeySchema).toEqual([
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ]);
    expect(props.GlobalSecondaryIndexes).toEqual(
      Object.values(TABLE.indexes).map((i) => ({
        IndexName: i.indexName,
        KeySchema: [
          { AttributeName: i.partitionKey, KeyType: 'HASH' },
          { AttributeName: i.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: projectionOf(i) },
      })),
    );
    expect(props.TimeToLiveSpecification).toEqual({ AttributeName: TABLE.ttlAttribute, Enabled: true });
    // The export's index holds keys only: settlement's updates of an order never write it.
    expect(props.GlobalSecondaryIndexes).toContainEqual({
      IndexName: 'created',
      KeySchema: [
        { AttributeName: 'createdPk', KeyType: 'HASH' },
        { AttributeName: 'createdSk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    });
  });

  it('serves the orders export on an IAM-authorized route of the read function', () => {
    const route = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::ApiGatewayV2::Route' &&
        r.Properties.RouteKey === 'GET /internal/unsubscribe-orders/export',
    );
    if (!route) throw new Error('no route GET /internal/unsubscribe-orders/export');
    expect(route.Properties).toMatchObject({ AuthorizationType: 'AWS_IAM' });
    const integrationId = (route.Properties.Target['Fn::Join'][1] as Json[])[1]?.Ref as string;
    expect(resources[integrationId]?.Properties.IntegrationUri).toEqual({
      'Fn::GetAtt': [fnId('reads'), 'Arn'],
    });
  });

  it('is on-demand, encrypted, point-in-time recoverable, deletion-protected and retained', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    const table = resources[logicalId(stack.table)] as Json;
    expect(table).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        Replicas: [
          {
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          },
        ],
      },
    });
  });
});

describe('alarms', () => {
  const topicRef = () => ({ Ref: logicalId(stack.alarmTopic) });
  const alarms = () => ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties as Json);

  it('every alarm notifies the topic on ALARM and OK', () => {
    // DLQ, SLA, API 5xx; errors and throttles per function; publish failures and iterator age;
    // purge DLQ, purge lag, purge throttling, due-index throttling; the back office's
    // NEEDS_ATTENTION for an hour and approval waiting over a day; a dead-letter queue per paperwork rule.
    const consumers = NAMES.filter((name) => FUNCTIONS[name].consumes?.length).length;
    expect(alarms().length).toBe(3 + 2 * NAMES.length + 2 + 4 + 2 + consumers);
    for (const alarm of alarms()) {
      expect(alarm.AlarmActions).toEqual([topicRef()]);
      expect(alarm.OKActions).toEqual([topicRef()]);
    }
  });

  it('fires when orders have needed attention for an hour, and when an approval has waited over a day', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: OPS_METRICS.namespace,
      MetricName: OPS_METRICS.needsAttention,
      Dimensions: [{ Name: 'service', Value: OPS_METRICS.service }],
      Statistic: 'Minimum',
      Period: 300,
      EvaluationPeriods: 12,
      DatapointsToAlarm: 12,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: OPS_METRICS.namespace,
      MetricName: OPS_METRICS.oldestApprovalAge,
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 24 * 3600,
    });
  });

  it('gives the back office its four-eyes settings from the parameters', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          FOUR_EYES_THRESHOLDS: { Ref: 'FourEyesThresholds' },
          APPROVAL_TTL_HOURS: { Ref: 'ApprovalTtlHours' },
        }),
      },
    });
  });

  it('fires on any message in the dead-letter queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.deadLetterQueue), 'QueueName'] } },
      ],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  });

  it.each(NAMES)('fires on errors and throttles of %s', (name) => {
    for (const metric of ['Errors', 'Throttles']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId(name) } }],
        Statistic: 'Sum',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
      });
    }
  });

  it('fires on SLA breaches the processor reports through Powertools Metrics', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: SLA_BREACH_METRIC.namespace,
      MetricName: SLA_BREACH_METRIC.metricName,
      Dimensions: [{ Name: 'service', Value: SLA_BREACH_METRIC.service }],
      Statistic: 'Sum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  });

  it('the SLA alarm names the processor metrics of shared/service.ts', () => {
    // That the processor emits exactly these is checked on its Powertools output (test/unit/settlement/handlers.test.ts).
    expect(SLA_BREACH_METRIC).toEqual({
      namespace: PROCESSOR_METRICS.namespace,
      metricName: PROCESSOR_METRICS.slaBreached,
      service: PROCESSOR_METRICS.service,
    });
  });

  it('fires when the oldest due purge is later than PurgeLagAlarmMinutes, or the purger reports nothing', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'lag / 60', ReturnData: true }),
        Match.objectLike({
          Id: 'lag',
          ReturnData: false,
          MetricStat: {
            Metric: {
              Namespace: PURGE_METRICS.namespace,
              MetricName: PURGE_METRICS.lag,
              Dimensions: [{ Name: 'service', Value: PURGE_METRICS.dispatcherService }],
            },
            Period: 60,
            Stat: 'Maximum',
          },
        }),
      ]),
      Threshold: { Ref: 'PurgeLagAlarmMinutes' },
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
    });
    template.hasParameter('PurgeLagAlarmMinutes', {
      Type: 'Number',
      Default: CDK_CONTEXT.purgeLagAlarmMinutes,
      MinValue: 1,
    });
  });

  it('fires when DynamoDB throttles the purge workers or writes to the due index', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: PURGE_METRICS.namespace,
      MetricName: PURGE_METRICS.throttled,
      Dimensions: [{ Name: 'service', Value: PURGE_METRICS.workerService }],
      Statistic: 'Sum',
      Threshold: 0,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/DynamoDB',
      MetricName: 'WriteThrottleEvents',
      Dimensions: Match.arrayWith([{ Name: 'GlobalSecondaryIndexName', Value: TABLE.indexes.due.indexName }]),
      Statistic: 'Sum',
      Threshold: 0,
    });
  });

  it('fires on any work item in the purge dead-letter queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.purgeDeadLetterQueue), 'QueueName'] } },
      ],
      Threshold: 0,
    });
  });

  it('fires on API 5xx', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: logicalId(stack.api) } }],
      Statistic: 'Sum',
    });
  });

  it('the topic is KMS-encrypted with a rotated key CloudWatch may use, and TLS-only', () => {
    const topic = resources[logicalId(stack.alarmTopic)]?.Properties as Json;
    const keyId = topic.KmsMasterKeyId['Fn::GetAtt'][0] as string;
    expect(resources[keyId]).toMatchObject({
      Type: 'AWS::KMS::Key',
      Properties: { EnableKeyRotation: true },
    });
    expect(resources[keyId]?.Properties.KeyPolicy.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        }),
      ]),
    );
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [topicRef()],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          // The topic policy replaces SNS's default one: CloudWatch must be allowed explicitly.
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: topicRef(),
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });
});

describe('outputs and settings', () => {
  it('outputs the API URL, table name, queue URLs and alarm topic', () => {
    for (const output of [
      'ApiUrl',
      'TableName',
      'RefundQueueUrl',
      'DeadLetterQueueUrl',
      'PurgeQueueUrl',
      'AlarmTopicArn',
    ]) {
      template.hasOutput(output, {});
    }
  });

  it('code defaults match cdk.json, so the app synthesizes the same without it', () => {
    expect(CDK_CONTEXT).toMatchObject(CONTEXT_DEFAULTS);
  });

  it.each([
    [{ processorMaxConcurrency: 1 }, /processorMaxConcurrency/],
    [{ processorMaxConcurrency: 2.5 }, /processorMaxConcurrency/],
    [{ purgeWorkerMaxConcurrency: 1 }, /purgeWorkerMaxConcurrency/],
    [{ purgeLagAlarmMinutes: 0 }, /purgeLagAlarmMinutes/],
    [{ jwtIssuer: 'http://insecure.example/' }, /jwtIssuer/],
    [{ jwtAudience: ' ' }, /jwtAudience/],
    [{ paymentProvider: 'paypal' }, /paymentProvider/],
    [{ stripeSecretName: '' }, /stripeSecretName/],
  ])('rejects bad context %j at synth', (context, message) => {
    // Settings are read before any function is bundled, so this is cheap.
    expect(() => createApp(new App({ context: { ...CDK_CONTEXT, ...context } }))).toThrow(message);
  });
});

describe('page-token keys', () => {
  const PAGE_TOKEN_FUNCTIONS = NAMES.filter((name) => FUNCTIONS[name].pageTokens);
  const secretId = () => logicalId(stack.pageTokenSecret);

  it('are a secret of the stack with a generated signing key {"id": "k1", "secret"}', () => {
    const secret = resources[secretId()];
    expect(secret?.Type).toBe('AWS::SecretsManager::Secret');
    expect(secret?.Properties.GenerateSecretString).toMatchObject({
      SecretStringTemplate: JSON.stringify({ id: 'k1' }),
      GenerateStringKey: 'secret',
      PasswordLength: 64,
      ExcludePunctuation: true,
    });
    expect(secret?.Properties.SecretString).toBeUndefined();
  });

  it('only the list functions (customer reads, back office) get PAGE_TOKEN_SECRET_NAME and read on that secret, and nothing else does', () => {
    expect([...PAGE_TOKEN_FUNCTIONS].sort()).toEqual(['ops', 'reads']);
    for (const name of NAMES) {
      const variables = resources[fnId(name)]?.Properties.Environment.Variables as Json;
      const grants = statementsOf(name).filter((s) => JSON.stringify(s.Resource).includes(secretId()));
      if (!FUNCTIONS[name].pageTokens) {
        expect(variables.PAGE_TOKEN_SECRET_NAME, name).toBeUndefined();
        expect(grants, name).toEqual([]);
        continue;
      }
      expect(variables.PAGE_TOKEN_SECRET_NAME, name).toEqual({ Ref: secretId() });
      expect(variables.PAGE_TOKEN_KEYS, name).toBeUndefined();
      expect(grants, name).toHaveLength(1);
      const [grant] = grants as [Json];
      expect(new Set(asArray(grant.Action))).toEqual(
        new Set(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']),
      );
      expect(grant.Resource).toEqual({ Ref: secretId() });
    }
  });
});

describe('cdk-nag', () => {
  it('AwsSolutions reports no unacknowledged finding', { timeout: 60_000 }, () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map(
        (r) => `${v.severity ?? ''} ${v.ruleName} at ${r.constructPath ?? r.resourceLogicalId}`,
      ),
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('the stack has no error or warning annotation', () => {
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('paperwork', () => {
  const bucketOf = (name: 'creditNotes' | 'journalExports') =>
    resources[logicalId(stack.paperwork.buckets[name])]?.Properties as Json;

  it.each(['creditNotes', 'journalExports'] as const)(
    'the %s bucket is private, encrypted, versioned, TLS-only and logged',
    (name) => {
      expect(bucketOf(name)).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LoggingConfiguration: { DestinationBucketName: { Ref: logicalId(stack.paperwork.logBucket) } },
      });
      expect(resources[logicalId(stack.paperwork.buckets[name])]?.DeletionPolicy).toBe('Retain');
    },
  );

  it('locks issued credit notes: Object Lock in GOVERNANCE mode, retained 10 years by default', () => {
    expect(bucketOf('creditNotes')).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 3653 } },
      },
    });
    expect(bucketOf('journalExports').ObjectLockEnabled).toBeUndefined();
  });

  it('issues credit notes on UnsubscribeOrderAccepted from the bus, retrying, with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalId(stack.events.bus) },
      EventPattern: { source: ['refund-service'], 'detail-type': ['UnsubscribeOrderAccepted'] },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [fnId('credit-notes'), 'Arn'] },
          RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 8 },
          DeadLetterConfig: { Arn: Match.anyValue() },
        }),
      ],
    });
  });

  it('gives each function only its objects: the issuer writes notes, the exporter the journal, the API reads them', () => {
    const s3Statements = (name: ServiceFunctionName) =>
      statementsOf(name).filter((s) => asArray<string>(s.Action).some((a) => a.startsWith('s3:')));
    const objects = (bucket: 'creditNotes' | 'journalExports', prefix: string) => ({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(stack.paperwork.buckets[bucket]), 'Arn'] }, prefix]],
    });
    const notes = objects('creditNotes', '/credit-notes/*');
    const journal = objects('journalExports', '/journal/*');
    expect(s3Statements('credit-notes')).toEqual([
      expect.objectContaining({ Action: ['s3:GetObject', 's3:PutObject'], Resource: notes }),
    ]);
    expect(s3Statements('journal-export')).toEqual([
      expect.objectContaining({ Action: ['s3:GetObject', 's3:PutObject'], Resource: journal }),
    ]);
    expect(s3Statements('notifier')).toEqual([
      expect.objectContaining({ Action: 's3:GetObject', Resource: notes }),
    ]);
    expect(s3Statements('paperwork')).toEqual([
      expect.objectContaining({ Action: 's3:GetObject', Resource: [notes, journal] }),
    ]);
    for (const name of NAMES.filter((n) => !FUNCTIONS[n].documents))
      expect(s3Statements(name), name).toEqual([]);
    // Nobody may delete, list or bypass the credit notes' lock.
    for (const name of NAMES)
      for (const action of actionsOf(name))
        expect(action, name).not.toMatch(/^s3:(Delete|List|BypassGovernance|PutBucket|PutObjectRetention)/);
  });

  it('posts the journal from the money facts on the bus, retrying, with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalId(stack.events.bus) },
      EventPattern: {
        source: ['refund-service'],
        'detail-type': [
          'UnsubscribeOrderAccepted',
          'RefundLineSettled',
          'AccountBalanceCredited',
          'AccountBalanceAdjusted',
        ],
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [fnId('journal'), 'Arn'] },
          RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 8 },
          DeadLetterConfig: { Arn: Match.anyValue() },
        }),
      ],
    });
    // The chart's defaults: no JOURNAL_ACCOUNTS unless context journalAccounts sets one.
    const variables = resources[fnId('journal')]?.Properties.Environment.Variables as Json;
    expect(variables.JOURNAL_ACCOUNTS).toBeUndefined();
  });

  it('exports the closed day at 00:30 UTC+8 (16:30 UTC) every day, to its bucket', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(30 16 * * ? *)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [fnId('journal-export'), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 2 },
        }),
      ],
    });
    const variables = resources[fnId('journal-export')]?.Properties.Environment.Variables as Json;
    expect(variables.JOURNAL_EXPORTS_BUCKET).toEqual({
      Ref: logicalId(stack.paperwork.buckets.journalExports),
    });
    // The journal's table access: items, no scan.
    expect(actionsOf('journal-export')).not.toContain('dynamodb:Scan');
  });

  it('tells the credit-note function its bucket and issuer (context issuer, else the documented defaults)', () => {
    const variables = resources[fnId('credit-notes')]?.Properties.Environment.Variables as Json;
    expect(variables).toMatchObject({
      CREDIT_NOTES_BUCKET: { Ref: logicalId(stack.paperwork.buckets.creditNotes) },
      ISSUER_ID: 'main',
      ISSUER_LEGAL_NAME: 'Example Cloud Ltd.',
      ISSUER_ADDRESS: '1 Harbour Road|Wan Chai, Hong Kong',
      ISSUER_TAX_ID: 'HK-00000000',
    });
  });
});

describe('customer emails', () => {
  it('the notifier receives the accepted, succeeded and balance-credit events', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['refund-service'],
        'detail-type': ['UnsubscribeOrderAccepted', 'UnsubscribeOrderSucceeded', 'AccountBalanceCredited'],
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId('notifier'), 'Arn'] } })],
    });
  });

  it('only the notifier may send, only from the configured sender, only through its identity', () => {
    const ses = (name: ServiceFunctionName) =>
      statementsOf(name).filter((s) => asArray<string>(s.Action).some((a) => a.startsWith('ses:')));
    for (const name of NAMES.filter((n) => n !== 'notifier')) expect(ses(name), name).toEqual([]);
    expect(ses('notifier')).toEqual([
      expect.objectContaining({
        Action: ['ses:SendEmail', 'ses:SendRawEmail'],
        Condition: { StringEquals: { 'ses:FromAddress': CDK_CONTEXT.mailFrom } },
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':ses:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':identity/example.com',
            ],
          ],
        },
      }),
    ]);
    const variables = resources[fnId('notifier')]?.Properties.Environment.Variables as Json;
    expect(variables).toMatchObject({ MAIL_FROM: CDK_CONTEXT.mailFrom, MAIL_TRANSPORT: 'ses' });
  });
});
