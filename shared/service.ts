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

/** The `source` of every domain event on the bus (consumers' rules match on it). */
export const EVENT_SOURCE = 'refund-service';
