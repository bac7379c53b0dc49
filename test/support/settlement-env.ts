/**
 * A private table and refund queues on the shared emulators for one settlement or purger test
 * file, a DynamoDB client that records every command it sends (to prove "never a Scan") and
 * can fail a chosen write once (to inject a crash), and the handler modules imported after the
 * environment they read at cold start is set.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { inject } from 'vitest';
import { documentClient, type TableRef } from '#adapters/dynamo/client.ts';
import {
  createQueues,
  createTable,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type RefundQueues,
} from '#infra/local/emulators.ts';
import { watchTable } from './events.ts';

export interface SentCommand {
  name: string;
  input: Record<string, unknown>;
}

/** Fails the next command that matches, once, before it reaches DynamoDB (nothing is written). */
export interface InjectedFailure {
  match: (command: SentCommand) => boolean;
  error: Error;
}

export interface SettlementEnv {
  dynamo: DynamoDBClient;
  table: TableRef;
  sqs: SQSClient;
  queues: RefundQueues;
  /** Every DynamoDB command sent through `table.doc` since the last `resetCommands()`. */
  commands: SentCommand[];
  resetCommands(): void;
  failOnce(failure: InjectedFailure): void;
  /** Injected failures not triggered yet. */
  pendingFailures(): number;
  /**
   * Every `n`-th command from now on (null: none) is refused as DynamoDB refuses a call over
   * capacity — `ProvisionedThroughputExceededException`, `ThrottlingException`, or for a
   * transaction a `TransactionCanceledException` with a `ThrottlingError` reason — before it
   * reaches DynamoDB and past the SDK's own retries (nothing is written).
   */
  throttleEvery(n: number | null): void;
  /** Commands refused by `throttleEvery` so far. */
  throttled(): number;
  clearFailures(): void;
  /** A fresh table on the same (spied) client, so a test sees only its own items. */
  newTable(): Promise<TableRef>;
  /** A fresh refund queue and DLQ (so a test sees only its own messages). */
  newQueues(visibilityTimeoutSeconds?: number): Promise<RefundQueues>;
  close(): void;
}

/** Sets what the handler modules read at import (their own `handler` is never used by these tests). */
function handlerEnvironment(tableName: string, refundQueueUrl: string): void {
  process.env.TABLE_NAME ??= tableName;
  process.env.REFUND_QUEUE_URL ??= refundQueueUrl;
  // The purger's own module needs one at import; tests hand it a queue in memory (purge-pipeline.ts).
  process.env.PURGE_QUEUE_URL ??= 'http://127.0.0.1:1/000000000000/purge-work.fifo';
  process.env.AWS_REGION ??= LOCAL_REGION;
  process.env.AWS_ACCESS_KEY_ID ??= LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY ??= LOCAL_CREDENTIALS.secretAccessKey;
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
}

export async function settlementEnv(
  options: { prefix?: string; visibilityTimeoutSeconds?: number } = {},
): Promise<SettlementEnv> {
  const prefix = `${options.prefix ?? 'settle'}-${randomUUID().slice(0, 8)}`;
  const dynamo = new DynamoDBClient({
    endpoint: inject('dynamoEndpoint'),
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const sqs = new SQSClient({
    endpoint: inject('sqsEndpoint'),
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  await createTable(dynamo, prefix);
  watchTable(prefix);
  const queues = await createQueues(sqs, `${prefix}-`, options.visibilityTimeoutSeconds ?? 1);
  handlerEnvironment(prefix, queues.refundQueueUrl);

  const commands: SentCommand[] = [];
  const failures: InjectedFailure[] = [];
  let throttleEvery: number | null = null;
  let seen = 0;
  let throttled = 0;
  dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      const command = { name: String(context.commandName), input: args.input as Record<string, unknown> };
      commands.push(command);
      if (throttleEvery !== null && ++seen % throttleEvery === 0) {
        throttled += 1;
        throw throttlingError(command.name, throttled);
      }
      const index = failures.findIndex((f) => f.match(command));
      if (index >= 0) {
        const [failure] = failures.splice(index, 1);
        if (failure) throw failure.error;
      }
      return next(args);
    },
    { step: 'initialize', name: 'settlementTestSpy' },
  );

  return {
    dynamo,
    table: { doc: documentClient(dynamo), tableName: prefix },
    sqs,
    queues,
    commands,
    resetCommands: () => {
      commands.length = 0;
    },
    failOnce: (failure) => {
      failures.push(failure);
    },
    pendingFailures: () => failures.length,
    throttleEvery: (n) => {
      throttleEvery = n;
      seen = 0;
    },
    throttled: () => throttled,
    clearFailures: () => {
      failures.length = 0;
    },
    newTable: async () => {
      const tableName = `${prefix}-${randomUUID().slice(0, 6)}`;
      await createTable(dynamo, tableName);
      watchTable(tableName);
      return { doc: documentClient(dynamo), tableName };
    },
    newQueues: (visibility = options.visibilityTimeoutSeconds ?? 1) =>
      createQueues(sqs, `${prefix}-${randomUUID().slice(0, 6)}-`, visibility),
    close: () => {
      dynamo.destroy();
      sqs.destroy();
    },
  };
}

/** DynamoDB's answer to a call over capacity, as the SDK throws it (varied by `nth`). */
function throttlingError(commandName: string, nth: number): Error {
  const metadata = { $metadata: { httpStatusCode: 400 }, $fault: 'client' };
  if (commandName === 'TransactWriteItemsCommand') {
    return Object.assign(
      new Error('Transaction cancelled, please refer cancellation reasons for specific reasons'),
      {
        name: 'TransactionCanceledException',
        CancellationReasons: [{ Code: 'ThrottlingError' }, { Code: 'None' }],
        ...metadata,
      },
    );
  }
  return nth % 2 === 0
    ? Object.assign(new Error('Throughput exceeds the current capacity of your table or index'), {
        name: 'ThrottlingException',
        ...metadata,
      })
    : Object.assign(new Error('The level of configured provisioned throughput for the table was exceeded'), {
        name: 'ProvisionedThroughputExceededException',
        ...metadata,
      });
}

/** A logger that prints nothing (the handlers' own default logs to stdout). */
export const silentLogger = () =>
  new Logger({ serviceName: 'test', logLevel: process.env.SETTLEMENT_TEST_LOGS ? 'DEBUG' : 'SILENT' });

/** A metrics sink that records what the handler emitted. */
export function recordingMetrics() {
  const emitted: { name: string; value: number }[] = [];
  return {
    emitted,
    count: (name: string) => emitted.filter((m) => m.name === name).reduce((n, m) => n + m.value, 0),
    addMetric: (name: string, _unit: unknown, value: number) => {
      emitted.push({ name, value });
    },
    hasStoredMetrics: () => false,
    publishStoredMetrics: () => {},
  };
}
