/**
 * The events and the context Lambda would hand our functions, as pure builders: an SQS
 * batch from received messages, an EventBridge scheduled event, a minimal `Context`.
 */
import { randomUUID } from 'node:crypto';
import type { Message } from '@aws-sdk/client-sqs';
import type {
  Context,
  ScheduledEvent,
  SQSEvent,
  SQSMessageAttributes,
  SQSRecordAttributes,
} from 'aws-lambda';

export const LOCAL_ACCOUNT_ID = '000000000000';

/** Lambda's SQS event for a batch of received messages (ReceiveMessage with all attributes). */
export function toSqsEvent(messages: readonly Message[], queueArn: string, region: string): SQSEvent {
  return {
    Records: messages.map((message) => {
      const system = message.Attributes ?? {};
      const attributes: SQSRecordAttributes = {
        ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
        SentTimestamp: system.SentTimestamp ?? '',
        SenderId: system.SenderId ?? LOCAL_ACCOUNT_ID,
        ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? '',
      };
      for (const name of [
        'AWSTraceHeader',
        'SequenceNumber',
        'MessageGroupId',
        'MessageDeduplicationId',
        'DeadLetterQueueSourceArn',
      ] as const) {
        const value = system[name];
        if (value !== undefined) attributes[name] = value;
      }
      const messageAttributes: SQSMessageAttributes = {};
      for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
        messageAttributes[name] = {
          ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
          ...(value.BinaryValue !== undefined
            ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }
            : {}),
          stringListValues: value.StringListValues ?? [],
          binaryListValues: (value.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
          dataType: value.DataType ?? 'String',
        };
      }
      return {
        messageId: message.MessageId ?? '',
        receiptHandle: message.ReceiptHandle ?? '',
        body: message.Body ?? '',
        attributes,
        messageAttributes,
        md5OfBody: message.MD5OfBody ?? '',
        ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn,
        awsRegion: region,
      };
    }),
  };
}

/** EventBridge's `Scheduled Event` for a schedule firing at `time` (an ISO instant). */
export function scheduledEvent(
  time: string,
  ruleName: string,
  region: string,
  id: string = randomUUID(),
): ScheduledEvent {
  return {
    version: '0',
    id,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT_ID,
    time,
    region,
    resources: [`arn:aws:events:${region}:${LOCAL_ACCOUNT_ID}:rule/${ruleName}`],
    detail: {},
  };
}

/** EventBridge writes `time` to the second: `2026-04-10T15:30:00Z`. */
export const eventBridgeTime = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** A minimal Lambda context for one invocation of `functionName` with a timeout. */
export function lambdaContext(
  functionName: string,
  timeoutMs: number,
  region: string,
  now: number = Date.now(),
): Context {
  const deadline = now + timeoutMs;
  const name = `refund-service-local-${functionName}`;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${name}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: `${new Date(now).toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]local`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
