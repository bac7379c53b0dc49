/**
 * Paperwork (docs/paperwork.md): the private document buckets, the EventBridge rules that feed
 * the paperwork functions from the domain-event bus, and the settings those functions read.
 *
 * - Credit-note bucket: private (all public access blocked, TLS only, owner-enforced), SSE-S3,
 *   versioned, with S3 Object Lock in GOVERNANCE mode and a default retention (context
 *   `creditNoteRetentionYears`, default 10): an issued note cannot be overwritten or deleted by
 *   the service (its roles have no `s3:BypassGovernanceRetention`), while an administrator who
 *   is granted that permission still can (a test stack can be torn down; COMPLIANCE mode would
 *   forbid even that until the retention ends). Server access logs go to a log bucket.
 * - Journal-export bucket: private, SSE-S3, versioned (an export is reproducible byte for byte,
 *   so it needs no lock).
 * - Each function whose `consumes` lists event types gets a rule on the bus for those types
 *   (source `refund-service`), with Lambda's asynchronous retries, events kept up to 24 h, and
 *   a dead-letter queue (encrypted) that alarms.
 * - The journal's daily export runs at 00:30 UTC+8 (16:30 UTC), for the day that just closed.
 * - The journal's chart of accounts is context `journalAccounts` (role → {code, name}), checked
 *   at synth by the function's own parser; without it the functions use the documented defaults.
 */
import { Duration, RemovalPolicy, type Stack, Validations } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { type IEventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Grant, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  ObjectLockRetention,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { readChart } from '#shared/paperwork-config.ts';
import { EVENT_SOURCE } from '#shared/service.ts';
import {
  DOCUMENT_BUCKET_VARIABLES,
  DOCUMENT_PREFIXES,
  type DocumentBucket,
  FUNCTIONS,
  type ServiceFunctionName,
} from './functions.ts';
import type { ServiceFunction } from './service-function.ts';

/** The credit notes' issuer when cdk.json has no `issuer` context (replace it before a real deployment). */
export const ISSUER_DEFAULTS = {
  id: 'main',
  legalName: 'Example Cloud Ltd.',
  address: '1 Harbour Road|Wan Chai, Hong Kong',
  taxId: 'HK-00000000',
} as const;

export const PAPERWORK_DEFAULTS = {
  creditNoteRetentionYears: 10,
  /** The customer emails' sender: an address of an SES-verified identity (context `mailFrom`). */
  mailFrom: 'refunds@example.com',
} as const;

/** When the journal's export runs: 00:30 in the billing time zone (UTC+8), every day. */
export const JOURNAL_EXPORT_SCHEDULE = { hour: '16', minute: '30' } as const;

export interface PaperworkProps {
  functions: Record<ServiceFunctionName, ServiceFunction>;
  bus: IEventBus;
  alarmAction: IAlarmAction;
}

/** Context `issuer` ({id, legalName, address, taxId}), else the defaults; checked by the functions' own parser at synth. */
function issuerSettings(stack: Construct): Record<string, string> {
  const context = (stack.node.tryGetContext('issuer') ?? {}) as Partial<
    Record<keyof typeof ISSUER_DEFAULTS, unknown>
  >;
  const pick = (key: keyof typeof ISSUER_DEFAULTS) => {
    const value = context[key] ?? ISSUER_DEFAULTS[key];
    if (typeof value !== 'string' || value.trim() === '')
      throw new Error(`Context issuer.${key} must be a non-empty string`);
    return value.trim();
  };
  return {
    ISSUER_ID: pick('id'),
    ISSUER_LEGAL_NAME: pick('legalName'),
    ISSUER_ADDRESS: pick('address'),
    ISSUER_TAX_ID: pick('taxId'),
  };
}

/** Context `journalAccounts` as the functions' JOURNAL_ACCOUNTS, or undefined (the defaults). */
function chartSetting(stack: Construct): string | undefined {
  const context = stack.node.tryGetContext('journalAccounts') as unknown;
  if (context === undefined) return undefined;
  const value = typeof context === 'string' ? context : JSON.stringify(context);
  readChart({ JOURNAL_ACCOUNTS: value });
  return value;
}

export class Paperwork extends Construct {
  readonly buckets: Record<DocumentBucket, Bucket>;
  readonly logBucket: Bucket;
  readonly rules: Partial<Record<ServiceFunctionName, Rule>> = {};
  readonly deadLetterQueues: Partial<Record<ServiceFunctionName, Queue>> = {};
  readonly journalExportSchedule: Rule;

  constructor(scope: Stack, id: string, props: PaperworkProps) {
    super(scope, id);
    // S3 server access logs are allowed by the log bucket's policy, not by the deprecated ACL.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const years = Number(
      this.node.tryGetContext('creditNoteRetentionYears') ?? PAPERWORK_DEFAULTS.creditNoteRetentionYears,
    );
    if (!Number.isInteger(years) || years < 1 || years > 100)
      throw new Error(
        `Context creditNoteRetentionYears must be a whole number of years (1–100), got ${years}`,
      );

    this.logBucket = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the document buckets; logging it to itself would loop',
    });
    const privateBucket = (bucketId: string, extra: Partial<ConstructorParameters<typeof Bucket>[2]>) =>
      new Bucket(this, bucketId, {
        blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
        encryption: BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
        versioned: true,
        serverAccessLogsBucket: this.logBucket,
        serverAccessLogsPrefix: `${bucketId}/`,
        removalPolicy: RemovalPolicy.RETAIN,
        ...extra,
      });
    this.buckets = {
      creditNotes: privateBucket('CreditNotes', {
        objectLockEnabled: true,
        objectLockDefaultRetention: ObjectLockRetention.governance(Duration.days(Math.ceil(years * 365.25))),
      }),
      journalExports: privateBucket('JournalExports', {}),
    };

    const issuer = issuerSettings(scope);
    const chart = chartSetting(scope);
    for (const [name, def] of Object.entries(FUNCTIONS) as [
      ServiceFunctionName,
      (typeof FUNCTIONS)[ServiceFunctionName],
    ][]) {
      const fn = props.functions[name];
      for (const [bucket, access] of Object.entries(def.documents ?? {}) as [
        DocumentBucket,
        'read' | 'write',
      ][]) {
        fn.addEnvironment(DOCUMENT_BUCKET_VARIABLES[bucket], this.buckets[bucket].bucketName);
        // Objects only (no listing, no deletes, no bucket settings); writers may read back what they wrote.
        const objects = this.buckets[bucket].arnForObjects(`${DOCUMENT_PREFIXES[bucket]}*`);
        Grant.addToPrincipal({
          grantee: fn.function,
          actions: access === 'write' ? ['s3:PutObject', 's3:GetObject'] : ['s3:GetObject'],
          resourceArns: [objects],
        });
        const logicalId = scope.getLogicalId(this.buckets[bucket].node.defaultChild as CfnBucket);
        Validations.of(fn.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${DOCUMENT_PREFIXES[bucket]}*]`,
          reason: `Object-level access under the ${DOCUMENT_PREFIXES[bucket]} prefix of this one bucket (objects are named by number or day), no listing, no deletes`,
        });
      }
      if (def.issuer)
        for (const [variable, value] of Object.entries(issuer)) fn.addEnvironment(variable, value);
      if (def.sendsEmail) this.#bindMail(scope, fn);
      if (def.chart && chart !== undefined) fn.addEnvironment('JOURNAL_ACCOUNTS', chart);
      if (def.consumes && def.consumes.length > 0) this.#subscribe(name, fn, def.consumes, props);
    }

    // The handler takes the event's `time` as `now` and exports the UTC+8 day before it.
    this.journalExportSchedule = new Rule(this, 'JournalExportSchedule', {
      description: "Exports the closed day's journal (UTC+8) at 00:30 UTC+8 every day",
      schedule: Schedule.cron(JOURNAL_EXPORT_SCHEDULE),
      targets: [new LambdaFunction(props.functions['journal-export'].function, { retryAttempts: 2 })],
    });
  }

  /**
   * MAIL_FROM and SES v2 sending from that address only: `ses:SendEmail` (and `ses:SendRawEmail`,
   * which raw content may also be authorized as) on the sender's identity (its domain, context
   * `mailIdentity`, default the address's domain), with `ses:FromAddress` pinned to the sender.
   */
  #bindMail(stack: Stack, fn: ServiceFunction) {
    const from = String(this.node.tryGetContext('mailFrom') ?? PAPERWORK_DEFAULTS.mailFrom).trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(from))
      throw new Error(`Context mailFrom must be an e-mail address, got ${from}`);
    const identity = String(this.node.tryGetContext('mailIdentity') ?? from.split('@')[1]).trim();
    fn.addEnvironment('MAIL_FROM', from);
    fn.addEnvironment('MAIL_TRANSPORT', 'ses');
    fn.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity })],
        conditions: { StringEquals: { 'ses:FromAddress': from } },
      }),
    );
  }

  #subscribe(
    name: ServiceFunctionName,
    fn: ServiceFunction,
    types: readonly string[],
    props: PaperworkProps,
  ) {
    const id = name
      .split('-')
      .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
      .join('');
    const deadLetters = new Queue(this, `${id}DeadLetters`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of an EventBridge target; it alarms and is redriven by an operator',
    });
    this.deadLetterQueues[name] = deadLetters;
    this.rules[name] = new Rule(this, `${id}Rule`, {
      description: `${name}: ${types.join(', ')}`,
      eventBus: props.bus,
      eventPattern: { source: [EVENT_SOURCE], detailType: [...types] },
      targets: [
        new LambdaFunction(fn.function, {
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
          deadLetterQueue: deadLetters,
        }),
      ],
    });
    const alarm = new Alarm(this, `${id}DeadLettersAlarm`, {
      alarmDescription: `${name}: events could not be handled after the retries (redrive the dead-letter queue)`,
      metric: deadLetters.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: Stats.MAXIMUM,
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(props.alarmAction);
    alarm.addOkAction(props.alarmAction);
  }
}
