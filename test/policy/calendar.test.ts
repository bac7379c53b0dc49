import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  billingDay,
  ceilDays,
  DAY_MS,
  nextBillingMidnight,
  quotaYear,
  retentionDeadlines,
  startOfBillingDay,
  toIso,
} from '#policy/index.ts';
import { dayOfDate, weekday, yearOfDay } from '#policy/time.ts';
import { at } from './helpers.ts';

/** Instants the Date object can represent, ±10,000 years around the epoch. */
const anyInstant = fc.integer({ min: -8.64e15 + DAY_MS, max: 8.64e15 - DAY_MS });

describe('quotaYear: the UTC+8 calendar year', () => {
  it.each([
    ['2026-12-31T15:59:59.999Z', 2026],
    ['2026-12-31T16:00:00.000Z', 2027],
    ['2026-12-31T17:00:00.000Z', 2027],
    ['2026-01-01T00:00:00.000Z', 2026],
    ['2025-12-31T16:00:00.000Z', 2026],
    ['2025-12-31T15:59:59.999Z', 2025],
    ['2028-02-29T12:00:00.000Z', 2028],
    ['2000-12-31T16:00:00.000Z', 2001],
    ['1969-12-31T16:00:00.000Z', 1970],
    ['1969-12-31T15:59:59.999Z', 1969],
  ])('%s → %i', (instant, year) => {
    expect(quotaYear(at(instant))).toBe(year);
  });

  it('agrees with Date on the shifted instant everywhere (no Date in the hot path)', () => {
    fc.assert(
      fc.property(anyInstant, (t) => {
        expect(quotaYear(t)).toBe(new Date(t + 8 * 3_600_000).getUTCFullYear());
      }),
    );
  });

  it('yearOfDay agrees with Date for every day number', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000_000, max: 100_000_000 }), (day) => {
        expect(yearOfDay(day)).toBe(new Date(day * DAY_MS).getUTCFullYear());
      }),
    );
  });
});

describe('UTC+8 days', () => {
  it.each([
    ['2026-04-10T15:59:59.999Z', '2026-04-10T16:00:00.000Z'],
    ['2026-04-10T16:00:00.000Z', '2026-04-11T16:00:00.000Z'],
    ['2026-04-10T16:00:00.001Z', '2026-04-11T16:00:00.000Z'],
    ['2026-04-10T00:00:00.000Z', '2026-04-10T16:00:00.000Z'],
    ['2028-02-28T16:00:00.000Z', '2028-02-29T16:00:00.000Z'],
    ['2026-12-31T16:00:00.000Z', '2027-01-01T16:00:00.000Z'],
  ])('the next 00:00 UTC+8 strictly after %s is %s', (t, midnight) => {
    expect(nextBillingMidnight(at(t))).toBe(at(midnight));
  });

  it('the next midnight is a UTC+8 midnight, after t and at most a day later', () => {
    fc.assert(
      fc.property(anyInstant, (t) => {
        const m = nextBillingMidnight(t);
        expect(m).toBeGreaterThan(t);
        expect(m - t).toBeLessThanOrEqual(DAY_MS);
        expect(startOfBillingDay(billingDay(m))).toBe(m);
        expect(toIso(m).endsWith('T16:00:00.000Z')).toBe(true);
      }),
    );
  });

  it.each([
    ['2026-11-27', 5],
    ['2026-11-28', 6],
    ['2026-11-29', 0],
    ['2026-11-30', 1],
    ['1970-01-01', 4],
    ['1969-12-28', 0],
  ])('%s is weekday %i (0 = Sunday)', (date, wd) => {
    const day = dayOfDate(date);
    expect(day).toBeDefined();
    expect(weekday(day as number)).toBe(wd);
  });

  it.each(['2026-02-29', '2026-13-01', '2026-1-01', '20260101', '', '2026-01-01T00:00:00Z', '2026-04-31'])(
    '%j is not a calendar date',
    (date) => {
      expect(dayOfDate(date)).toBeUndefined();
    },
  );

  it.each([
    [0, 0],
    [1, 1],
    [DAY_MS, 1],
    [DAY_MS + 1, 2],
    [36 * 3_600_000, 2],
  ])('ceilDays(%i) = %i', (ms, days) => {
    expect(ceilDays(ms)).toBe(days);
  });
});

describe('retentionDeadlines (SPEC 2.4)', () => {
  it.each([
    {
      t: '2026-04-10T15:30:00.000Z',
      log: '2026-04-10T16:00:00.000Z',
      config: '2026-04-17T15:30:00.000Z',
    },
    {
      t: '2026-04-10T16:00:00.000Z', // exactly 00:00 UTC+8 → the next midnight
      log: '2026-04-11T16:00:00.000Z',
      config: '2026-04-17T16:00:00.000Z',
    },
    {
      t: '2026-04-10T15:59:59.999Z',
      log: '2026-04-10T16:00:00.000Z',
      config: '2026-04-17T15:59:59.999Z',
    },
    {
      t: '2028-02-28T23:00:00.000Z', // 07:00 on the 29th UTC+8
      log: '2028-02-29T16:00:00.000Z',
      config: '2028-03-06T23:00:00.000Z',
    },
  ])('unsubscribed $t → log data $log, configuration $config', ({ t, log, config }) => {
    expect(retentionDeadlines(at(t))).toEqual({ logDataPurgeAt: at(log), configDataPurgeAt: at(config) });
  });
});
