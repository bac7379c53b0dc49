/**
 * The local runtime's one clock: the service clock (`#shared/clock.ts`) that every function
 * reads, run ahead of the real time, and the time the schedules fire with. Set at start
 * (`LOCAL_CLOCK`) or while running:
 *
 * - `GET /local/clock` → `{"now", "moved", "offset", "offsetMs"}`;
 * - `POST /local/clock` with exactly one of `{"at": "<ISO-8601 UTC instant>"}` (that instant is
 *   now), `{"offset": "P5D"}` (this far ahead of the real time: an ISO-8601 duration of weeks,
 *   days, hours, minutes and seconds, or whole milliseconds) or `{"reset": true}` (the real time
 *   again) → the same answer as GET, after the schedules have run once at the new time.
 *
 * The clock keeps ticking from where it was put, and never runs behind the real time (the
 * emulators, the stream and the tokens are on the real time). A malformed or unknown body, an
 * `at` in the past, or a lead over ten years is `400 VALIDATION_FAILED` and moves nothing.
 */
import * as z from 'zod/mini';
import { instant, parseOrThrow } from '#schema/common.ts';
import { runLocalClockAhead, serviceClock } from '#shared/clock.ts';
import { RefundError } from '#shared/errors.ts';
import { errorAnswer, type HttpAnswer, jsonAnswer } from './api-event.ts';

export const LOCAL_CLOCK_PATH = '/local/clock';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
/** The farthest the local clock runs ahead. */
export const MAX_LEAD_MS = 3650 * DAY;

/** `P5D`, `PT15M`, `P1DT2H30M`, `PT1.5S`, `P2W`: no years or months (their length varies). */
const ISO_DURATION =
  /^P(?:(\d{1,4})W)?(?:(\d{1,5})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,8})M)?(?:(\d{1,10})(?:\.(\d{1,3}))?S)?)?$/;

/** An ISO-8601 duration of weeks/days/hours/minutes/seconds in milliseconds, or undefined. */
export function parseDuration(text: string): number | undefined {
  const match = ISO_DURATION.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) return undefined;
  const [, w, d, h, m, s, ms] = match;
  const n = (part: string | undefined) => Number(part ?? '0');
  return (
    n(w) * WEEK + n(d) * DAY + n(h) * HOUR + n(m) * MINUTE + n(s) * SECOND + Number((ms ?? '').padEnd(3, '0'))
  );
}

/** Milliseconds as the shortest ISO-8601 duration in days, hours, minutes, seconds: `P5DT1H`, `PT0S`. */
export function formatDuration(ms: number): string {
  const days = Math.floor(ms / DAY);
  const hours = Math.floor((ms % DAY) / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  const millis = ms % MINUTE;
  const seconds =
    millis === 0
      ? ''
      : `${Math.floor(millis / SECOND)}${
          millis % SECOND
            ? `.${String(millis % SECOND)
                .padStart(3, '0')
                .replace(/0+$/, '')}`
            : ''
        }S`;
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds}`;
  if (!days && !time) return 'PT0S';
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

export interface ClockState {
  /** The local clock's time, what every function and schedule reads. */
  now: string;
  /** Whether it runs ahead of the real time. */
  moved: boolean;
  /** How far ahead, as an ISO-8601 duration (`PT0S` when not moved) and in milliseconds. */
  offset: string;
  offsetMs: number;
}

export interface LocalClock {
  now(): number;
  state(): ClockState;
  /** Runs `ms` ahead of the real time from now on (0: the real time). */
  runAhead(ms: number): ClockState;
}

/** The local runtime's clock; there is one service clock per process, so one of these too. */
export function localClock(): LocalClock {
  let aheadMs = 0;
  const state = (): ClockState => ({
    now: new Date(serviceClock.now()).toISOString(),
    moved: aheadMs > 0,
    offset: formatDuration(aheadMs),
    offsetMs: aheadMs,
  });
  return {
    now: () => serviceClock.now(),
    state,
    runAhead(ms) {
      runLocalClockAhead(ms);
      aheadMs = ms;
      return state();
    },
  };
}

const OFFSET_MESSAGE =
  'must be an ISO-8601 duration in weeks, days, hours, minutes and seconds (P5D, PT15M, P1DT2H) or whole milliseconds';

const atSchema = z.strictObject({ at: instant() });

const USAGE =
  'The body must be one of {"at": "2026-04-15T16:00:00.000Z"}, {"offset": "P5D"} or {"reset": true}';

const refuse = (message: string, field: string) =>
  new RefundError('VALIDATION_FAILED', field === '(body)' ? message : `${field}: ${message}`, {
    issues: [{ field, message }],
  });

/**
 * The lead a `POST /local/clock` body asks for, measured at `realNow`; throws
 * `VALIDATION_FAILED` for anything else.
 */
export function requestedLead(body: string, realNow: number): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw refuse(USAGE, '(body)');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw refuse(USAGE, '(body)');
  const fields = parsed as Record<string, unknown>;
  const names = Object.keys(fields);
  if (names.length !== 1) throw refuse(USAGE, '(body)');
  let lead: number;
  switch (names[0]) {
    case 'reset':
      if (fields.reset !== true) throw refuse('must be true', 'reset');
      return 0;
    case 'at':
      lead = parseOrThrow(atSchema, fields).at - realNow;
      if (lead < 0) {
        throw refuse(
          'the local clock never runs behind the real time; send {"reset": true} to return to it',
          'at',
        );
      }
      break;
    case 'offset': {
      const { offset } = fields;
      const ms =
        typeof offset === 'string'
          ? parseDuration(offset)
          : Number.isSafeInteger(offset) && (offset as number) >= 0
            ? (offset as number)
            : undefined;
      if (ms === undefined) throw refuse(OFFSET_MESSAGE, 'offset');
      lead = ms;
      break;
    }
    default:
      throw refuse(USAGE, '(body)');
  }
  if (lead > MAX_LEAD_MS) throw refuse('The local clock runs at most 10 years (P3650D) ahead', '(body)');
  return lead;
}

/**
 * `GET`/`POST /local/clock`, for `createApiServer({localRoutes})`. `moved` runs after each move
 * (the schedules, once at the new time) and before the answer.
 */
export function clockRoutes(clock: LocalClock, moved: (state: ClockState) => Promise<void>) {
  return async (method: string, rawPath: string, body: string): Promise<HttpAnswer | undefined> => {
    if (rawPath !== LOCAL_CLOCK_PATH) return undefined;
    if (method === 'GET') return jsonAnswer(200, clock.state());
    if (method !== 'POST') return undefined;
    let lead: number;
    try {
      lead = requestedLead(body, Date.now());
    } catch (error) {
      if (!(error instanceof RefundError)) throw error;
      return errorAnswer(error.code, error.message, error.details);
    }
    await moved(clock.runAhead(lead));
    return jsonAnswer(200, clock.state());
  };
}
