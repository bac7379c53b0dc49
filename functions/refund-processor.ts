/**
 * The refund processor (SPEC 3.4): triggered by the refund queue with batches of messages.
 * Powertools batch processing reports partial batch failures (the event source mapping needs
 * `ReportBatchItemFailures`), so one failing message never blocks or re-runs the others; a
 * failed message comes back after the visibility timeout and, after 5 receives, goes to the
 * dead-letter queue with its order marked `NEEDS_ATTENTION`.
 *
 * `createRefundProcessorHandler(deps)` builds a handler around injected adapters (tests, the
 * local runtime); `handler` is the Lambda entry, wired once at cold start with the DynamoDB
 * table and the configured payment provider (`PAYMENT_PROVIDER`: the embedded simulator of
 * SPEC 3.4 by default, or Stripe).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoSettlementStore } from '#adapters/dynamo/settlement.ts';
import { decodeRefundMessage } from '#adapters/sqs-refund-queue.ts';
import { SqsRetryBackoff } from '#adapters/sqs-retry-backoff.ts';
import type { RetryBackoff } from '#ports/refund-queue.ts';
import { serviceClock } from '#shared/clock.ts';
import { readConfig } from '#shared/config.ts';
import { createLogger, errorFacts } from '#shared/logger.ts';
import type { RefundMessage } from '#shared/model.ts';
import { configuredPaymentProvider } from '#shared/provider-wiring.ts';
import { PROCESSOR_METRICS } from '#shared/service.ts';
import { tableRef } from '#shared/wiring.ts';
import { type SettlementDeps, type SettlementEvent, settleRefund } from '#use-cases/settle-refund.ts';

/** The parts of Powertools Metrics the processor uses (a recording fake fits too). */
export interface ProcessorMetrics {
  addMetric(name: string, unit: Parameters<Metrics['addMetric']>[1], value: number): unknown;
  hasStoredMetrics(): boolean;
  publishStoredMetrics(): void;
}
export type ProcessorLogger = Pick<Logger, 'info' | 'warn' | 'error' | 'addContext'>;

export interface RefundProcessorDeps extends Omit<SettlementDeps, 'observe'> {
  logger?: ProcessorLogger;
  metrics?: ProcessorMetrics;
  /** Spaces out retries after a failure; without it a message returns after the queue's visibility timeout. */
  backoff?: RetryBackoff;
}

export type RefundProcessorHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/** No retry waits longer than this (the queue keeps messages for days; 5 receives end in the DLQ). */
export const RETRY_MAX_SECONDS = 15 * 60;

/** Turns settlement facts into logs and metrics (ids only: no references, no reasons). */
function observer(logger: ProcessorLogger, metrics: ProcessorMetrics) {
  return (event: SettlementEvent) => {
    switch (event.type) {
      case 'ORDER_NOT_FOUND':
        logger.warn('Unsubscribe order not found; nothing to settle', {
          unsubscribeOrderId: event.unsubscribeOrderId,
        });
        return;
      case 'REDRIVEN':
        logger.info('Resuming an order that needed attention', {
          unsubscribeOrderId: event.unsubscribeOrderId,
        });
        return;
      case 'LINE_SETTLED':
        if (!event.applied) return;
        logger.info('Refund line settled', {
          unsubscribeOrderId: event.unsubscribeOrderId,
          orderId: event.orderId,
          settledTo: event.settledTo,
          via: event.via,
        });
        if (event.via === 'PROVIDER_REFUSED') metrics.addMetric('ProviderRefusals', MetricUnit.Count, 1);
        return;
      case 'LINE_SUBMITTED':
        if (!event.applied) return;
        logger.info('Refund line submitted; awaiting the provider', {
          unsubscribeOrderId: event.unsubscribeOrderId,
          orderId: event.orderId,
        });
        metrics.addMetric('RefundsSubmitted', MetricUnit.Count, 1);
        return;
      case 'PROVIDER_FAILED':
        logger.warn('Payment provider failed; the message will be retried', {
          unsubscribeOrderId: event.unsubscribeOrderId,
          orderId: event.orderId,
          transient: event.transient,
        });
        metrics.addMetric('ProviderFailures', MetricUnit.Count, 1);
        return;
      case 'ORDER_SUCCEEDED':
        logger.info('Unsubscribe order settled', {
          unsubscribeOrderId: event.unsubscribeOrderId,
          slaBreached: event.slaBreached,
        });
        metrics.addMetric('RefundsSettled', MetricUnit.Count, 1);
        if (event.slaBreached) metrics.addMetric(PROCESSOR_METRICS.slaBreached, MetricUnit.Count, 1);
        return;
      case 'NEEDS_ATTENTION':
        logger.error('Settlement gave up after the last receive; the order needs attention', {
          unsubscribeOrderId: event.unsubscribeOrderId,
          receiveCount: event.receiveCount,
        });
        metrics.addMetric('RefundsNeedingAttention', MetricUnit.Count, 1);
        return;
    }
  };
}

/** The processor's Powertools Metrics: the namespace and `service` dimension the SLA alarm watches. */
export function processorMetrics(): Metrics {
  return new Metrics({ namespace: PROCESSOR_METRICS.namespace, serviceName: PROCESSOR_METRICS.service });
}

export function createRefundProcessorHandler(deps: RefundProcessorDeps): RefundProcessorHandler {
  const logger = deps.logger ?? createLogger();
  const metrics = deps.metrics ?? processorMetrics();
  const settlement: SettlementDeps = {
    orders: deps.orders,
    provider: deps.provider,
    clock: deps.clock,
    observe: observer(logger, metrics),
  };

  const recordHandler = async (record: SQSRecord): Promise<void> => {
    let message: RefundMessage;
    try {
      message = decodeRefundMessage(record.body);
    } catch (error) {
      // Never retried into success: it ends in the dead-letter queue. The body is not logged.
      logger.error('Not a refund message', { messageId: record.messageId });
      throw error;
    }
    const receiveCount = Number.parseInt(record.attributes.ApproximateReceiveCount, 10) || 1;
    try {
      await settleRefund(settlement, message, { receiveCount });
    } catch (error) {
      logger.warn('Settlement attempt failed', {
        unsubscribeOrderId: message.unsubscribeOrderId,
        receiveCount,
        ...errorFacts(error),
      });
      await deps.backoff?.postpone(record.receiptHandle, receiveCount).catch((postponeError: unknown) =>
        // The retry still happens, after the queue's own visibility timeout.
        logger.warn('Could not postpone the retry', errorFacts(postponeError)),
      );
      throw error;
    }
  };

  return async (event, context) => {
    if (context) logger.addContext(context);
    // One processor per invocation: it holds the batch's state, and invocations may overlap.
    const processor = new BatchProcessor(EventType.SQS);
    try {
      return await processPartialResponse(event, recordHandler, processor, {
        ...(context ? { context } : {}),
        // A batch where every message failed is reported like any other (all listed as failures).
        throwOnFullBatchFailure: false,
      });
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

const config = readConfig();
const table = tableRef(config);

/**
 * `PAYMENT_PROVIDER`: the embedded simulator (default; its memory lives as long as the
 * container) or Stripe (API key read from Secrets Manager once, here, at cold start).
 */
export const paymentProvider = await configuredPaymentProvider(config);

export const handler = createRefundProcessorHandler({
  orders: new DynamoSettlementStore(table),
  provider: paymentProvider,
  clock: serviceClock,
  ...(config.refundQueueUrl
    ? {
        backoff: new SqsRetryBackoff(new SQSClient({}), config.refundQueueUrl, {
          baseSeconds: config.retryBaseSeconds,
          maxSeconds: RETRY_MAX_SECONDS,
        }),
      }
    : {}),
});
