/**
 * The back office's sweeper (every 5 minutes): expires approval requests past their
 * `expiresAt` (each with the system's audit record) and reports the queues as metrics the
 * alarms watch: `NeedsAttentionOrders` (an order has waited for a person) and
 * `OldestPendingApprovalAgeSeconds` (an approval has waited too long).
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { DynamoOps } from '#adapters/dynamo/ops.ts';
import { readConfig } from '#shared/config.ts';
import { newTimedId } from '#shared/ids.ts';
import { logger } from '#shared/logger.ts';
import { OPS_METRICS } from '#shared/service.ts';
import { tableRef } from '#shared/wiring.ts';
import { expireApprovals, type SweeperDeps } from '#use-cases/ops/approvals.ts';

export interface SweeperMetrics {
  addMetric(name: string, unit: Parameters<Metrics['addMetric']>[1], value: number): unknown;
  publishStoredMetrics(): void;
}

export interface SweepSummary {
  expired: number;
  pendingApprovals: number;
  oldestPendingApprovalAgeSeconds: number;
  needsAttention: number;
}

export function createSweeperHandler(deps: SweeperDeps, metrics: SweeperMetrics) {
  return async (event: Pick<ScheduledEvent, 'time' | 'id'>, context?: Context): Promise<SweepSummary> => {
    const now = Date.parse(event.time);
    const requestId = context?.awsRequestId ?? event.id;
    const approvals = await expireApprovals(deps, now, requestId);
    const needsAttention = await deps.reader.countQueue('ATTENTION');
    const summary: SweepSummary = {
      expired: approvals.expired,
      pendingApprovals: approvals.pending,
      oldestPendingApprovalAgeSeconds: Math.floor(approvals.oldestPendingAgeMs / 1000),
      needsAttention,
    };
    metrics.addMetric(OPS_METRICS.needsAttention, MetricUnit.Count, needsAttention);
    metrics.addMetric(
      OPS_METRICS.oldestApprovalAge,
      MetricUnit.Seconds,
      summary.oldestPendingApprovalAgeSeconds,
    );
    metrics.addMetric(OPS_METRICS.approvalsExpired, MetricUnit.Count, approvals.expired);
    metrics.publishStoredMetrics();
    logger.info('back office sweep', { ...summary });
    return summary;
  };
}

const ops = new DynamoOps(tableRef(readConfig()));
export const handler = createSweeperHandler(
  { reader: ops, writer: ops, newId: newTimedId },
  new Metrics({ namespace: OPS_METRICS.namespace, serviceName: OPS_METRICS.service }),
);
