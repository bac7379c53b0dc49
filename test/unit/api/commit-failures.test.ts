/**
 * Failures that DynamoDB Local cannot be made to produce on demand, with the document
 * client mocked: a transaction cancelled for a reason other than a condition, and a
 * transient transaction conflict.
 */
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { keys } from '#adapters/dynamo/keys.ts';
import { jwtAuthorizer, matchRoute, toApiEvent } from '#infra/local/api-event.ts';
import { quoteUnsubscribe } from '#policy/index.ts';
import type { InstanceRecord, QuoteRecord, RefundMessage } from '#shared/model.ts';
import { apiStores } from '#shared/wiring.ts';
import { lambdaContext } from '#test/support/api.ts';

process.env.TABLE_NAME ??= 'unit-table';
process.env.REFUND_QUEUE_URL ??= 'http://127.0.0.1:1/queue/refunds';
process.env.AWS_REGION ??= 'us-east-1';

const NOW = Date.parse('2026-03-05T10:00:00.000Z');
const A = 'acct-unit';

const instance: InstanceRecord = {
  accountId: A,
  instanceId: 'i-1',
  product: 'waf',
  edition: 'Pro',
  billingMethod: 'SUBSCRIPTION',
  currency: 'USD',
  status: 'ACTIVE',
  flags: { overduePayment: false, securityLocked: false, configurationChangeInProgress: false },
  orders: [
    {
      orderId: 'n',
      type: 'NEW',
      paidAt: Date.parse('2026-03-02T02:00:00.000Z'),
      periodStart: Date.parse('2026-03-02T02:00:00.000Z'),
      periodEnd: Date.parse('2027-03-02T02:00:00.000Z'),
      cashPaid: 99900,
      voucherPaid: 0,
      paymentMethod: { type: 'CARD', reference: 'card-1' },
      status: 'PAID',
    },
  ],
  version: 3,
  unsubscribedAt: null,
  retention: null,
  createdAt: NOW - 1000,
};

const quote: QuoteRecord = {
  quoteId: 'q-1',
  accountId: A,
  instanceId: 'i-1',
  kind: 'UNSUBSCRIBE',
  quote: quoteUnsubscribe(instance, { now: NOW, quotaUsed: false }),
  asOf: NOW,
  expiresAt: NOW + 15 * 60_000,
  instanceVersion: 3,
  usedAt: null,
};

const cancelled = (reasons: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: reasons.map((Code) => ({ Code })),
  });

describe('unsubscribe commit failures (mocked DynamoDB)', () => {
  const dynamo = mockClient(DynamoDBDocumentClient);
  const sent: RefundMessage[] = [];
  let handler: (e: APIGatewayProxyEventV2WithJWTAuthorizer) => Promise<APIGatewayProxyStructuredResultV2>;

  beforeEach(async () => {
    dynamo.reset();
    sent.length = 0;
    dynamo.on(GetCommand, { Key: keys.instance(A, 'i-1') }).resolves({ Item: { ...instance } });
    dynamo.on(GetCommand, { Key: keys.quote(A, 'q-1') }).resolves({ Item: { ...quote } });
    dynamo.on(PutCommand).resolves({});
    dynamo.on(DeleteCommand).resolves({});
    const table = { doc: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName: 'unit-table' };
    const { createHandler } = await import('#functions/unsubscribe.ts');
    const h = createHandler(
      {
        ...apiStores(table),
        queue: { enqueue: async (message) => void sent.push(message) },
        holidays: [],
        onEnqueueFailure: () => undefined,
      },
      () => NOW,
    );
    handler = (event) => h(event, lambdaContext()) as Promise<APIGatewayProxyStructuredResultV2>;
  });

  const request = () => {
    const match = matchRoute('POST', '/instances/i-1/unsubscriptions');
    if (!match) throw new Error('route');
    return toApiEvent(
      {
        method: 'POST',
        url: '/instances/i-1/unsubscriptions',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'k-1' },
        body: JSON.stringify({
          quoteId: 'q-1',
          refundType: 'FULL_REFUND',
          confirmations: { rulesAndAmountConfirmed: true, dataBackupConfirmed: true },
          reason: { code: 'NO_LONGER_NEEDED' },
        }),
        sourceIp: '127.0.0.1',
        protocol: 'HTTP/1.1',
        requestId: 'r',
        now: NOW,
      },
      match,
      jwtAuthorizer({ sub: A }),
    );
  };

  it('answers a bare 500 INTERNAL for a transaction cancelled by throttling, releases the key and enqueues nothing', async () => {
    dynamo.on(TransactWriteCommand).rejects(cancelled(['None', 'None', 'ThrottlingError', 'None']));
    const answer = await handler(request());
    expect(answer.statusCode).toBe(500);
    expect(JSON.parse(answer.body ?? '')).toEqual({
      error: {
        code: 'INTERNAL',
        message: 'Something went wrong on our side; please retry later',
        details: {},
      },
    });
    expect(sent).toEqual([]);
    const deletes = dynamo.commandCalls(DeleteCommand).map((call) => call.args[0].input.Key);
    expect(deletes).toEqual([keys.idempotency(A, 'k-1')]);
  });

  it('retries a transaction that only conflicted with another one, then accepts', async () => {
    dynamo
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled(['TransactionConflict', 'None', 'None', 'None']))
      .resolves({});
    const answer = await handler(request());
    expect(answer.statusCode).toBe(202);
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(2);
    expect(sent).toHaveLength(1);
  });

  it('answers 500 and no details when DynamoDB itself fails', async () => {
    dynamo.on(TransactWriteCommand).rejects(new Error('socket hang up at 10.0.0.1'));
    const answer = await handler(request());
    expect(answer.statusCode).toBe(500);
    expect(answer.body).not.toContain('10.0.0.1');
  });
});
