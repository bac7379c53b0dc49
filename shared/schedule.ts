import type { ScheduledEvent } from 'aws-lambda';

/** What the scheduled functions read of an EventBridge event: its `time` is their `now`. */
export type ScheduleEvent = Pick<ScheduledEvent, 'time'>;

/** The instant a scheduled event stands for; anything unparsable is refused, never replaced by the clock. */
export function scheduleTime(event: { time?: unknown } | null | undefined): number {
  const now = typeof event?.time === 'string' ? Date.parse(event.time) : Number.NaN;
  if (!Number.isFinite(now)) throw new TypeError('The scheduled event has no valid `time`');
  return now;
}
