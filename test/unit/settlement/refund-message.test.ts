import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  decodeRefundMessage,
  encodeRefundMessage,
  MalformedRefundMessageError,
  SqsRefundQueue,
} from '#adapters/sqs-refund-queue.ts';

describe('refund message wire form', () => {
  it('round-trips the pointer and nothing else', () => {
    const body = encodeRefundMessage({
      accountId: 'acct-1',
      unsubscribeOrderId: 'uo-1',
      extra: 'dropped',
    } as never);

    expect(JSON.parse(body)).toEqual({ accountId: 'acct-1', unsubscribeOrderId: 'uo-1' });
    expect(decodeRefundMessage(body)).toEqual({ accountId: 'acct-1', unsubscribeOrderId: 'uo-1' });
  });

  it.each([
    ['not JSON', 'nope'],
    ['missing order', '{"accountId":"a"}'],
    ['empty id', '{"accountId":"","unsubscribeOrderId":"uo"}'],
    ['id with a slash', '{"accountId":"a/b","unsubscribeOrderId":"uo"}'],
    ['a number', '42'],
  ])('refuses %s', (_, body) => {
    expect(() => decodeRefundMessage(body)).toThrow(MalformedRefundMessageError);
  });
});

describe('SqsRefundQueue', () => {
  it('sends the pointer to the configured queue and lets SQS failures surface', async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageCommand).resolvesOnce({ MessageId: 'm-1' }).rejectsOnce(new Error('throttled'));
    const queue = new SqsRefundQueue(new SQSClient({ region: 'us-east-1' }), 'https://sqs.example/q');

    await queue.enqueue({ accountId: 'acct-1', unsubscribeOrderId: 'uo-1' });
    await expect(queue.enqueue({ accountId: 'acct-1', unsubscribeOrderId: 'uo-2' })).rejects.toThrow(
      'throttled',
    );

    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input).toEqual({
      QueueUrl: 'https://sqs.example/q',
      MessageBody: '{"accountId":"acct-1","unsubscribeOrderId":"uo-1"}',
    });
    sqs.restore();
  });
});
