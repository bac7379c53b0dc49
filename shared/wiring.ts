/**
 * Builds the real adapters once per process (cold start) from the configuration. Handler
 * modules call these at module scope; tests and the local runtime reach the same code with
 * other endpoints through the SDK's `AWS_ENDPOINT_URL_*` variables or injected clients.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { documentClient, type TableRef } from '#adapters/dynamo/client.ts';
import { DynamoExecutionStore } from '#adapters/dynamo/executions.ts';
import { DynamoIdempotencyStore } from '#adapters/dynamo/idempotency.ts';
import { DynamoInstanceStore } from '#adapters/dynamo/instances.ts';
import { DynamoOrderExport } from '#adapters/dynamo/order-export.ts';
import { DynamoQuoteStore } from '#adapters/dynamo/quotes.ts';
import { DynamoUnsubscribeOrderStore } from '#adapters/dynamo/unsubscribe-orders.ts';
import { SqsRefundQueue } from '#adapters/sqs-refund-queue.ts';
import type { QuotedExecutionDeps } from '#use-cases/quoted-execution.ts';
import { type Config, readConfig, requireQueueUrl } from './config.ts';
import { logger } from './logger.ts';

export function tableRef(config: Config, client?: DynamoDBClient): TableRef {
  return { doc: documentClient(client), tableName: config.tableName };
}

/** The stores of the HTTP API, over one table. */
export function apiStores(table: TableRef) {
  const instances = new DynamoInstanceStore(table);
  return {
    instances,
    quota: instances,
    quotes: new DynamoQuoteStore(table),
    executions: new DynamoExecutionStore(table),
    idempotency: new DynamoIdempotencyStore(table),
    unsubscribeOrders: new DynamoUnsubscribeOrderStore(table),
    orderExport: new DynamoOrderExport(table),
  };
}

/** The API stores over the configured table (cold start). */
export function apiDeps(config: Config = readConfig()) {
  return apiStores(tableRef(config));
}

export function refundQueue(config: Config, client: SQSClient = new SQSClient({})): SqsRefundQueue {
  return new SqsRefundQueue(client, requireQueueUrl(config));
}

/** What unsubscribing and cancelling renewals run on: the API stores plus the refund queue. */
export function quotedExecutionDeps(config: Config = readConfig()): QuotedExecutionDeps {
  return {
    ...apiStores(tableRef(config)),
    queue: refundQueue(config),
    holidays: config.holidays,
    onEnqueueFailure: (error) =>
      logger.warn('refund enqueue failed; the reconciler will enqueue it again', {
        error: error instanceof Error ? error.name : 'unknown',
      }),
  };
}
