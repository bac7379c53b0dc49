/**
 * Powertools Metrics for the scheduled and queue functions: the namespace and the `service`
 * dimension the stack's alarms name (`#shared/service.ts`). `ServiceMetrics` is the part the
 * handlers use, so a recording fake fits too.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE } from './service.ts';

export interface ServiceMetrics {
  addMetric(name: string, unit: Parameters<Metrics['addMetric']>[1], value: number): unknown;
  publishStoredMetrics(): void;
}

export function serviceMetrics(service: string): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service });
}
