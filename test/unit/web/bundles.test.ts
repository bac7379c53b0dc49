/**
 * The web app's two bundles: the customer console (`console.js`) keeps its budget (the bench's
 * 60 KiB gzipped) and carries none of the operator console, which is its own module
 * (`ops/ops.js`, loaded only by `ops/index.html`) with a budget of its own.
 */
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildConsole, type ConsoleAssets } from '../../../web/build.ts';

/** bench/console.ts: CONSOLE_JS_GZIP_BUDGET_BYTES (not imported: that module starts runtimes). */
const CUSTOMER_BUDGET = 60 * 1024;
const OPS_BUDGET = 60 * 1024;

let assets: ConsoleAssets;
beforeAll(async () => {
  assets = await buildConsole();
}, 60_000);

const gzipped = (text: string) => gzipSync(text, { level: 9 }).length;

describe('web bundles', () => {
  it('keeps the customer page within its budget, without any of the back office', () => {
    expect(gzipped(assets['console.js'])).toBeLessThanOrEqual(CUSTOMER_BUDGET);
    for (const opsOnly of [
      'Refund back office',
      'Retry settlement now',
      '/ops/queues',
      'Approving carries it out',
    ])
      expect(assets['console.js'], opsOnly).not.toContain(opsOnly);
  });

  it('builds the operator console as its own module within its budget', () => {
    expect(gzipped(assets['ops/ops.js'])).toBeLessThanOrEqual(OPS_BUDGET);
    expect(assets['ops/ops.js'].includes('/ops/queues')).toBe(true);
    // The customer screens stay out (the shared words and refusals come along).
    expect(assets['ops/ops.js'].includes('Confirm Unsubscription Information')).toBe(false);
  });

  it('loads each page its own script, and the one stylesheet', () => {
    const scripts = (html: string) => [...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]);
    const styles = (html: string) =>
      [...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts(assets['index.html'])).toEqual(['console.js']);
    expect(scripts(assets['ops/index.html'])).toEqual(['ops.js']);
    expect(styles(assets['index.html'])).toEqual(['console.css']);
    expect(styles(assets['ops/index.html'])).toEqual(['../console.css']);
  });
});
