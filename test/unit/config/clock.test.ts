/**
 * The service clock (`#shared/clock.ts`): the local runtime can run it ahead, the cloud never:
 * the setter refuses inside Lambda and no function bundle carries it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ClockNotMovableError, realClock, runLocalClockAhead, serviceClock } from '#shared/clock.ts';
import { CDK_ESBUILD_OPTIONS, cdkBundle, STRIPE_ESBUILD_OPTIONS } from '../../../bench/support/cdk-bundle.ts';

const DAY = 86_400_000;
/** Text only the setter carries (its refusal). */
const SETTER_MARK = 'cannot be moved inside AWS Lambda';

afterEach(() => runLocalClockAhead(0, {}));

describe('the service clock', () => {
  it('reads the real time until it is run ahead, then the real time plus the lead', () => {
    const before = Date.now();
    expect(serviceClock.now()).toBeGreaterThanOrEqual(before);
    expect(serviceClock.now()).toBeLessThan(before + DAY);

    runLocalClockAhead(5 * DAY, {});

    expect(serviceClock.now()).toBeGreaterThanOrEqual(before + 5 * DAY);
    expect(serviceClock.now()).toBeLessThan(before + 6 * DAY);
    expect(realClock.now()).toBeLessThan(before + DAY);
  });

  it('goes back to the real time with a lead of 0', () => {
    runLocalClockAhead(5 * DAY, {});
    runLocalClockAhead(0, {});

    expect(serviceClock.now()).toBeLessThan(Date.now() + DAY);
  });

  it('cannot be moved inside Lambda (AWS_LAMBDA_FUNCTION_NAME is set)', () => {
    expect(() => runLocalClockAhead(5 * DAY, { AWS_LAMBDA_FUNCTION_NAME: 'refund-service-quote' })).toThrow(
      ClockNotMovableError,
    );
    expect(serviceClock.now()).toBeLessThan(Date.now() + DAY);
  });

  it.each([
    ['negative', -1],
    ['fractional', 1.5],
    ['not a number', Number.NaN],
  ])('refuses a %s lead', (_, ms) => {
    expect(() => runLocalClockAhead(ms, {})).toThrow(RangeError);
  });
});

describe('a function bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clock-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('carries the setter when something imports it (the check below can see it)', {
    timeout: 60_000,
  }, async () => {
    const contents = "import { runLocalClockAhead } from '#shared/clock.ts'; runLocalClockAhead(1);";
    const bundle = await cdkBundle({ contents }, join(dir, 'control'));

    expect(readFileSync(bundle.file, 'utf8')).toContain(SETTER_MARK);
  });

  it.each([
    ['quote', CDK_ESBUILD_OPTIONS],
    ['refund-processor', STRIPE_ESBUILD_OPTIONS],
    ['stripe-webhook', STRIPE_ESBUILD_OPTIONS],
  ] as const)(
    'of %s does not carry the setter',
    {
      timeout: 60_000,
    },
    async (name, options) => {
      const bundle = await cdkBundle({ entry: `functions/${name}.ts` }, join(dir, name), options);

      expect(readFileSync(bundle.file, 'utf8')).not.toContain(SETTER_MARK);
    },
  );
});
