/**
 * Domain events from the transactional outbox (docs/events.md): the table's stream
 * (NEW_AND_OLD_IMAGES) feeds the event publisher, which puts each committed fact on a custom
 * EventBridge bus. The bus keeps an archive of every event for replay; a batch the publisher
 * cannot publish after its retries is recorded in an on-failure queue, which alarms, as does
 * a stream the publisher falls behind on.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  type IMetric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type Archive, EventBus } from 'aws-cdk-lib/aws-events';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_SOURCE_PREFIXES } from '#shared/events/derive.ts';
import { EVENT_SOURCE } from '#shared/service.ts';
import { STREAM_READING } from './functions.ts';
import type { ServiceFunction } from './service-function.ts';

export interface DomainEventsProps {
  /** Must have a NEW_AND_OLD_IMAGES stream. */
  table: TableV2;
  publisher: ServiceFunction;
  alarmAction: IAlarmAction;
}

export class DomainEvents extends Construct {
  readonly bus: EventBus;
  readonly archive: Archive;
  readonly failures: Queue;

  constructor(scope: Construct, id: string, props: DomainEventsProps) {
    super(scope, id);
    const { table, publisher } = props;

    this.bus = new EventBus(this, 'Bus', {
      description: `Domain events of the refund service (source ${EVENT_SOURCE})`,
    });
    this.archive = this.bus.archive('Archive', {
      description: 'Every domain event, for replay to a new or recovering consumer',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(STREAM_READING.archiveRetentionDays),
    });

    // What Lambda sends after the retries: the shard and sequence-number range of the batch
    // (not the records), so an operator can re-read them from the stream (24 h) or the table.
    this.failures = new Queue(this, 'PublishFailures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the failure destination of the stream mapping; nothing consumes it automatically, so a dead-letter queue of its own would never receive anything',
    });

    publisher.addEnvironment('EVENT_BUS_NAME', this.bus.eventBusName);
    // events:PutEvents on this bus only.
    this.bus.grantPutEventsTo(publisher.function);

    publisher.function.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: STREAM_READING.batchSize,
        // One batch per shard at a time: an item's changes are published in commit order.
        parallelizationFactor: 1,
        reportBatchItemFailures: true,
        retryAttempts: STREAM_READING.retryAttempts,
        maxRecordAge: Duration.hours(STREAM_READING.maxRecordAgeHours),
        onFailure: new SqsDlq(this.failures),
        // Only the items that can carry events (the same prefixes `eventsFromChange` reads).
        filters: [
          FilterCriteria.filter({
            dynamodb: {
              Keys: {
                pk: { S: FilterRule.beginsWith('ACCT#') },
                sk: { S: EVENT_SOURCE_PREFIXES.flatMap((prefix) => FilterRule.beginsWith(prefix)) },
              },
            },
          }),
        ],
      }),
    );

    const alarm = (alarmId: string, metric: IMetric, threshold: number, description: string) => {
      const a = new Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(props.alarmAction);
      a.addOkAction(props.alarmAction);
    };
    alarm(
      'PublishFailuresAlarm',
      this.failures.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: Stats.MAXIMUM,
      }),
      0,
      'Domain events could not be published after the retries: re-read the recorded stream range and publish it',
    );
    alarm(
      'IteratorAgeAlarm',
      publisher.function.metric('IteratorAge', { period: Duration.minutes(1), statistic: Stats.MAXIMUM }),
      STREAM_READING.iteratorAgeAlarmMinutes * 60_000,
      'The event publisher is falling behind the table stream (events are delayed)',
    );
  }
}
