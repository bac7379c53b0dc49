/**
 * The DynamoDB document client, created once per process (cold start) and shared by the
 * adapters. Tests and the local runtime point it elsewhere with `AWS_ENDPOINT_URL_DYNAMODB`
 * or by passing their own client.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { stripKeys } from './keys.ts';

export interface TableRef {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

export function documentClient(client: DynamoDBClient = new DynamoDBClient({})): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/** True when a transaction was cancelled only because some condition did not hold. */
export function cancellationReasons(error: unknown): string[] | undefined {
  if (
    error &&
    typeof error === 'object' &&
    'name' in error &&
    error.name === 'TransactionCanceledException'
  ) {
    const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    return reasons.map((r) => r.Code ?? 'None');
  }
  return undefined;
}

/** DynamoDB's answers that mean "over capacity, nothing done, try again later". */
const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);
const THROTTLING_REASONS = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded']);

/**
 * True when DynamoDB refused a call for lack of capacity (after the SDK's own retries): a
 * throttling error, or a transaction cancelled because one of its items was throttled.
 */
export function isThrottling(error: unknown): boolean {
  if (!error || typeof error !== 'object' || !('name' in error)) return false;
  if (THROTTLING_ERRORS.has(String(error.name))) return true;
  return cancellationReasons(error)?.some((code) => THROTTLING_REASONS.has(code)) ?? false;
}

export function isConditionFailure(error: unknown): boolean {
  return (
    !!error &&
    typeof error === 'object' &&
    'name' in error &&
    error.name === 'ConditionalCheckFailedException'
  );
}

/** A strongly consistent read of one item, without its storage-only attributes; null when absent. */
export async function getItem<T>(table: TableRef, key: { pk: string; sk: string }): Promise<T | null> {
  const result = await table.doc.send(
    new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }),
  );
  return result.Item ? stripKeys<T>(result.Item) : null;
}
