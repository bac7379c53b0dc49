/**
 * Failures DynamoDB Local cannot be made to produce on demand, with the document client
 * mocked: transaction conflicts (retried), cancellations for an unexpected reason, and
 * errors that must surface instead of being read as "already done".
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoPurgeStore } from '#adapters/dynamo/purges.ts';
import { DynamoSettlementStore } from '#adapters/dynamo/settlement.ts';

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

const ref = { accountId: 'acct-1', unsubscribeOrderId: 'uo-1' };
const settlement = {
  index: 0,
  orderId: 'o-1',
  settledTo: 'ACCOUNT_BALANCE' as const,
  settledAt: 1,
  credit: {
    accountId: 'acct-1',
    entryId: 'uo-1:o-1',
    currency: 'USD',
    amount: 100,
    unsubscribeOrderId: 'uo-1',
    orderId: 'o-1',
    cause: 'PROVIDER_REFUSED' as const,
    createdAt: 1,
  },
};
const due = { accountId: 'acct-1', instanceId: 'i-1', kind: 'LOG' as const, purgeAt: 1 };

let mock: ReturnType<typeof mockClient>;
let table: { doc: DynamoDBDocumentClient; tableName: string };

beforeEach(() => {
  mock = mockClient(DynamoDBDocumentClient);
  table = { doc: documentClient(new DynamoDBClient({ region: 'us-east-1' })), tableName: 't' };
});
afterEach(() => mock.restore());

describe('DynamoSettlementStore', () => {
  it('retries a line settlement that only conflicted with another transaction', async () => {
    mock.on(TransactWriteCommand).rejectsOnce(cancelled('TransactionConflict', 'None')).resolves({});

    expect(await new DynamoSettlementStore(table).settleLine(ref, settlement)).toBe(true);
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it('reads a failed line condition as "already settled" but a failed ledger condition alone as an error', async () => {
    const store = new DynamoSettlementStore(table);
    mock
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('ConditionalCheckFailed', 'None'))
      .rejectsOnce(cancelled('None', 'ConditionalCheckFailed'));
    expect(await store.settleLine(ref, settlement)).toBe(false);

    // A credit that exists for a line still PENDING can only be a bug: never settle over it silently.
    await expect(store.settleLine(ref, settlement)).rejects.toThrow('Transaction cancelled');
  });

  it('lets throttling and other errors surface from status changes and completion', async () => {
    const store = new DynamoSettlementStore(table);
    mock.on(UpdateCommand).rejects(new Error('ProvisionedThroughputExceeded'));

    await expect(store.transition(ref, { from: ['PENDING'], to: 'PROCESSING', at: 1 })).rejects.toThrow(
      'ProvisionedThroughputExceeded',
    );
    await expect(
      store.complete(ref, { at: 1, settledAt: 1, slaBreached: false, lineCount: 1 }),
    ).rejects.toThrow('ProvisionedThroughputExceeded');
  });

  it('reports a status that moved on as a refused transition', async () => {
    mock.on(UpdateCommand).rejects(conditionFailed());
    const store = new DynamoSettlementStore(table);

    expect(await store.transition(ref, { from: ['PENDING'], to: 'PROCESSING', at: 1, note: 'X' })).toBe(
      false,
    );
    expect(await store.complete(ref, { at: 1, settledAt: 1, slaBreached: false, lineCount: 0 })).toBe(false);
  });
});

describe('DynamoPurgeStore', () => {
  it('reads a failed condition or a transaction in progress on the instance as "not recorded", and surfaces other errors', async () => {
    const store = new DynamoPurgeStore(table);
    mock
      .on(UpdateCommand)
      .resolvesOnce({})
      .rejectsOnce(conditionFailed())
      .rejectsOnce(
        new TransactionConflictException({ message: 'Transaction is ongoing for the item', $metadata: {} }),
      )
      .rejectsOnce(new Error('InternalServerError'));

    expect(await store.record(due, { now: 2, instanceVersion: 3, release: true })).toBe(true);
    expect(await store.record(due, { now: 2, instanceVersion: 3, release: false })).toBe(false);
    expect(await store.record(due, { now: 2, instanceVersion: 3, release: false })).toBe(false);
    await expect(store.record(due, { now: 2, instanceVersion: 3, release: false })).rejects.toThrow(
      'InternalServerError',
    );
    // One conditional write of the instance per record: no transaction.
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(0);
    const first = mock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(first?.ConditionExpression).toContain('#version = :version');
    expect(first?.ExpressionAttributeValues?.[':next']).toBe(4);
  });

  it('treats a purge item already removed as done, and surfaces other delete errors', async () => {
    const store = new DynamoPurgeStore(table);
    mock.on(DeleteCommand).rejectsOnce(conditionFailed()).rejectsOnce(new Error('InternalServerError'));

    await expect(store.finish(due)).resolves.toBeUndefined();
    await expect(store.discard(due, 1)).rejects.toThrow('InternalServerError');
  });
});
