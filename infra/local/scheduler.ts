/**
 * Plays the EventBridge schedules: every interval (60 s locally) each job runs once with the
 * current instant (`now`: the local clock's) as its schedule time. A job still running when
 * the next tick comes is skipped for that tick; `runAll()` (after the local clock moved) waits
 * for it instead, then runs every job once. Each run logs one short line with the summary's counts only — never
 * the summary itself, which could carry ids or personal data.
 */
import { HandlerUnavailableError } from './functions.ts';
import { eventBridgeTime } from './lambda-events.ts';

export interface ScheduledJob {
  name: string;
  /** Runs the job once as the schedule would at `time` (ISO instant); returns its summary. */
  run(time: string): Promise<unknown>;
}

export interface SchedulerOptions {
  jobs: readonly ScheduledJob[];
  intervalMs: number;
  log: (line: string) => void;
  now?: () => number;
}

export interface Scheduler {
  /** Runs every job once now (after a run still going), as a tick would; resolves when all are done. */
  runAll(): Promise<void>;
  stop(): Promise<void>;
}

/** `purged=3 skipped=0 configData.purged=1`: the numeric and boolean fields of a summary, one level deep. */
export function summarizeCounts(summary: unknown): string {
  const parts: string[] = [];
  const visit = (value: unknown, prefix: string, depth: number) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
    for (const [key, field] of Object.entries(value)) {
      if (typeof field === 'number' || typeof field === 'boolean') parts.push(`${prefix}${key}=${field}`);
      else if (Array.isArray(field)) parts.push(`${prefix}${key}=[${field.length}]`);
      else if (depth > 0) visit(field, `${prefix}${key}.`, depth - 1);
    }
  };
  visit(summary, '', 1);
  return parts.length > 0 ? parts.join(' ') : 'done';
}

export function startScheduler(options: SchedulerOptions): Scheduler {
  const now = options.now ?? Date.now;
  const running = new Map<string, Promise<void>>();
  const unavailable = new Set<string>();

  function runJob(job: ScheduledJob): Promise<void> | undefined {
    if (running.has(job.name)) {
      options.log(`${job.name}: previous run still going, skipped`);
      return undefined;
    }
    const time = eventBridgeTime(now());
    const run = job
      .run(time)
      .then(
        (summary) => {
          unavailable.delete(job.name);
          options.log(`${job.name} at ${time}: ${summarizeCounts(summary)}`);
        },
        (error: unknown) => {
          if (error instanceof HandlerUnavailableError) {
            if (!unavailable.has(job.name)) options.log(`${job.name}: ${error.message}; skipped`);
            unavailable.add(job.name);
            return;
          }
          const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          options.log(`${job.name} at ${time} failed: ${what}`);
        },
      )
      .finally(() => running.delete(job.name));
    running.set(job.name, run);
    return run;
  }

  const timer = setInterval(() => {
    for (const job of options.jobs) runJob(job);
  }, options.intervalMs);

  let stopped = false;
  return {
    async runAll() {
      await Promise.all(
        options.jobs.map(async (job) => {
          while (!stopped && running.has(job.name)) await running.get(job.name);
          if (!stopped) await runJob(job);
        }),
      );
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.all(running.values());
    },
  };
}
