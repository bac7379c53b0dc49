/**
 * The service's names, shared by the functions and the CDK stack (plain constants, no
 * imports, so the stack reads them without loading any runtime code).
 */

/** Powertools' `service` of the logs (POWERTOOLS_SERVICE_NAME in the stack). */
export const SERVICE_NAME = 'refund-service';

/** CloudWatch namespace of the custom metrics (Powertools Metrics). */
export const METRICS_NAMESPACE = 'RefundService';

/**
 * The refund processor's metrics: Powertools adds the service name as the `service`
 * dimension, which the stack's SLA alarm names; the alarm watches `SlaBreached`.
 */
export const PROCESSOR_METRICS = {
  namespace: METRICS_NAMESPACE,
  service: 'refund-processor',
  slaBreached: 'SlaBreached',
} as const;

/**
 * The purger's metrics (Powertools adds the `service` dimension the stack's alarms name):
 * the dispatcher reports how late the oldest due purge is every minute; the workers report
 * the calls DynamoDB throttled (each made again after a wait) and the purges they completed.
 */
export const PURGE_METRICS = {
  namespace: METRICS_NAMESPACE,
  dispatcherService: 'purger',
  workerService: 'purge-worker',
  /** Seconds since the deadline of the oldest purge still due (0 when none is). */
  lag: 'PurgeLagSeconds',
  /** Calls DynamoDB throttled (slowed down and made again, not failed). */
  throttled: 'PurgeThrottledCalls',
  /** Purges recorded and their data deleted. */
  purged: 'PurgesCompleted',
  /** Purges left for a later run after an error. */
  failed: 'PurgesFailed',
} as const;

/** The `source` of every domain event on the bus (consumers' rules match on it). */
export const EVENT_SOURCE = 'refund-service';

/** The back office sweeper's metrics (`functions/ops-sweeper.ts`), which its alarms watch. */
export const OPS_METRICS = {
  namespace: METRICS_NAMESPACE,
  service: 'ops-sweeper',
  needsAttention: 'NeedsAttentionOrders',
  oldestApprovalAge: 'OldestPendingApprovalAgeSeconds',
  approvalsExpired: 'ApprovalRequestsExpired',
} as const;
