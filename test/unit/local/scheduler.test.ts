import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HandlerUnavailableError } from '#infra/local/functions.ts';
import { type Scheduler, startScheduler } from '#infra/local/scheduler.ts';

const START = Date.parse('2026-04-10T15:30:00.250Z');

describe('startScheduler', () => {
  let scheduler: Scheduler | undefined;
  let logs: string[];

  beforeEach(() => {
    vi.useFakeTimers({ now: START });
    logs = [];
  });

  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
    vi.useRealTimers();
  });

  it('runs every job once per interval with the EventBridge time of the tick, and logs counts only', async () => {
    const times: string[] = [];
    scheduler = startScheduler({
      intervalMs: 60_000,
      log: (line) => logs.push(line),
      jobs: [
        {
          name: 'purger',
          run: async (time) => {
            times.push(time);
            return { purged: 2, accountId: 'acct-secret' };
          },
        },
      ],
    });

    await vi.advanceTimersByTimeAsync(59_999);
    expect(times).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(60_000);

    expect(times).toEqual(['2026-04-10T15:31:00Z', '2026-04-10T15:32:00Z']);
    expect(logs).toEqual([
      'purger at 2026-04-10T15:31:00Z: purged=2',
      'purger at 2026-04-10T15:32:00Z: purged=2',
    ]);
  });

  it('skips a tick while the previous run of the same job is still going', async () => {
    let runs = 0;
    let finish: () => void = () => {};
    scheduler = startScheduler({
      intervalMs: 1000,
      log: (line) => logs.push(line),
      jobs: [
        {
          name: 'reconciler',
          run: () => {
            runs++;
            return new Promise((resolve) => {
              finish = () => resolve({ enqueued: 0 });
            });
          },
        },
      ],
    });

    await vi.advanceTimersByTimeAsync(3000);
    expect(runs).toBe(1);
    expect(logs.filter((l) => l.includes('skipped'))).toHaveLength(2);

    finish();
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(2);
    finish();
  });

  it('reports a missing function once and a failure per run, and keeps ticking', async () => {
    let calls = 0;
    scheduler = startScheduler({
      intervalMs: 1000,
      log: (line) => logs.push(line),
      jobs: [
        {
          name: 'purger',
          run: async () => {
            throw new HandlerUnavailableError('purger', 'does not exist (yet)');
          },
        },
        {
          name: 'reconciler',
          run: async () => {
            calls++;
            throw new Error('boom');
          },
        },
      ],
    });

    await vi.advanceTimersByTimeAsync(3000);

    expect(logs.filter((l) => l.startsWith('purger'))).toEqual([
      'purger: functions/purger.ts does not exist (yet); skipped',
    ]);
    expect(calls).toBe(3);
    expect(logs.filter((l) => l.startsWith('reconciler'))).toHaveLength(3);
    expect(logs.at(-1)).toMatch(/^reconciler at .* failed: Error: boom$/);
  });

  it('stops ticking on stop()', async () => {
    let runs = 0;
    scheduler = startScheduler({
      intervalMs: 1000,
      log: () => {},
      jobs: [{ name: 'purger', run: async () => void runs++ }],
    });
    await vi.advanceTimersByTimeAsync(1000);

    await scheduler.stop();
    await vi.advanceTimersByTimeAsync(5000);

    expect(runs).toBe(1);
  });

  it('fires with the time of the clock it is given (the local clock, ahead of the real one)', async () => {
    const times: string[] = [];
    const ahead = 5 * 86_400_000;
    scheduler = startScheduler({
      intervalMs: 60_000,
      now: () => Date.now() + ahead,
      log: () => {},
      jobs: [{ name: 'purger', run: async (time) => void times.push(time) }],
    });

    await vi.advanceTimersByTimeAsync(60_000);

    expect(times).toEqual(['2026-04-15T15:31:00Z']);
  });

  it('runAll() runs every job once at once, after a run still going, and resolves when they are done', async () => {
    const times: Record<string, string[]> = { purger: [], reconciler: [] };
    let finish: () => void = () => {};
    let slow = true;
    scheduler = startScheduler({
      intervalMs: 60_000,
      log: () => {},
      jobs: [
        { name: 'purger', run: async (time) => void times.purger?.push(time) },
        {
          name: 'reconciler',
          run: (time) => {
            times.reconciler?.push(time);
            if (!slow) return Promise.resolve({});
            return new Promise((resolve) => {
              finish = () => resolve({});
            });
          },
        },
      ],
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(times.reconciler).toHaveLength(1);

    let done = false;
    const all = scheduler.runAll().then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(done).toBe(false);
    expect(times.purger).toEqual(['2026-04-10T15:31:00Z', '2026-04-10T15:31:00Z']);

    slow = false;
    finish();
    await all;

    expect(times.reconciler).toEqual(['2026-04-10T15:31:00Z', '2026-04-10T15:31:01Z']);
  });
});
