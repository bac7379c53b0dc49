/**
 * The retention purger (SPEC 3.5): deletes every retained data kind whose deadline has come,
 * never one millisecond early, and releases an instance once both kinds are purged. A worker
 * runs it over one shard of the due index (`shard`); without one it walks every shard.
 *
 * Steps of one run at `now` (the dispatch's schedule time):
 * 1. Walk the due purges in due-time order (a key range on the sparse, sharded `due` index,
 *    merged across the shards asked for — never a scan), keeping up to `concurrency` purges
 *    in flight, until nothing is due, `maxItems` were handled or `shouldStop()` says the time
 *    budget is spent; whatever is left waits for the next run.
 * 2. Per due purge:
 *    a. Read the instance. If it is `UNSUBSCRIBED` with that kind `RETAINED`, record the purge
 *       with one conditional write of the instance: the kind → `PURGED` with `purgedAt = now`
 *       (and the instance → `RELEASED` when the other kind is already `PURGED`), version + 1,
 *       conditioned on the version, the status, the kind being `RETAINED` and its deadline
 *       being `<= now`. A restore by renewal (which conditions on the same version, and deletes
 *       the purge items of the kinds it restores) and this write cannot both win; a restore
 *       after it leaves a `PURGED` kind, and its purge item, alone.
 *    b. Then delete the data through the `RetainedDataStore` port (idempotent), and only then
 *       remove the purge item from the due index. A run that stops between a and b leaves the
 *       purge item on the index and the instance showing the kind `PURGED`: that pair is a
 *       recorded purge, and the next run finishes it. The data is deleted only after the purge
 *       is recorded, so a restore racing a purge can never end with the instance showing
 *       `RESTORED` data that was already deleted.
 *    c. If the write did not apply, find out why: the purge item is gone (an overlapping run or
 *       a restore got there first) → skip; recorded (the instance shows the kind `PURGED` for
 *       this deadline, or the item is marked done) but not finished → finish it (b) if it was
 *       recorded more than `FINISH_LEASE_MS` ago (its run stopped), else leave it to the run
 *       still finishing it; rescheduled later → skip; the instance no longer holds that kind
 *       otherwise → the purge item is stale, remove it; otherwise the instance changed under
 *       us → read it again (3 attempts).
 * 3. Throttling slows the run down instead of failing it: a call the store throttled
 *    (`ThrottledError`, nothing was changed) is made again, in place, after a jittered wait that
 *    doubles with each attempt (`#use-cases/throttle.ts`), and the purges in flight are halved
 *    (then grow back by one each time as many purges as are in flight have completed). Only
 *    when the attempts or the time budget run out does the purge count as failed; it stays on
 *    the index for the next run.
 * 4. Report the counts and whether work remains.
 */

import { toIso } from '#policy/index.ts';
import type { DuePurge, PurgeStore } from '#ports/purges.ts';
import type { RetainedDataStore } from '#ports/retained-data.ts';
import type { Millis } from '#shared/domain.ts';
import type { DataKind, InstanceRecord, RetainedData } from '#shared/model.ts';
import { withThrottleRetry } from './throttle.ts';

export const DEFAULT_MAX_ITEMS_PER_RUN = 1_000;
/**
 * A purge recorded less than this long before `now` is still being finished by the run that
 * recorded it (an overlapping run leaves it alone, so no data is deleted twice); older, that
 * run must have stopped, and this run finishes it. The longest a Lambda function can run.
 */
export const FINISH_LEASE_MS = 15 * 60_000;
export const DEFAULT_CONCURRENCY = 8;
const ATTEMPTS = 3;

export interface PurgeDeps {
  purges: PurgeStore;
  data: RetainedDataStore;
  observe?: (event: PurgeEvent) => void;
  /** Waits between throttled attempts (default: a timer). */
  sleep?: (ms: number) => Promise<void>;
}

export type PurgeOutcome =
  /** Recorded and deleted by this run. */
  | 'PURGED'
  /** Recorded and deleted by this run, and the instance became RELEASED. */
  | 'RELEASED'
  /** Recorded by an earlier run that stopped before deleting (longer ago than the lease); this run deleted the data. */
  | 'COMPLETED'
  /** Recorded by another run within the lease: that run is deleting the data (or the next run after the lease will). */
  | 'IN_PROGRESS'
  /** Nothing to do: done by an overlapping run, cancelled by a restore, or rescheduled. */
  | 'SKIPPED'
  /** A stale purge item of an instance that no longer holds that kind: removed. */
  | 'DISCARDED'
  /** The instance kept changing: left for the next run. */
  | 'CONTENDED';

export type PurgeEvent =
  | { type: 'PURGE'; accountId: string; instanceId: string; kind: DataKind; outcome: PurgeOutcome }
  | { type: 'PURGE_FAILED'; accountId: string; instanceId: string; kind: DataKind; error: unknown };

export interface PurgeOptions {
  now: Millis;
  maxItems?: number;
  /** Checked before each purge starts; true when the run should stop to finish in time. */
  shouldStop?: () => boolean;
  /** Purges in flight at most (default 8). */
  concurrency?: number;
  /** Only this shard of the due index (a worker's work item); default every shard. */
  shard?: number;
}

export interface PurgeSummary {
  now: string;
  purged: number;
  released: number;
  completed: number;
  skipped: number;
  inProgress: number;
  discarded: number;
  contended: number;
  failed: number;
  /** Calls the store throttled and this run made again after a wait. */
  throttled: number;
  purgedKinds: { configData: number; logData: number };
  remaining: boolean;
  stoppedBy: 'DONE' | 'MAX_ITEMS' | 'TIME_BUDGET';
}

const instanceKey = (item: DuePurge) => `${item.accountId}#${item.instanceId}`;
const retentionField = (kind: DataKind): 'configData' | 'logData' =>
  kind === 'CONFIG' ? 'configData' : 'logData';
const otherKind = (kind: DataKind): DataKind => (kind === 'CONFIG' ? 'LOG' : 'CONFIG');

/**
 * Step 3: how fast a run may go while the store throttles. Every store call goes through
 * `call`; the run starts a purge only while fewer than `limit` are in flight.
 */
class Pace {
  limit: number;
  throttled = 0;
  #completed = 0;
  readonly #max: number;
  readonly #sleep: ((ms: number) => Promise<void>) | undefined;
  readonly #shouldStop: () => boolean;

  constructor(max: number, sleep: ((ms: number) => Promise<void>) | undefined, shouldStop: () => boolean) {
    this.limit = max;
    this.#max = max;
    this.#sleep = sleep;
    this.#shouldStop = shouldStop;
  }

  call<T>(send: () => Promise<T>): Promise<T> {
    return withThrottleRetry(send, {
      ...(this.#sleep ? { sleep: this.#sleep } : {}),
      shouldStop: this.#shouldStop,
      onThrottle: () => {
        this.throttled += 1;
        this.limit = Math.max(1, Math.floor(this.limit / 2));
        this.#completed = 0;
      },
    });
  }

  /** One purge done: after as many as may be in flight, one more may be. */
  completed(): void {
    if (this.limit >= this.#max) return;
    this.#completed += 1;
    if (this.#completed >= this.limit) {
      this.limit += 1;
      this.#completed = 0;
    }
  }
}

export async function purgeRetention(deps: PurgeDeps, options: PurgeOptions): Promise<PurgeSummary> {
  const { now } = options;
  const maxItems = options.maxItems ?? DEFAULT_MAX_ITEMS_PER_RUN;
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const shouldStop = options.shouldStop ?? (() => false);
  const pace = new Pace(concurrency, deps.sleep, shouldStop);
  const summary: PurgeSummary = {
    now: toIso(now),
    purged: 0,
    released: 0,
    completed: 0,
    skipped: 0,
    inProgress: 0,
    discarded: 0,
    contended: 0,
    failed: 0,
    throttled: 0,
    purgedKinds: { configData: 0, logData: 0 },
    remaining: false,
    stoppedBy: 'DONE',
  };
  const tally = (item: DuePurge, outcome: PurgeOutcome) => {
    const { accountId, instanceId, kind } = item;
    deps.observe?.({ type: 'PURGE', accountId, instanceId, kind, outcome });
    if (outcome === 'PURGED' || outcome === 'RELEASED') {
      summary.purged += 1;
      summary.purgedKinds[retentionField(kind)] += 1;
      if (outcome === 'RELEASED') summary.released += 1;
    } else if (outcome === 'COMPLETED') summary.completed += 1;
    else if (outcome === 'SKIPPED') summary.skipped += 1;
    else if (outcome === 'IN_PROGRESS') summary.inProgress += 1;
    else if (outcome === 'DISCARDED') summary.discarded += 1;
    else summary.contended += 1;
  };
  const fail = (item: DuePurge, error: unknown) => {
    const { accountId, instanceId, kind } = item;
    summary.failed += 1;
    deps.observe?.({ type: 'PURGE_FAILED', accountId, instanceId, kind, error });
  };

  const cursor = deps.purges.due(now, options.shard === undefined ? undefined : [options.shard]);
  const inFlight = new Set<Promise<void>>();
  /** Instances with a purge in flight, and due purges waiting for them. */
  const busy = new Set<string>();
  const held: DuePurge[] = [];
  let handled = 0;
  try {
    for (;;) {
      if (shouldStop()) {
        summary.stoppedBy = 'TIME_BUDGET';
        break;
      }
      if (inFlight.size >= pace.limit) {
        await Promise.race(inFlight);
        continue;
      }
      // A purge of an instance whose other kind is in flight waits for it (both would write
      // the same instance version: one would lose and read again).
      const waiting = held.findIndex((d) => !busy.has(instanceKey(d)));
      let item = waiting >= 0 ? held.splice(waiting, 1)[0] : undefined;
      if (!item) {
        if (handled >= maxItems) {
          if (held.length > 0) {
            await Promise.race(inFlight);
            continue;
          }
          summary.stoppedBy = 'MAX_ITEMS';
          break;
        }
        const next = await pace.call(() => cursor.next());
        if (!next) {
          if (inFlight.size === 0) break;
          await Promise.race(inFlight);
          continue;
        }
        handled += 1;
        if (busy.has(instanceKey(next))) {
          held.push(next);
          continue;
        }
        item = next;
      }
      const started = item;
      busy.add(instanceKey(started));
      const task: Promise<void> = purgeOne(deps, started, now, (send) => pace.call(send))
        .then(
          (outcome) => {
            pace.completed();
            tally(started, outcome);
          },
          (error: unknown) => fail(started, error),
        )
        .finally(() => {
          inFlight.delete(task);
          busy.delete(instanceKey(started));
        });
      inFlight.add(task);
    }
  } finally {
    await Promise.all(inFlight);
    summary.throttled = pace.throttled;
  }
  summary.remaining =
    cursor.hasMore() || held.length > 0 || summary.failed + summary.contended + summary.inProgress > 0;
  return summary;
}

/** Step 2 for one due purge; every store call goes through `step` (step 3). */
async function purgeOne(
  deps: PurgeDeps,
  item: DuePurge,
  now: Millis,
  step: <T>(send: () => Promise<T>) => Promise<T>,
): Promise<PurgeOutcome> {
  if (item.purgeAt > now) return 'SKIPPED';
  const { purges, data } = deps;
  const ref = { accountId: item.accountId, instanceId: item.instanceId, kind: item.kind };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const instance = await step(() => purges.instance(item.accountId, item.instanceId));
    const held = holdsRetained(instance, item.kind);
    if (instance && held) {
      const other = instance.retention?.[retentionField(otherKind(item.kind))];
      const release = other?.status === 'PURGED';
      if (await step(() => purges.record(item, { now, instanceVersion: instance.version, release }))) {
        await step(() => data.delete(ref));
        await step(() => purges.finish(item));
        return release ? 'RELEASED' : 'PURGED';
      }
    }
    const state = await step(() => purges.purgeItem(item));
    if (!state) return 'SKIPPED';
    const recordedAt = state.purgedAt ?? recordedOn(instance, item.kind, state.purgeAt);
    if (recordedAt !== null) {
      if (now - recordedAt < FINISH_LEASE_MS) return 'IN_PROGRESS';
      await step(() => data.delete(ref));
      await step(() => purges.finish(item));
      return 'COMPLETED';
    }
    if (state.purgeAt > now) return 'SKIPPED';
    if (!held) {
      await step(() => purges.discard(item, state.purgeAt));
      return 'DISCARDED';
    }
  }
  return 'CONTENDED';
}

/** When the instance recorded this kind's purge for the deadline `purgeAt`, or null if it did not. */
function recordedOn(instance: InstanceRecord | null, kind: DataKind, purgeAt: Millis): Millis | null {
  const retained = instance?.retention?.[retentionField(kind)];
  return retained?.status === 'PURGED' && retained.purgeAt === purgeAt ? (retained.purgedAt ?? null) : null;
}

function holdsRetained(instance: InstanceRecord | null, kind: DataKind): RetainedData | null {
  if (instance?.status !== 'UNSUBSCRIBED') return null;
  const retained = instance.retention?.[retentionField(kind)];
  return retained?.status === 'RETAINED' ? retained : null;
}
