/**
 * The local refund-queue poller against the SQS emulator, with a stand-in processor: partial
 * batch failures, retries after the visibility timeout, nothing deleted when the handler
 * throws, and the dead-letter redrive after 5 receives (done by fauxqs, as SQS would).
 */
import { randomUUID } from 'node:crypto';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createQueues, LOCAL_CREDENTIALS, LOCAL_REGION, type RefundQueues } from '#infra/local/emulators.ts';
import { functionRegistry, HandlerUnavailableError, type LocalHandler } from '#infra/local/functions.ts';
import { type RefundPoller, startRefundPoller } from '#infra/local/poller.ts';

let client: SQSClient;
let queues: RefundQueues;
let queueArn: string;
let poller: RefundPoller | undefined;
let seen: SQSRecord[];

beforeEach(async () => {
  client = new SQSClient({
    endpoint: inject('sqsEndpoint'),
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  queues = await createQueues(client, `poller-${randomUUID().slice(0, 8)}-`, 1);
  const attrs = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queues.refundQueueUrl, AttributeNames: ['QueueArn'] }),
  );
  queueArn = attrs.Attributes?.QueueArn ?? '';
  seen = [];
});

afterEach(async () => {
  await poller?.stop();
  poller = undefined;
  client.destroy();
});

function start(processor: LocalHandler): void {
  poller = startRefundPoller({
    client,
    queueUrl: queues.refundQueueUrl,
    queueArn,
    region: LOCAL_REGION,
    registry: functionRegistry({ 'refund-processor': processor }),
    log: () => {},
    waitTimeSeconds: 1,
    retryDelayMs: 100,
  });
}

const send = async (body: string) =>
  (await client.send(new SendMessageCommand({ QueueUrl: queues.refundQueueUrl, MessageBody: body })))
    .MessageId ?? '';

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function visibleCount(queueUrl: string): Promise<number> {
  const attrs = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(attrs.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** Fails every record whose body is `fail`, succeeds the others. */
const failSome: LocalHandler = async (event: SQSEvent) => {
  seen.push(...event.Records);
  return {
    batchItemFailures: event.Records.filter((r) => r.body === 'fail').map((r) => ({
      itemIdentifier: r.messageId,
    })),
  };
};

describe('refund-queue poller', () => {
  it('invokes the processor with a real SQS event and deletes the successful messages', async () => {
    const id = await send('ok');
    start(failSome);

    await waitFor(() => seen.length === 1);
    await waitFor(async () => (await visibleCount(queues.refundQueueUrl)) === 0);

    expect(seen[0]).toMatchObject({
      messageId: id,
      body: 'ok',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: LOCAL_REGION,
      attributes: { ApproximateReceiveCount: '1' },
    });
    expect(seen[0]?.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(seen[0]?.attributes.SentTimestamp)).toBeGreaterThan(0);
  });

  it('retries a reported failure after the visibility timeout and dead-letters it after 5 receives', async () => {
    const failing = await send('fail');
    await send('ok');
    start(failSome);

    await waitFor(async () => (await visibleCount(queues.deadLetterQueueUrl)) === 1, 30_000);

    const receives = seen
      .filter((r) => r.messageId === failing)
      .map((r) => r.attributes.ApproximateReceiveCount);
    expect(receives).toEqual(['1', '2', '3', '4', '5']);
    expect(seen.filter((r) => r.body === 'ok')).toHaveLength(1);
    expect(await visibleCount(queues.refundQueueUrl)).toBe(0);
    const dead = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queues.deadLetterQueueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(dead.Messages?.map((m) => m.Body)).toEqual(['fail']);
  });

  it('deletes nothing when the processor throws', async () => {
    await send('ok');
    let invocations = 0;
    start(async () => {
      invocations++;
      throw new Error('crash');
    });

    await waitFor(() => invocations >= 2);
    await poller?.stop();
    poller = undefined;

    expect(await visibleCount(queues.refundQueueUrl)).toBe(1);
  });

  it('leaves messages queued while the processor module is missing', async () => {
    await send('ok');
    poller = startRefundPoller({
      client,
      queueUrl: queues.refundQueueUrl,
      queueArn,
      region: LOCAL_REGION,
      registry: {
        load: async () => {
          throw new HandlerUnavailableError('refund-processor', 'does not exist (yet)');
        },
      },
      log: () => {},
      waitTimeSeconds: 1,
      retryDelayMs: 100,
    });

    await new Promise((r) => setTimeout(r, 1500));

    const attrs = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: queues.refundQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(attrs.Attributes?.ApproximateNumberOfMessages).toBe('1');
  });
});
