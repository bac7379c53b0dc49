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
  dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      const command = { name: String(context.commandName), input: args.input as Record<string, unknown> };
      commands.push(command);
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
