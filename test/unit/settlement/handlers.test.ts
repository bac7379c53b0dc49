/** The entry modules' own logic: schedule times, safe error facts, metrics from settlement facts. */
import { beforeAll, describe, expect, it } from 'vitest';
import { SLA_BREACH_METRIC } from '#infra/cdk/refund-stack.ts';
import type { DuePurge } from '#ports/purges.ts';
import { errorFacts } from '#shared/logger.ts';
import { PROCESSOR_METRICS } from '#shared/service.ts';
import { recordingMetrics, silentLogger } from '#test/support/settlement-env.ts';

process.env.TABLE_NAME ??= 'unit-table';
process.env.REFUND_QUEUE_URL ??= 'http://127.0.0.1:1/queue/refunds';
process.env.PURGE_QUEUE_URL ??= 'http://127.0.0.1:1/queue/purge-work.fifo';
process.env.AWS_REGION ??= 'us-east-1';

let purger: typeof import('#functions/purger.ts');
let reconciler: typeof import('#functions/reconciler.ts');
let processor: typeof import('#functions/refund-processor.ts');

beforeAll(async () => {
  [purger, reconciler, processor] = await Promise.all([
    import('#functions/purger.ts'),
    import('#functions/reconciler.ts'),
    import('#functions/refund-processor.ts'),
  ]);
});

const emptyPurges = {
  due: () => ({ next: async (): Promise<DuePurge | null> => null, hasMore: () => false }),
  dueShardCount: 0,
  oldestDue: async () => null,
  instance: async () => null,
  purgeItem: async () => null,
  record: async () => false,
  finish: async () => {},
  discard: async () => {},
};

describe('the processor metrics', () => {
  it('are emitted in the namespace and service dimension the stack alarms on', () => {
    const metrics = processor.processorMetrics();
    metrics.addMetric(PROCESSOR_METRICS.slaBreached, 'Count', 1);
    const emf = metrics.serializeMetrics();
    expect(emf._aws.CloudWatchMetrics[0]?.Namespace).toBe(SLA_BREACH_METRIC.namespace);
    expect(emf._aws.CloudWatchMetrics[0]?.Metrics).toEqual([
      { Name: SLA_BREACH_METRIC.metricName, Unit: 'Count' },
    ]);
    expect(emf).toMatchObject({ service: SLA_BREACH_METRIC.service, [SLA_BREACH_METRIC.metricName]: 1 });
  });
});

describe('scheduled entry points', () => {
  it('export a Lambda handler wired at cold start', () => {
    expect(typeof purger.handler).toBe('function');
    expect(typeof reconciler.handler).toBe('function');
    expect(typeof processor.handler).toBe('function');
  });

  it('use the schedule time as now and refuse an event without one', async () => {
    const sent: unknown[] = [];
    const handler = purger.createPurgerHandler({
      purges: emptyPurges,
      work: { send: async (items) => void sent.push(...items) },
      logger: silentLogger(),
      metrics: recordingMetrics(),
    });

    expect(await handler({ time: '2026-04-10T16:00:00Z' })).toEqual({
      now: '2026-04-10T16:00:00.000Z',
      dispatched: 0,
      oldestDueAt: null,
      lagSeconds: 0,
    });
    expect(sent).toEqual([]);
    await expect(handler({ time: 'yesterday' })).rejects.toThrow(TypeError);
    await expect(handler({} as never)).rejects.toThrow(TypeError);

    const reconcile = reconciler.createReconcilerHandler({
      pending: { createdBefore: async () => ({ orders: [], more: false }) },
      queue: { enqueue: async () => {} },
      logger: silentLogger(),
    });
    expect(await reconcile({ time: '2026-04-10T16:00:00Z' })).toMatchObject({
      createdBefore: '2026-04-10T15:55:00.000Z',
    });
    await expect(reconcile({ time: '' })).rejects.toThrow(TypeError);
  });
});

describe('refund processor logging', () => {
  it('logs an AWS error message but never a provider message (it could echo a payment reference)', () => {
    const aws = Object.assign(new Error('Invalid UpdateExpression'), {
      name: 'ValidationException',
      $metadata: {},
    });

    expect(errorFacts(aws)).toEqual({
      error: 'ValidationException',
      detail: 'Invalid UpdateExpression',
    });
    expect(errorFacts(new Error('card closed-4000 refused'))).toEqual({ error: 'Error' });
    expect(errorFacts('boom')).toEqual({ error: 'Unknown' });
  });

  it('publishes stored metrics after each batch', async () => {
    const metrics = { ...recordingMetrics(), published: 0 };
    metrics.hasStoredMetrics = () => true;
    metrics.publishStoredMetrics = () => {
      metrics.published += 1;
    };
    const handler = processor.createRefundProcessorHandler({
      orders: {
        get: async () => null,
        transition: async () => false,
        settleLine: async () => false,
        complete: async () => false,
      },
      provider: { refund: async () => ({ outcome: 'REFUSED', reason: 'METHOD_CLOSED' }) },
      clock: { now: () => 0 },
      logger: silentLogger(),
      metrics,
    });

    const response = await handler({
      Records: [
        {
          messageId: 'm-1',
          receiptHandle: 'r',
          body: '{"accountId":"a","unsubscribeOrderId":"uo"}',
          attributes: {
            ApproximateReceiveCount: '1',
            SentTimestamp: '0',
            SenderId: 's',
            ApproximateFirstReceiveTimestamp: '0',
          },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
          awsRegion: 'us-east-1',
        },
      ],
    });

    expect(response).toEqual({ batchItemFailures: [] });
    expect(metrics.published).toBe(1);
  });
});
