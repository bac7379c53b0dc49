/**
 * The purge dispatcher (SPEC 3.5), run every minute by the schedule: it does no purging
 * itself, it splits the due work so that many workers can purge in parallel.
 *
 * 1. Find the shards of the due index with purges due at `now`: per shard, a read of its
 *    oldest due purge (one item; never a scan), a few shards at a time, each read made again
 *    after a backoff while DynamoDB throttles it (`#use-cases/throttle.ts`).
 * 2. Send one work item per such shard — "everything due at `now` on shard s" — to the work
 *    queue, where at most one worker drains a shard at a time (`#adapters/sqs-purge-work.ts`).
 *    A shard still being drained gets its item queued behind the running one.
 * 3. Report how many shards have work and how late the oldest due purge is (the purge lag
 *    the stack alarms on). A purge due at `now` has a lag of zero.
 */
import { toIso } from '#policy/index.ts';
import type { PurgeWorkQueue } from '#ports/purge-work.ts';
import type { PurgeStore } from '#ports/purges.ts';
import type { Millis } from '#shared/domain.ts';
import { withThrottleRetry } from './throttle.ts';

/** Shards read at once. */
const READS_IN_FLIGHT = 8;

export interface DispatchDeps {
  purges: Pick<PurgeStore, 'dueShardCount' | 'oldestDue'>;
  work: PurgeWorkQueue;
  /** Waits between throttled attempts (default: a timer). */
  sleep?: (ms: number) => Promise<void>;
}

export interface DispatchSummary {
  now: string;
  /** Work items sent: one per shard with purges due. */
  dispatched: number;
  /** The earliest deadline still due, or null when nothing is due. */
  oldestDueAt: string | null;
  /** How long the oldest due purge has been due, in whole seconds (0 when nothing is). */
  lagSeconds: number;
}

export async function dispatchPurges(deps: DispatchDeps, options: { now: Millis }): Promise<DispatchSummary> {
  const { now } = options;
  const oldest: (Millis | null)[] = Array.from({ length: deps.purges.dueShardCount }, () => null);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(READS_IN_FLIGHT, oldest.length) }, async () => {
      for (let shard = next++; shard < oldest.length; shard = next++) {
        oldest[shard] = await withThrottleRetry(
          () => deps.purges.oldestDue(now, shard),
          deps.sleep ? { sleep: deps.sleep } : {},
        );
      }
    }),
  );
  const due = oldest.flatMap((at, shard) => (at === null ? [] : [{ shard, at }]));
  await deps.work.send(due.map(({ shard }) => ({ shard, now })));
  const earliest = due.reduce<Millis | null>((min, d) => (min === null || d.at < min ? d.at : min), null);
  return {
    now: toIso(now),
    dispatched: due.length,
    oldestDueAt: earliest === null ? null : toIso(earliest),
    lagSeconds: earliest === null ? 0 : Math.max(0, Math.floor((now - earliest) / 1000)),
  };
}
