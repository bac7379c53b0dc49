/**
 * The purger's dispatcher and workers over stores in memory: throttling backoff (waits,
 * attempts, the run slowing down and finishing), one instance's two purges never in flight at
 * once, the dispatch (shards with work, lag, throttled reads retried), and the worker entry
 * (a malformed work item is dropped, a failing one reported in metrics, never as a batch failure).
 */
import type { SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PurgeWorkItem } from '#ports/purge-work.ts';
import { type DuePurge, type PurgeStore, ThrottledError } from '#ports/purges.ts';
import type { InstanceRecord } from '#shared/model.ts';
import { recordingMetrics, silentLogger } from '#test/support/settlement-env.ts';
import { dispatchPurges } from '#use-cases/dispatch-purges.ts';
import { purgeRetention } from '#use-cases/purge-retention.ts';
import { THROTTLE_BACKOFF, withThrottleRetry } from '#use-cases/throttle.ts';

process.env.TABLE_NAME ??= 'unit-table';
process.env.AWS_REGION ??= 'us-east-1';

let createPurgeWorkerHandler: typeof import('#functions/purge-worker.ts').createPurgeWorkerHandler;
beforeAll(async () => {
  ({ createPurgeWorkerHandler } = await import('#functions/purge-worker.ts'));
});

const throttled = () => new ThrottledError();

describe('withThrottleRetry', () => {
  it('makes a throttled call again after waits within a doubling ceiling, then answers', async () => {
    const waits: number[] = [];
    let calls = 0;
    const answer = await withThrottleRetry(
      async () => {
        calls += 1;
        if (calls <= 4) throw throttled();
        return 'ok';
      },
      { sleep: async (ms) => void waits.push(ms) },
    );

    expect(answer).toBe('ok');
    expect(calls).toBe(5);
    expect(waits).toHaveLength(4);
    waits.forEach((ms, n) => {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(Math.min(THROTTLE_BACKOFF.maxMs, THROTTLE_BACKOFF.baseMs * 2 ** n));
    });
  });

  it('gives up after its attempts, or at once when the caller is out of time', async () => {
    let calls = 0;
    const always = async () => {
      calls += 1;
      throw throttled();
    };
    await expect(withThrottleRetry(always, { sleep: async () => {} })).rejects.toBeInstanceOf(ThrottledError);
    expect(calls).toBe(THROTTLE_BACKOFF.attempts);

    calls = 0;
    await expect(
      withThrottleRetry(always, { sleep: async () => {}, shouldStop: () => true }),
    ).rejects.toBeInstanceOf(ThrottledError);
    expect(calls).toBe(1);
  });

  it('rethrows anything else at once', async () => {
    let calls = 0;
    await expect(
      withThrottleRetry(async () => {
        calls += 1;
        throw new Error('ValidationException');
      }),
    ).rejects.toThrow('ValidationException');
    expect(calls).toBe(1);
  });
});

const instance = (instanceId: string): InstanceRecord => ({
  accountId: 'acct-1',
  instanceId,
  product: 'waf',
  edition: 'Pro',
  billingMethod: 'SUBSCRIPTION',
  currency: 'USD',
  status: 'UNSUBSCRIBED',
  flags: { overduePayment: false, securityLocked: false, configurationChangeInProgress: false },
  orders: [],
  version: 1,
  unsubscribedAt: 0,
  retention: {
    configData: { status: 'RETAINED', purgeAt: 10, purgedAt: null },
    logData: { status: 'RETAINED', purgeAt: 10, purgedAt: null },
  },
  createdAt: 0,
});

/**
 * A purge store in memory for many instances, with the conditions of the real one on the
 * instance version and the kind's status; `throttle(call)` decides which calls are refused.
 */
function memoryStore(instanceIds: string[], throttle: (call: string) => boolean = () => false) {
  const instances = new Map(instanceIds.map((id) => [id, instance(id)]));
  const items = new Map<string, DuePurge & { purgedAt: number | null }>();
  for (const id of instanceIds) {
    for (const kind of ['CONFIG', 'LOG'] as const) {
      items.set(`${id}#${kind}`, { accountId: 'acct-1', instanceId: id, kind, purgeAt: 10, purgedAt: null });
    }
  }
  const inFlight = new Map<string, number>();
  let overlaps = 0;
  const field = (kind: string) => (kind === 'CONFIG' ? 'configData' : 'logData');
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  const store: PurgeStore = {
    dueShardCount: 1,
    oldestDue: async () => 10,
    due: () => {
      const queue = [...items.values()].map(({ purgedAt: _, ...due }) => due);
      return { next: async () => queue.shift() ?? null, hasMore: () => queue.length > 0 };
    },
    instance: async (_account, id) => {
      if (throttle('instance')) throw throttled();
      const running = (inFlight.get(id) ?? 0) + 1;
      inFlight.set(id, running);
      if (running > 1) overlaps += 1;
      await tick();
      return structuredClone(instances.get(id) ?? null);
    },
    purgeItem: async (item) => {
      const found = items.get(`${item.instanceId}#${item.kind}`);
      return found ? { purgeAt: found.purgeAt, purgedAt: found.purgedAt } : null;
    },
    record: async (item, record) => {
      if (throttle('record')) throw throttled();
      await tick();
      const current = instances.get(item.instanceId);
      const retained = current?.retention?.[field(item.kind)];
      if (!current || current.version !== record.instanceVersion || retained?.status !== 'RETAINED')
        return false;
      retained.status = 'PURGED';
      retained.purgedAt = record.now;
      current.version += 1;
      if (record.release) current.status = 'RELEASED';
      const purge = items.get(`${item.instanceId}#${item.kind}`);
      if (purge) purge.purgedAt = record.now;
      return true;
    },
    finish: async (item) => {
      if (throttle('finish')) throw throttled();
      items.delete(`${item.instanceId}#${item.kind}`);
      inFlight.set(item.instanceId, (inFlight.get(item.instanceId) ?? 1) - 1);
    },
    discard: async (item) => {
      items.delete(`${item.instanceId}#${item.kind}`);
    },
  };
  return { store, instances, items, overlaps: () => overlaps };
}

describe('purgeRetention', () => {
  it('slows down while throttled and still purges everything once, failing nothing', async () => {
    let calls = 0;
    // Every third record and finish call is refused as over capacity.
    const { store, instances, items } = memoryStore(
      Array.from({ length: 12 }, (_, i) => `i-${i}`),
      (call) => (call === 'record' || call === 'finish') && ++calls % 3 === 0,
    );
    const deleted: string[] = [];
    const waits: number[] = [];

    const summary = await purgeRetention(
      {
        purges: store,
        data: { delete: async (ref) => void deleted.push(`${ref.instanceId}#${ref.kind}`) },
        sleep: async (ms) => void waits.push(ms),
      },
      { now: 10, concurrency: 6 },
    );

    expect(summary).toMatchObject({ purged: 24, released: 12, failed: 0, remaining: false });
    expect(summary.throttled).toBeGreaterThan(0);
    expect(waits).toHaveLength(summary.throttled);
    expect(items.size).toBe(0);
    expect([...instances.values()].every((i) => i.status === 'RELEASED' && i.version === 3)).toBe(true);
    // Data deleted once per kind, even where `finish` was throttled after the deletion.
    expect(new Set(deleted).size).toBe(24);
  });

  it('never has both purges of one instance in flight at once (they would write the same version)', async () => {
    const memory = memoryStore(Array.from({ length: 10 }, (_, i) => `i-${i}`));

    const summary = await purgeRetention(
      { purges: memory.store, data: { delete: async () => {} } },
      { now: 10, concurrency: 8 },
    );

    expect(summary).toMatchObject({ purged: 20, released: 10, contended: 0 });
    expect(memory.overlaps()).toBe(0);
  });

  it('a purge throttled past its attempts fails alone and stays for the next run', async () => {
    const { store, items } = memoryStore(['i-0', 'i-1']);
    const always = {
      ...store,
      instance: async (account: string, id: string) => {
        if (id === 'i-1') throw throttled();
        return store.instance(account, id);
      },
    };

    const summary = await purgeRetention(
      { purges: always, data: { delete: async () => {} }, sleep: async () => {} },
      { now: 10 },
    );

    expect(summary).toMatchObject({ purged: 2, failed: 2, remaining: true });
    expect([...items.keys()].sort()).toEqual(['i-1#CONFIG', 'i-1#LOG']);
  });
});

describe('dispatchPurges', () => {
  it('sends one item per shard with work, in shard order, makes throttled reads again, and reports the lag', async () => {
    const oldest: Record<number, number | null> = { 0: null, 1: 9_000, 2: null, 3: 4_000 };
    let throttles = 2;
    const sent: PurgeWorkItem[] = [];

    const summary = await dispatchPurges(
      {
        purges: {
          dueShardCount: 4,
          oldestDue: async (_now, shard) => {
            if (shard === 3 && throttles-- > 0) throw throttled();
            return oldest[shard] ?? null;
          },
        },
        work: { send: async (items) => void sent.push(...items) },
        sleep: async () => {},
      },
      { now: 10_000 },
    );

    expect(sent).toEqual([
      { shard: 1, now: 10_000 },
      { shard: 3, now: 10_000 },
    ]);
    expect(summary).toEqual({
      now: '1970-01-01T00:00:10.000Z',
      dispatched: 2,
      oldestDueAt: '1970-01-01T00:00:04.000Z',
      lagSeconds: 6,
    });
  });
});

const sqsEvent = (...bodies: string[]): SQSEvent => ({
  Records: bodies.map((body, i) => ({
    messageId: `m-${i}`,
    receiptHandle: `r-${i}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 's',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:purge-work.fifo',
    awsRegion: 'us-east-1',
  })),
});

describe('the purge worker', () => {
  it('purges each work item on its shard, drops a malformed one, and never reports a batch failure', async () => {
    const shards: number[] = [];
    const metrics = recordingMetrics();
    const { store } = memoryStore(['i-0']);
    const handler = createPurgeWorkerHandler({
      purges: {
        ...store,
        due: (now, only) => {
          shards.push(...(only ?? []));
          return store.due(now, only);
        },
      },
      data: { delete: async () => {} },
      logger: silentLogger(),
      metrics,
      onSummary: (_shard, summary) => expect(summary.now).toBe('1970-01-01T00:00:00.010Z'),
    });

    const answer = await handler(
      sqsEvent('{"shard":7,"now":10}', 'not json', '{"shard":-1,"now":10}', '{"shard":8,"now":10}'),
    );

    expect(answer).toEqual({ batchItemFailures: [] });
    expect(shards).toEqual([7, 8]);
    expect(metrics.count('PurgesCompleted')).toBe(2);
  });

  it('a work item that fails is counted in PurgesFailed, and the next item still runs', async () => {
    const metrics = recordingMetrics();
    const { store } = memoryStore(['i-0']);
    let first = true;
    const handler = createPurgeWorkerHandler({
      purges: {
        ...store,
        due: (now, only) => {
          if (first) {
            first = false;
            return {
              next: async () => Promise.reject(new Error('ValidationException')),
              hasMore: () => true,
            };
          }
          return store.due(now, only);
        },
      },
      data: { delete: async () => {} },
      logger: silentLogger(),
      metrics,
    });

    expect(await handler(sqsEvent('{"shard":1,"now":10}', '{"shard":2,"now":10}'))).toEqual({
      batchItemFailures: [],
    });
    expect(metrics.count('PurgesFailed')).toBe(1);
    expect(metrics.count('PurgesCompleted')).toBe(2);
  });
});
