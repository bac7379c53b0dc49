import { describe, expect, it } from 'vitest';
import { formatDuration, MAX_LEAD_MS, parseDuration, requestedLead } from '#infra/local/clock.ts';
import type { RefundError } from '#shared/errors.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-04-10T15:30:00.000Z');

describe('the local clock: durations', () => {
  it.each([
    ['P5D', 5 * DAY],
    ['PT15M', 15 * MINUTE],
    ['P1DT2H30M', DAY + 2 * HOUR + 30 * MINUTE],
    ['PT1.5S', 1500],
    ['PT0.25S', 250],
    ['P2W', 14 * DAY],
    ['PT0S', 0],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['P', 'PT', 'P1M', 'P1Y', '5D', 'P-1D', 'P1DT', 'PT1.2345S', 'p5d', ' P5D'])(
    'refuses %s',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );

  it.each([
    [0, 'PT0S'],
    [5 * DAY, 'P5D'],
    [16 * MINUTE, 'PT16M'],
    [3 * DAY + HOUR, 'P3DT1H'],
    [DAY + 1500, 'P1DT1.5S'],
    [250, 'PT0.25S'],
  ])('writes %i ms as %s, which reads back', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});

describe('the local clock: what a POST asks for', () => {
  it.each([
    ['an offset', { offset: 'P5D' }, 5 * DAY],
    ['an offset in milliseconds', { offset: 90_000 }, 90_000],
    ['an instant', { at: '2026-04-15T15:30:00.000Z' }, 5 * DAY],
    ['the real time', { at: '2026-04-10T15:30:00Z' }, 0],
    ['a reset', { reset: true }, 0],
    ['the farthest lead', { offset: MAX_LEAD_MS }, MAX_LEAD_MS],
  ])('reads %s', (_, body, lead) => {
    expect(requestedLead(JSON.stringify(body), NOW)).toBe(lead);
  });

  it.each([
    ['not JSON', 'P5D'],
    ['an empty body', ''],
    ['an array', '[]'],
    ['nothing to do', '{}'],
    ['an instant in the past', '{"at":"2026-04-10T15:29:59.999Z"}'],
    ['an instant that is no date', '{"at":"2026-02-30T00:00:00Z"}'],
    ['an offset in months', '{"offset":"P1M"}'],
    ['a fractional number of milliseconds', '{"offset":1.5}'],
    ['reset: false', '{"reset":false}'],
    ['two moves', '{"at":"2026-04-15T15:30:00Z","offset":"P5D"}'],
    ['past ten years', `{"offset":${MAX_LEAD_MS + 1}}`],
  ])('refuses %s with VALIDATION_FAILED', (_, body) => {
    expect(() => requestedLead(body, NOW)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }) as unknown as RefundError,
    );
  });
});
