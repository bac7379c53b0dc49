import type { Message } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { eventBridgeTime, lambdaContext, scheduledEvent, toSqsEvent } from '#infra/local/lambda-events.ts';
import { messagesToDelete } from '#infra/local/poller.ts';
import { summarizeCounts } from '#infra/local/scheduler.ts';
import { parseTokenArgs } from '#infra/local/token.ts';

const ARN = 'arn:aws:sqs:us-east-1:000000000000:refunds';

const message = (id: string, overrides: Partial<Message> = {}): Message => ({
  MessageId: id,
  ReceiptHandle: `rh-${id}`,
  Body: `{"unsubscribeOrderId":"${id}"}`,
  MD5OfBody: 'md5',
  Attributes: {
    ApproximateReceiveCount: '3',
    SentTimestamp: '1775835000000',
    SenderId: 'AIDLOCAL',
    ApproximateFirstReceiveTimestamp: '1775835000100',
  },
  ...overrides,
});

describe('toSqsEvent', () => {
  it('maps received messages to Lambda SQS records', () => {
    const event = toSqsEvent([message('m-1')], ARN, 'us-east-1');

    expect(event).toEqual({
      Records: [
        {
          messageId: 'm-1',
          receiptHandle: 'rh-m-1',
          body: '{"unsubscribeOrderId":"m-1"}',
          attributes: {
            ApproximateReceiveCount: '3',
            SentTimestamp: '1775835000000',
            SenderId: 'AIDLOCAL',
            ApproximateFirstReceiveTimestamp: '1775835000100',
          },
          messageAttributes: {},
          md5OfBody: 'md5',
          eventSource: 'aws:sqs',
          eventSourceARN: ARN,
          awsRegion: 'us-east-1',
        },
      ],
    });
  });

  it('maps message attributes to Lambda casing, binary as base64', () => {
    const event = toSqsEvent(
      [
        message('m-1', {
          MessageAttributes: {
            kind: { DataType: 'String', StringValue: 'UNSUBSCRIBE' },
            blob: { DataType: 'Binary', BinaryValue: Buffer.from('hi') },
          },
          MD5OfMessageAttributes: 'md5attrs',
          Attributes: { ApproximateReceiveCount: '1', AWSTraceHeader: 'Root=1', SentTimestamp: '1' },
        }),
      ],
      ARN,
      'us-east-1',
    );

    const record = event.Records[0];
    expect(record?.messageAttributes).toEqual({
      kind: { stringValue: 'UNSUBSCRIBE', stringListValues: [], binaryListValues: [], dataType: 'String' },
      blob: { binaryValue: 'aGk=', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
    });
    expect(record?.md5OfMessageAttributes).toBe('md5attrs');
    expect(record?.attributes.AWSTraceHeader).toBe('Root=1');
  });
});

describe('messagesToDelete', () => {
  const batch = [message('a'), message('b'), message('c')];
  const ids = (messages: Message[]) => messages.map((m) => m.MessageId);

  it.each([
    ['an empty batchItemFailures', { batchItemFailures: [] }, ['a', 'b', 'c']],
    ['no response', undefined, ['a', 'b', 'c']],
    ['an object without batchItemFailures', {}, ['a', 'b', 'c']],
    ['one failure', { batchItemFailures: [{ itemIdentifier: 'b' }] }, ['a', 'c']],
    ['all failed', { batchItemFailures: ['a', 'b', 'c'].map((itemIdentifier) => ({ itemIdentifier })) }, []],
    ['an unknown identifier (whole batch fails)', { batchItemFailures: [{ itemIdentifier: 'zzz' }] }, []],
    ['an empty identifier (whole batch fails)', { batchItemFailures: [{ itemIdentifier: '' }] }, []],
    ['a malformed batchItemFailures', { batchItemFailures: 'b' }, []],
    ['a non-object response', 'ok', []],
  ])('with %s deletes %j', (_, response, expected) => {
    expect(ids(messagesToDelete(batch, response))).toEqual(expected);
  });
});

describe('scheduledEvent', () => {
  it('builds an EventBridge scheduled event', () => {
    expect(scheduledEvent('2026-04-10T15:30:00Z', 'purger', 'us-east-1', 'id-1')).toEqual({
      version: '0',
      id: 'id-1',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: '2026-04-10T15:30:00Z',
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:000000000000:rule/purger'],
      detail: {},
    });
  });

  it('writes EventBridge times to the second', () => {
    expect(eventBridgeTime(Date.parse('2026-04-10T15:30:59.999Z'))).toBe('2026-04-10T15:30:59Z');
  });
});

describe('lambdaContext', () => {
  it('counts the remaining time down from the timeout', () => {
    const context = lambdaContext('purger', 60_000, 'us-east-1', Date.now() - 10_000);

    expect(context.functionName).toBe('refund-service-local-purger');
    expect(context.invokedFunctionArn).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:refund-service-local-purger',
    );
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(45_000);
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(50_000);
  });

  it('never reports negative remaining time', () => {
    expect(lambdaContext('quote', 1000, 'us-east-1', Date.now() - 5000).getRemainingTimeInMillis()).toBe(0);
  });
});

describe('summarizeCounts', () => {
  it('keeps numbers and booleans one level deep, never strings', () => {
    const summary = {
      purged: 3,
      truncated: false,
      accountId: 'acct-secret',
      instances: ['i-1', 'i-2'],
      config: { purged: 1, note: 'x', deeper: { hidden: 1 } },
    };

    expect(summarizeCounts(summary)).toBe('purged=3 truncated=false instances=[2] config.purged=1');
  });

  it.each([[undefined], [null], ['text'], [{}]])('says done for %j', (summary) => {
    expect(summarizeCounts(summary)).toBe('done');
  });
});

describe('parseTokenArgs', () => {
  it.each([
    [['acct-1'], { accountId: 'acct-1', internal: false, ttlSeconds: 86400 }],
    [['acct-1', '--internal'], { accountId: 'acct-1', internal: true, ttlSeconds: 86400 }],
    [['--internal', 'acct-1', '--ttl', '60'], { accountId: 'acct-1', internal: true, ttlSeconds: 60 }],
    [['acct-1', '--ttl=5'], { accountId: 'acct-1', internal: false, ttlSeconds: 5 }],
  ])('parses %j', (argv, expected) => {
    expect(parseTokenArgs(argv)).toEqual(expected);
  });

  it.each([
    [[]],
    [['acct 1']],
    [['a', 'b']],
    [['acct-1', '--ttl']],
    [['acct-1', '--ttl', '0']],
    [['acct-1', '--ttl', '-5']],
    [['acct-1', '--admin']],
  ])('refuses %j', (argv) => {
    expect(parseTokenArgs(argv)).toHaveProperty('error');
  });
});
