/**
 * The operators' back office in the stack: the four-eyes settings of the `ops` function, the
 * sweeper's schedule (expires approval requests, reports the queues) and the two alarms on
 * its metrics: orders have needed attention for an hour, an approval has waited over a day.
 * The `/ops` routes themselves are built with the others from `ROUTES` (refund-stack.ts), on
 * their own JWT authorizer with per-route scopes.
 */
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { OPS_METRICS } from '#shared/service.ts';
import type { ServiceFunction } from './service-function.ts';

/** The alarms' limits: NEEDS_ATTENTION non-empty for an hour; an approval waiting over a day. */
export const BACK_OFFICE_ALARMS = {
  sweepMinutes: 5,
  needsAttentionForMinutes: 60,
  approvalWaitSeconds: 24 * 60 * 60,
} as const;

export interface BackOfficeProps {
  ops: ServiceFunction;
  sweeper: ServiceFunction;
  alarmAction: IAlarmAction;
  /** CloudFormation values (parameters) of FOUR_EYES_THRESHOLDS and APPROVAL_TTL_HOURS. */
  fourEyesThresholds: string;
  approvalTtlHours: string;
}

export class BackOffice extends Construct {
  readonly needsAttentionAlarm: Alarm;
  readonly approvalWaitAlarm: Alarm;

  constructor(scope: Construct, id: string, props: BackOfficeProps) {
    super(scope, id);
    props.ops.addEnvironment('FOUR_EYES_THRESHOLDS', props.fourEyesThresholds);
    props.ops.addEnvironment('APPROVAL_TTL_HOURS', props.approvalTtlHours);

    new Rule(this, 'SweeperSchedule', {
      description: 'Expires due approval requests and reports the back office queues every 5 minutes',
      schedule: Schedule.rate(Duration.minutes(BACK_OFFICE_ALARMS.sweepMinutes)),
      targets: [new LambdaFunction(props.sweeper.function, { retryAttempts: 2 })],
    });

    const metric = (metricName: string) =>
      new Metric({
        namespace: OPS_METRICS.namespace,
        metricName,
        dimensionsMap: { service: OPS_METRICS.service },
        period: Duration.minutes(BACK_OFFICE_ALARMS.sweepMinutes),
        statistic: Stats.MINIMUM,
      });
    const periods = BACK_OFFICE_ALARMS.needsAttentionForMinutes / BACK_OFFICE_ALARMS.sweepMinutes;
    this.needsAttentionAlarm = new Alarm(this, 'NeedsAttentionAlarm', {
      alarmDescription:
        'Unsubscribe orders have been in NEEDS_ATTENTION for an hour: an operator should retry or resolve them (/ops/)',
      metric: metric(OPS_METRICS.needsAttention),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.approvalWaitAlarm = new Alarm(this, 'ApprovalWaitAlarm', {
      alarmDescription: 'An approval request has waited over a day for an approver (/ops/ approval inbox)',
      metric: metric(OPS_METRICS.oldestApprovalAge).with({ statistic: Stats.MAXIMUM }),
      threshold: BACK_OFFICE_ALARMS.approvalWaitSeconds,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.needsAttentionAlarm, this.approvalWaitAlarm]) {
      alarm.addAlarmAction(props.alarmAction);
      alarm.addOkAction(props.alarmAction);
    }
  }
}
