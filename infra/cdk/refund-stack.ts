/**
 * The whole refund service in one stack (SPEC 5): the single DynamoDB table, the refund
 * queue and its dead-letter queue, the purge work queue (FIFO) and its dead-letter queue, the functions of `FUNCTIONS`, the HTTP API built from
 * `ROUTES`, the schedules, the domain-event bus fed by the table's stream, and the alarms. Stateful resources (table, queues) are RETAIN and sit at
 * the top of the constructor.
 *
 * Deploy-time settings are CloudFormation parameters whose defaults come from cdk.json
 * context, so `cdk synth` needs no flags and `cdk deploy --parameters …` can change them
 * without a new synth: JwtIssuer, JwtAudience, ProcessorMaxConcurrency, PurgeWorkerMaxConcurrency,
 * PurgeLagAlarmMinutes, StripeCredentialsName, ConsoleClientId. The payment provider (`simulator` | `stripe`) is context `paymentProvider`.
 *
 * The customer console (web/) is served by CloudFront from a private bucket (`ConsoleHosting`)
 * and signs in by OIDC code + PKCE at the JwtIssuer as the public client ConsoleClientId.
 */
import {
  ArnFormat,
  CfnOutput,
  CfnParameter,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import {
  AttributeType,
  Billing,
  ProjectionType,
  StreamViewType,
  TableEncryptionV2,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { DeduplicationScope, FifoThroughputLimit, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { APPROVER_SCOPE, OPERATOR_SCOPE } from '#http/ops-routes.ts';
import { type FunctionName, ROUTES } from '#http/routes.ts';
import { PURGE_QUEUES, projectionOf, QUEUES, TABLE } from '#schema/table.ts';
import { parseHolidays } from '#shared/config.ts';
import {
  DEFAULT_APPROVAL_TTL_HOURS,
  DEFAULT_FOUR_EYES_THRESHOLDS,
  readOpsConfig,
} from '#shared/ops-config.ts';
import { PROCESSOR_METRICS, PURGE_METRICS } from '#shared/service.ts';
import { BackOffice } from './back-office.ts';
import { ConsoleHosting } from './console-hosting.ts';
import { DomainEvents } from './domain-events.ts';
import { FUNCTIONS, type PaymentProviderName, type ServiceFunctionName } from './functions.ts';
import { Paperwork } from './paperwork.ts';
import {
  bindPurgeWorkSender,
  bindRefundQueueSender,
  bindTable,
  ServiceFunction,
} from './service-function.ts';

/** Defaults when cdk.json has no context (kept in step with cdk.json). */
export const CONTEXT_DEFAULTS = {
  jwtIssuer: 'https://example.auth.local/',
  jwtAudience: 'refund-service',
  processorMaxConcurrency: 5,
  purgeWorkerMaxConcurrency: 16,
  purgeLagAlarmMinutes: 5,
  paymentProvider: 'simulator',
  stripeSecretName: 'refund-service/stripe',
  consoleClientId: 'refund-console',
  opsConsoleClientId: 'refund-ops-console',
  consoleConnectSources: '',
} as const;

/** Space-separated https origins (CSP host sources); CloudFormation checks the parameter with it too. */
export const CONNECT_SOURCES_PATTERN =
  '^(https://[A-Za-z0-9.-]+(:[0-9]+)?( +https://[A-Za-z0-9.-]+(:[0-9]+)?)*)?$';

export type { PaymentProviderName } from './functions.ts';

/** Lambda's event source mapping accepts a maximum concurrency of 2–1000. */
const MAX_CONCURRENCY_RANGE = { min: 2, max: 1000 } as const;

/**
 * The SLA-breach metric the refund processor emits with Powertools Metrics when an order
 * settles after its dueBy (`processorMetrics()` in functions/refund-processor.ts). Both sides
 * take the names from `PROCESSOR_METRICS` (shared/service.ts); Powertools adds the service
 * name as the `service` dimension, which the alarm names.
 */
export const SLA_BREACH_METRIC = {
  namespace: PROCESSOR_METRICS.namespace,
  metricName: PROCESSOR_METRICS.slaBreached,
  service: PROCESSOR_METRICS.service,
} as const;

/** Visibility timeout of the refund queue as a multiple of the processor's timeout (AWS guidance: ≥ 6×). */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/**
 * Visibility timeout of the purge work queue as a multiple of the worker's timeout. Lower than
 * the refund queue's: a FIFO message group (a shard) is blocked while its message is invisible,
 * and the worker never fails a work item (only a crash leaves one to come back).
 */
export const PURGE_VISIBILITY_TIMEOUT_FACTOR = 2;

/** One JSON line per request (HTTP API `$context` variables); no bodies, no tokens. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    latency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationStatus: '$context.integrationStatus',
    integrationError: '$context.integrationErrorMessage',
    error: '$context.error.message',
    authorizerError: '$context.authorizer.error',
    // The account (JWT `sub`) on public routes, the IAM caller on internal ones.
    sub: '$context.authorizer.claims.sub',
    caller: '$context.identity.userArn',
  }),
);

export interface RefundStackProps extends StackProps {
  /** Overrides context `jwtIssuer` (used as the JwtIssuer parameter's default). */
  jwtIssuer?: string;
  jwtAudience?: string;
  processorMaxConcurrency?: number;
  /** Default of the PurgeWorkerMaxConcurrency parameter; context `purgeWorkerMaxConcurrency`. */
  purgeWorkerMaxConcurrency?: number;
  /** Default of the PurgeLagAlarmMinutes parameter; context `purgeLagAlarmMinutes`. */
  purgeLagAlarmMinutes?: number;
  /** Comma-separated YYYY-MM-DD non-business days (UTC+8) for `dueBy`; context `holidays`. */
  holidays?: string;
  /** Subscribes this address to the alarm topic; context `alarmEmail`. */
  alarmEmail?: string;
  /** `simulator` (default) or `stripe`; context `paymentProvider`. */
  paymentProvider?: PaymentProviderName;
  /** Default of the StripeCredentialsName parameter; context `stripeSecretName`. */
  stripeSecretName?: string;
  /** Default of the ConsoleClientId parameter; context `consoleClientId`. */
  consoleClientId?: string;
  /** Default of the OpsConsoleClientId parameter; context `opsConsoleClientId`. */
  opsConsoleClientId?: string;
  /** Default of the ConsoleConnectSources parameter; context `consoleConnectSources`. */
  consoleConnectSources?: string;
  /** Default of the OpsJwtAudience parameter; context `opsJwtAudience` (else the JwtAudience). */
  opsJwtAudience?: string;
  /** Default of the FourEyesThresholds parameter; context `fourEyesThresholds`. */
  fourEyesThresholds?: string;
  /** Default of the ApprovalTtlHours parameter; context `approvalTtlHours`. */
  approvalTtlHours?: number;
}

/** CloudFormation's check of FourEyesThresholds (`CUR:minorUnits`, comma-separated). */
export const FOUR_EYES_PATTERN = '^([A-Z]{3}|\\*):[0-9]{1,15}(,([A-Z]{3}|\\*):[0-9]{1,15})*$';

export class RefundStack extends Stack {
  readonly table: TableV2;
  readonly refundQueue: Queue;
  readonly deadLetterQueue: Queue;
  readonly purgeQueue: Queue;
  readonly purgeDeadLetterQueue: Queue;
  readonly functions: Record<ServiceFunctionName, ServiceFunction>;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly alarmTopic: Topic;
  /** The HMAC keys of `nextToken` values, read by the list function. */
  readonly pageTokenSecret: Secret;
  readonly console: ConsoleHosting;
  readonly events: DomainEvents;
  readonly backOffice: BackOffice;
  readonly paperwork: Paperwork;

  constructor(scope: Construct, id: string, props: RefundStackProps = {}) {
    super(scope, id, props);
    const settings = readSettings(this, props);

    // ---- Stateful resources (RETAIN) -------------------------------------------------
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: TABLE.ttlAttribute,
      // The transactional outbox: the event publisher reads every committed change (DomainEvents).
      dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
      globalSecondaryIndexes: Object.values(TABLE.indexes).map((index) => ({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: projectionOf(index) === 'KEYS_ONLY' ? ProjectionType.KEYS_ONLY : ProjectionType.ALL,
      })),
    });

    this.deadLetterQueue = new Queue(this, 'RefundDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const processorDef = FUNCTIONS['refund-processor'];
    this.refundQueue = new Queue(this, 'RefundQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // A message must stay invisible while the processor (with retries of a batch) may still hold it.
      visibilityTimeout: Duration.seconds(processorDef.timeoutSeconds * VISIBILITY_TIMEOUT_FACTOR),
      // Outlives the 5 receives with backoff by far; unprocessable messages go to the DLQ, not expire.
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: QUEUES.maxReceiveCount },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // The purge work queue: FIFO, one message group per shard of the due index (one worker
    // per shard at a time); work items are re-derived from the index every minute, so a day
    // of retention is plenty.
    this.purgeDeadLetterQueue = new Queue(this, 'PurgeDeadLetterQueue', {
      fifo: true,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.purgeQueue = new Queue(this, 'PurgeQueue', {
      fifo: true,
      // Deduplication and throughput per message group: shards do not share a quota.
      deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
      fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(
        FUNCTIONS['purge-worker'].timeoutSeconds * PURGE_VISIBILITY_TIMEOUT_FACTOR,
      ),
      retentionPeriod: Duration.days(1),
      deadLetterQueue: { queue: this.purgeDeadLetterQueue, maxReceiveCount: PURGE_QUEUES.maxReceiveCount },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // ---- Functions ---------------------------------------------------------------------
    // Stripe's API key and webhook signing secret: JSON {"apiKey", "webhookSecret"}, created outside the stack.
    const stripeSecret = Secret.fromSecretNameV2(this, 'StripeSecret', settings.stripeSecretName);
    // The keys that sign nextToken values (shared/http/page-token-keys.ts): a generated signing
    // key `{"id": "k1", "secret": …}`; rotated by hand (docs/operations.md), with `previous` keys.
    this.pageTokenSecret = new Secret(this, 'PageTokenKeys', {
      description: 'Refund service: HMAC keys of list nextToken values ({"id", "secret", "previous"?})',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ id: 'k1' }),
        generateStringKey: 'secret',
        passwordLength: 64,
        excludePunctuation: true,
      },
      // Tokens live a day: a new stack's key replaces them without loss.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.pageTokenSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The keyring is rotated by adding a key and retiring the previous one after the tokens it signed expire (docs/operations.md); a rotation Lambda would replace the whole value and cut off tokens already issued',
    });
    const functions = {} as Record<ServiceFunctionName, ServiceFunction>;
    for (const [name, def] of Object.entries(FUNCTIONS) as [
      ServiceFunctionName,
      (typeof FUNCTIONS)[ServiceFunctionName],
    ][]) {
      const fn = new ServiceFunction(this, constructId(name), {
        entry: def.entry,
        description: def.description,
        timeout: Duration.seconds(def.timeoutSeconds),
        memorySize: def.memoryMb,
        environment: settings.holidays ? { HOLIDAYS: settings.holidays } : {},
        paymentProvider: settings.paymentProvider,
        pageTokens: def.pageTokens,
      });
      if (def.table !== 'stream') bindTable(fn, this.table, def.table, def.indexes);
      if (def.pageTokens) {
        // Read on the first paged request and every few minutes after (never logged).
        fn.addEnvironment('PAGE_TOKEN_SECRET_NAME', this.pageTokenSecret.secretArn);
        this.pageTokenSecret.grantRead(fn.role);
      }
      if (def.sendsRefunds) bindRefundQueueSender(fn, this.refundQueue);
      if (def.sendsPurgeWork) bindPurgeWorkSender(fn, this.purgeQueue);
      if (def.provider) {
        // The provider's credentials: this one secret only (read once at cold start, never logged).
        fn.addEnvironment('PAYMENT_PROVIDER', settings.paymentProvider);
        fn.addEnvironment('STRIPE_SECRET_NAME', settings.stripeSecretName);
        stripeSecret.grantRead(fn.role);
      }
      functions[name] = fn;
    }
    this.functions = functions;

    // The processor consumes the refund queue. Maximum concurrency caps how many batches
    // call the payment provider at once: the provider rate-limits refunds, and a burst of
    // unsubscriptions must queue up here rather than fail at the provider. Partial batch
    // responses: one failing message is retried alone, the others are deleted.
    // It also needs the queue's URL to space out retries (ChangeMessageVisibility, which the
    // event source's consume grant includes).
    functions['refund-processor'].addEnvironment('REFUND_QUEUE_URL', this.refundQueue.queueUrl);
    functions['refund-processor'].function.addEventSource(
      new SqsEventSource(this.refundQueue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: settings.processorMaxConcurrency,
      }),
    );

    // The purge workers consume the purge work queue, one work item (one shard) per
    // invocation. Maximum concurrency bounds how many shards are drained at once, i.e. the
    // DynamoDB capacity a burst of purges may take; FIFO caps it at the number of shards.
    functions['purge-worker'].function.addEventSource(
      new SqsEventSource(this.purgeQueue, {
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency: settings.purgeWorkerMaxConcurrency,
      }),
    );

    // ---- Schedules ---------------------------------------------------------------------
    // Purger (SPEC 3.5): every minute; the handler uses the event's `time` as `now`.
    new Rule(this, 'PurgerSchedule', {
      description: 'Dispatches the due retention purges every minute',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(functions.purger.function, { retryAttempts: 2 })],
    });
    // Reconciler (SPEC 3.3): re-enqueues PENDING orders older than 5 minutes.
    new Rule(this, 'ReconcilerSchedule', {
      description: 'Re-enqueues stranded PENDING unsubscribe orders every 5 minutes',
      schedule: Schedule.rate(Duration.minutes(5)),
      targets: [new LambdaFunction(functions.reconciler.function, { retryAttempts: 2 })],
    });

    // Submitted-refund reconciler: asks Stripe about refunds still SUBMITTED after
    // STRIPE_SUBMITTED_RECONCILE_AFTER (a lost webhook); a no-op with the simulator.
    new Rule(this, 'SubmittedReconcilerSchedule', {
      description: 'Retrieves SUBMITTED refunds with no final answer from the provider every 5 minutes',
      schedule: Schedule.rate(Duration.minutes(5)),
      targets: [new LambdaFunction(functions['submitted-reconciler'].function, { retryAttempts: 2 })],
    });

    // ---- HTTP API ----------------------------------------------------------------------
    this.api = new HttpApi(this, 'Api', {
      description: 'Refund service: self-service unsubscription and refunds',
      createDefaultStage: false,
      // The console calls the API from its CloudFront origin. Any origin may: the API takes a
      // bearer token the browser never attaches by itself (no cookies, no credentials mode),
      // and naming the distribution here would make a cycle (its CSP names the API).
      corsPreflight: {
        allowOrigins: ['*'],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST],
        allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        maxAge: Duration.hours(1),
      },
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: RetentionDays.ONE_YEAR,
      // Who called which route when: kept after the stack is gone.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 100, burstLimit: 200 },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });

    const jwt = new HttpJwtAuthorizer('JwtAuthorizer', settings.jwtIssuer, {
      jwtAudience: settings.jwtAudience,
    });
    // The back office: the same issuer, its own audience, and each /ops route's scope.
    const opsJwt = new HttpJwtAuthorizer('OpsJwtAuthorizer', settings.jwtIssuer, {
      jwtAudience: settings.opsJwtAudience,
    });
    const iam = new HttpIamAuthorizer();
    // The Stripe webhook has no authorizer: the function verifies Stripe's signature.
    const none = new HttpNoneAuthorizer();
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const route of ROUTES) {
      let integration = integrations.get(route.fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(
          `${constructId(route.fn)}Integration`,
          functions[route.fn].function,
        );
        integrations.set(route.fn, integration);
      }
      const added = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        authorizer:
          route.auth === 'public'
            ? jwt
            : route.auth === 'internal'
              ? iam
              : route.auth === 'none'
                ? none
                : opsJwt,
        // API Gateway needs one of these in the token; the function checks both of an approver's.
        ...(route.auth === 'operator' || route.auth === 'approver'
          ? { authorizationScopes: [route.auth === 'approver' ? APPROVER_SCOPE : OPERATOR_SCOPE] }
          : {}),
      });
      if (route.auth === 'none') {
        for (const r of added) {
          Validations.of(r).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason:
              'Stripe cannot present a JWT or SigV4: the webhook function verifies the Stripe-Signature HMAC over the raw body (with a tolerance window) and answers 400 otherwise',
          });
        }
      }
    }

    // ---- Customer console ---------------------------------------------------------------
    this.console = new ConsoleHosting(this, 'Console', {
      apiEndpoint: this.api.apiEndpoint,
      issuer: settings.jwtIssuer,
      clientId: settings.consoleClientId,
      opsClientId: settings.opsConsoleClientId,
      connectSources: settings.consoleConnectSources,
    });

    // ---- Alarms ------------------------------------------------------------------------
    // CloudWatch can only publish to an encrypted topic with a customer managed key whose
    // policy lets the cloudwatch service use it (the AWS managed SNS key does not).
    const topicKey = new Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the refund service alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    topicKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'Refund service alarms',
      masterKey: topicKey,
      enforceSSL: true,
    });
    // enforceSSL gives the topic a resource policy, which replaces SNS's default one: without
    // this statement CloudWatch would be denied sns:Publish ("no resource-based policy allows").
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': this.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (settings.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(settings.alarmEmail));
    const action = new SnsAction(this.alarmTopic);
    const alarm = (id: string, metric: IMetric, description: string) => {
      const a = new Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(action);
      a.addOkAction(action);
      return a;
    };

    alarm(
      'DeadLetterQueueAlarm',
      this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: Stats.MAXIMUM,
      }),
      'Refund messages are in the dead-letter queue: orders NEEDS_ATTENTION; fix the cause, then redrive',
    );
    for (const [name, fn] of Object.entries(functions)) {
      const id = constructId(name);
      alarm(
        `${id}ErrorsAlarm`,
        fn.function.metricErrors({ period: Duration.minutes(5), statistic: Stats.SUM }),
        `${name}: invocations failed`,
      );
      alarm(
        `${id}ThrottlesAlarm`,
        fn.function.metricThrottles({ period: Duration.minutes(5), statistic: Stats.SUM }),
        `${name}: invocations throttled`,
      );
    }
    alarm(
      'PurgeDeadLetterQueueAlarm',
      this.purgeDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: Stats.MAXIMUM,
      }),
      'A purge worker crashed on the same work item repeatedly: look at its logs; the dispatcher keeps sending the shard',
    );
    // Purge lag: the oldest due purge, reported by the purger every minute. No data means
    // the purger is not running, which is a lag too.
    const lagAlarm = new Alarm(this, 'PurgeLagAlarm', {
      alarmDescription:
        'A retention purge has been due for longer than PurgeLagAlarmMinutes: the workers are not keeping up (throttling, concurrency, failures)',
      metric: new MathExpression({
        expression: 'lag / 60',
        label: 'Oldest due purge, minutes late',
        usingMetrics: {
          lag: new Metric({
            namespace: PURGE_METRICS.namespace,
            metricName: PURGE_METRICS.lag,
            dimensionsMap: { service: PURGE_METRICS.dispatcherService },
            period: Duration.minutes(1),
            statistic: Stats.MAXIMUM,
          }),
        },
        period: Duration.minutes(1),
      }),
      threshold: settings.purgeLagAlarmMinutes,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: TreatMissingData.BREACHING,
    });
    lagAlarm.addAlarmAction(action);
    lagAlarm.addOkAction(action);
    alarm(
      'PurgeThrottlingAlarm',
      new Metric({
        namespace: PURGE_METRICS.namespace,
        metricName: PURGE_METRICS.throttled,
        dimensionsMap: { service: PURGE_METRICS.workerService },
        period: Duration.minutes(5),
        statistic: Stats.SUM,
      }),
      'DynamoDB throttled purge workers (they slow down and retry): the table or an index partition is at its capacity',
    );
    alarm(
      'DueIndexThrottlingAlarm',
      new Metric({
        namespace: 'AWS/DynamoDB',
        metricName: 'WriteThrottleEvents',
        dimensionsMap: {
          TableName: this.table.tableName,
          GlobalSecondaryIndexName: TABLE.indexes.due.indexName,
        },
        period: Duration.minutes(5),
        statistic: Stats.SUM,
      }),
      'Writes to the due index were throttled (an index partition over 1,000 WCU/s): unsubscriptions and purges slow down; add due shards',
    );
    alarm(
      'SlaBreachedAlarm',
      new Metric({
        namespace: SLA_BREACH_METRIC.namespace,
        metricName: SLA_BREACH_METRIC.metricName,
        dimensionsMap: { service: SLA_BREACH_METRIC.service },
        period: Duration.minutes(5),
        statistic: Stats.SUM,
      }),
      'A refund settled after its dueBy (SLA breach)',
    );
    this.backOffice = new BackOffice(this, 'BackOffice', {
      ops: functions.ops,
      sweeper: functions['ops-sweeper'],
      alarmAction: action,
      fourEyesThresholds: settings.fourEyesThresholds,
      approvalTtlHours: settings.approvalTtlHours,
    });
    this.events = new DomainEvents(this, 'DomainEvents', {
      table: this.table,
      publisher: functions['event-publisher'],
      alarmAction: action,
    });
    // Credit notes, customer emails, the journal: document buckets and the rules that feed them.
    this.paperwork = new Paperwork(this, 'PaperworkResources', {
      functions,
      bus: this.events.bus,
      alarmAction: action,
    });
    alarm(
      'Api5xxAlarm',
      this.api.metricServerError({ period: Duration.minutes(5), statistic: Stats.SUM }),
      'The HTTP API answered 5xx',
    );

    // ---- Outputs -----------------------------------------------------------------------
    new CfnOutput(this, 'ApiUrl', { value: this.stage.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'RefundQueueUrl', { value: this.refundQueue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'PurgeQueueUrl', { value: this.purgeQueue.queueUrl });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    new CfnOutput(this, 'ConsoleUrl', {
      value: this.console.url,
      description: 'The customer console (register it as the redirect URI of ConsoleClientId)',
    });
    new CfnOutput(this, 'OpsConsoleUrl', {
      value: this.console.opsUrl,
      description: 'The operator console (register it as the redirect URI of OpsConsoleClientId)',
    });
    new CfnOutput(this, 'EventBusName', {
      value: this.events.bus.eventBusName,
      description: 'Domain events (source refund-service); consumers de-duplicate by detail.id',
    });
  }
}

interface Settings {
  jwtIssuer: string;
  jwtAudience: string[];
  opsJwtAudience: string[];
  fourEyesThresholds: string;
  approvalTtlHours: string;
  processorMaxConcurrency: number;
  purgeWorkerMaxConcurrency: number;
  purgeLagAlarmMinutes: number;
  holidays: string;
  alarmEmail: string | undefined;
  paymentProvider: PaymentProviderName;
  stripeSecretName: string;
  consoleClientId: string;
  opsConsoleClientId: string;
  consoleConnectSources: string;
}

/** Props, else cdk.json context, else the defaults; the first three become parameter defaults. */
function readSettings(stack: Stack, props: RefundStackProps): Settings {
  const context = (key: string): unknown => stack.node.tryGetContext(key);
  const text = (value: unknown, name: string): string => {
    if (typeof value !== 'string' || value.trim() === '')
      throw new Error(`Context ${name} must be a non-empty string`);
    return value.trim();
  };

  const issuer = text(props.jwtIssuer ?? context('jwtIssuer') ?? CONTEXT_DEFAULTS.jwtIssuer, 'jwtIssuer');
  if (!issuer.startsWith('https://'))
    throw new Error(`Context jwtIssuer must be an https URL, got ${issuer}`);
  const audience = text(
    props.jwtAudience ?? context('jwtAudience') ?? CONTEXT_DEFAULTS.jwtAudience,
    'jwtAudience',
  );
  const concurrency = Number(
    props.processorMaxConcurrency ??
      context('processorMaxConcurrency') ??
      CONTEXT_DEFAULTS.processorMaxConcurrency,
  );
  if (
    !Number.isInteger(concurrency) ||
    concurrency < MAX_CONCURRENCY_RANGE.min ||
    concurrency > MAX_CONCURRENCY_RANGE.max
  ) {
    throw new Error(
      `Context processorMaxConcurrency must be an integer in [${MAX_CONCURRENCY_RANGE.min}, ${MAX_CONCURRENCY_RANGE.max}], got ${concurrency}`,
    );
  }

  const purgeConcurrency = Number(
    props.purgeWorkerMaxConcurrency ??
      context('purgeWorkerMaxConcurrency') ??
      CONTEXT_DEFAULTS.purgeWorkerMaxConcurrency,
  );
  if (
    !Number.isInteger(purgeConcurrency) ||
    purgeConcurrency < MAX_CONCURRENCY_RANGE.min ||
    purgeConcurrency > MAX_CONCURRENCY_RANGE.max
  ) {
    throw new Error(
      `Context purgeWorkerMaxConcurrency must be an integer in [${MAX_CONCURRENCY_RANGE.min}, ${MAX_CONCURRENCY_RANGE.max}], got ${purgeConcurrency}`,
    );
  }
  const lagMinutes = Number(
    props.purgeLagAlarmMinutes ?? context('purgeLagAlarmMinutes') ?? CONTEXT_DEFAULTS.purgeLagAlarmMinutes,
  );
  if (!Number.isInteger(lagMinutes) || lagMinutes < 1 || lagMinutes > 1440) {
    throw new Error(`Context purgeLagAlarmMinutes must be an integer in [1, 1440], got ${lagMinutes}`);
  }

  const issuerParam = new CfnParameter(stack, 'JwtIssuer', {
    type: 'String',
    default: issuer,
    allowedPattern: '^https://.+',
    description: 'Issuer (iss) of the JWTs accepted on public routes; context jwtIssuer',
  });
  const audienceParam = new CfnParameter(stack, 'JwtAudience', {
    type: 'CommaDelimitedList',
    default: audience,
    description: 'Accepted audiences (aud) of those JWTs, comma-separated; context jwtAudience',
  });
  const opsAudienceParam = new CfnParameter(stack, 'OpsJwtAudience', {
    type: 'CommaDelimitedList',
    default: text(props.opsJwtAudience ?? context('opsJwtAudience') ?? audience, 'opsJwtAudience'),
    description:
      'Accepted audiences (aud) of operator tokens on /ops routes (same JwtIssuer; scopes refunds/operator, refunds/approver); context opsJwtAudience, default JwtAudience',
  });
  const thresholds = text(
    props.fourEyesThresholds ?? context('fourEyesThresholds') ?? DEFAULT_FOUR_EYES_THRESHOLDS,
    'fourEyesThresholds',
  );
  // The function refuses to start with a malformed value; refuse the synth first.
  readOpsConfig({ FOUR_EYES_THRESHOLDS: thresholds });
  const thresholdsParam = new CfnParameter(stack, 'FourEyesThresholds', {
    type: 'String',
    default: thresholds,
    allowedPattern: FOUR_EYES_PATTERN,
    description:
      'Per currency, the amount (minor units) above which a manual resolution or balance adjustment needs a second person (e.g. USD:10000,EUR:10000; *:N for every other currency, which otherwise always needs one); context fourEyesThresholds',
  });
  const ttlParam = new CfnParameter(stack, 'ApprovalTtlHours', {
    type: 'Number',
    default: Number(props.approvalTtlHours ?? context('approvalTtlHours') ?? DEFAULT_APPROVAL_TTL_HOURS),
    minValue: 1,
    maxValue: 720,
    description:
      'Hours an approval request waits for an approver before it expires; context approvalTtlHours',
  });
  const concurrencyParam = new CfnParameter(stack, 'ProcessorMaxConcurrency', {
    type: 'Number',
    default: concurrency,
    minValue: MAX_CONCURRENCY_RANGE.min,
    maxValue: MAX_CONCURRENCY_RANGE.max,
    description:
      "Maximum concurrent refund-processor invocations (the payment provider's rate limit); context processorMaxConcurrency",
  });

  const purgeConcurrencyParam = new CfnParameter(stack, 'PurgeWorkerMaxConcurrency', {
    type: 'Number',
    default: purgeConcurrency,
    minValue: MAX_CONCURRENCY_RANGE.min,
    maxValue: MAX_CONCURRENCY_RANGE.max,
    description: `Maximum concurrent purge workers, i.e. shards of the due index drained at once (at most ${TABLE.dueShards} run: one per shard); context purgeWorkerMaxConcurrency`,
  });
  const lagParam = new CfnParameter(stack, 'PurgeLagAlarmMinutes', {
    type: 'Number',
    default: lagMinutes,
    minValue: 1,
    maxValue: 1440,
    description:
      'Alarm when the oldest due retention purge is later than this many minutes; context purgeLagAlarmMinutes',
  });

  const provider = props.paymentProvider ?? context('paymentProvider') ?? CONTEXT_DEFAULTS.paymentProvider;
  if (provider !== 'simulator' && provider !== 'stripe') {
    throw new Error(`Context paymentProvider must be simulator or stripe, got ${String(provider)}`);
  }
  const secretParam = new CfnParameter(stack, 'StripeCredentialsName', {
    type: 'String',
    default: text(
      props.stripeSecretName ?? context('stripeSecretName') ?? CONTEXT_DEFAULTS.stripeSecretName,
      'stripeSecretName',
    ),
    allowedPattern: '^[A-Za-z0-9/_+=.@-]{1,512}$',
    description:
      'Name of the Secrets Manager secret with Stripe\'s {"apiKey", "webhookSecret"}; context stripeSecretName',
  });

  const clientIdParam = new CfnParameter(stack, 'ConsoleClientId', {
    type: 'String',
    default: text(
      props.consoleClientId ?? context('consoleClientId') ?? CONTEXT_DEFAULTS.consoleClientId,
      'consoleClientId',
    ),
    allowedPattern: '^[\\x21-\\x7E]{1,256}$',
    description:
      "The console's public OIDC client (code + PKCE, no secret) at the JwtIssuer; context consoleClientId",
  });

  const opsClientIdParam = new CfnParameter(stack, 'OpsConsoleClientId', {
    type: 'String',
    default: text(
      props.opsConsoleClientId ?? context('opsConsoleClientId') ?? CONTEXT_DEFAULTS.opsConsoleClientId,
      'opsConsoleClientId',
    ),
    allowedPattern: '^[\\x21-\\x7E]{1,256}$',
    description:
      "The operator console's public OIDC client (code + PKCE) at the JwtIssuer, for staff only: it asks for the scopes refunds/operator and refunds/approver; context opsConsoleClientId",
  });

  const connectSources = String(
    props.consoleConnectSources ?? context('consoleConnectSources') ?? CONTEXT_DEFAULTS.consoleConnectSources,
  ).trim();
  if (!new RegExp(CONNECT_SOURCES_PATTERN).test(connectSources)) {
    throw new Error(
      `Context consoleConnectSources must be space-separated https origins, got ${connectSources}`,
    );
  }
  const connectSourcesParam = new CfnParameter(stack, 'ConsoleConnectSources', {
    type: 'String',
    default: connectSources,
    allowedPattern: CONNECT_SOURCES_PATTERN,
    description:
      "More origins the console may fetch from besides the API and the JwtIssuer's, space-separated (e.g. Cognito's hosted-UI domain, where its token endpoint is); context consoleConnectSources",
  });

  const holidays = props.holidays ?? context('holidays') ?? '';
  // The functions refuse to start with a malformed HOLIDAYS; refuse the synth first.
  if (typeof holidays === 'string') parseHolidays(holidays);
  const alarmEmail = props.alarmEmail ?? context('alarmEmail');
  return {
    jwtIssuer: issuerParam.valueAsString,
    jwtAudience: audienceParam.valueAsList,
    opsJwtAudience: opsAudienceParam.valueAsList,
    fourEyesThresholds: thresholdsParam.valueAsString,
    approvalTtlHours: ttlParam.valueAsString,
    processorMaxConcurrency: concurrencyParam.valueAsNumber,
    purgeWorkerMaxConcurrency: purgeConcurrencyParam.valueAsNumber,
    purgeLagAlarmMinutes: lagParam.valueAsNumber,
    holidays: typeof holidays === 'string' ? holidays.trim() : '',
    alarmEmail: typeof alarmEmail === 'string' && alarmEmail.trim() ? alarmEmail.trim() : undefined,
    paymentProvider: provider,
    stripeSecretName: secretParam.valueAsString,
    consoleClientId: clientIdParam.valueAsString,
    opsConsoleClientId: opsClientIdParam.valueAsString,
    consoleConnectSources: connectSourcesParam.valueAsString,
  };
}

/** `refund-processor` → `RefundProcessor`. */
export function constructId(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
