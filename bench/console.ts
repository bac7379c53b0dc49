/**
 * The console's budget: the page's JS gzipped (≤ 60 KiB) and the first screen interactive
 * (≤ 1 s): from navigation start until the signed-in instance list is on the page, in
 * headless Chromium against the local runtime with the demo data (median of a few loads).
 *
 * The local runtime starts once per process and `bench/api.ts` starts its own, so the
 * measurement runs in a child process: `npx node bench/console.ts` prints its JSON.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { startLocalRuntime } from '#infra/local/runtime.ts';
import { launchBrowser } from '#test/support/browser.ts';
import { buildConsole } from '../web/build.ts';
import { median } from './support/stats.ts';

export const CONSOLE_JS_GZIP_BUDGET_BYTES = 60 * 1024;
export const CONSOLE_INTERACTIVE_BUDGET_MS = 1000;

export interface ConsoleFigures {
  jsBytes: number;
  jsGzipBytes: number;
  /** The operator console's own bundle (`ops/ops.js`), which the customer page never loads. */
  opsJsBytes: number;
  opsJsGzipBytes: number;
  interactiveMs: number;
  loads: number;
}

export async function measureConsole(opts: { quick: boolean }): Promise<ConsoleFigures> {
  const assets = await buildConsole();
  const js = assets['console.js'];
  const opsJs = assets['ops/ops.js'];
  const runtime = await startLocalRuntime({ seed: true, schedule: false, log: () => {} });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(`${runtime.url}/`);
    await page.waitForSelector('body[data-ready=true]');
    await page.click('button[type=submit]');
    await page.waitForSelector('table');
    const loads = opts.quick ? 2 : 7;
    const times: number[] = [];
    // The first load warms the server's handlers; it is not counted.
    for (let i = 0; i <= loads; i++) {
      await page.goto(`${runtime.url}/#/resources`, { waitUntil: 'domcontentloaded' });
      await page.reload({ waitUntil: 'domcontentloaded' });
      await page.waitForSelector('tbody tr', { timeout: 10_000 });
      const ms = await page.evaluate(() => performance.now());
      if (i > 0) times.push(ms);
    }
    return {
      jsBytes: Buffer.byteLength(js),
      jsGzipBytes: gzipSync(js, { level: 9 }).length,
      opsJsBytes: Buffer.byteLength(opsJs),
      opsJsGzipBytes: gzipSync(opsJs, { level: 9 }).length,
      interactiveMs: median(times),
      loads,
    };
  } finally {
    await browser.close();
    await runtime.stop();
  }
}

export async function benchConsole(opts: { quick: boolean }): Promise<ConsoleFigures> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [new URL(import.meta.url).pathname, ...(opts.quick ? ['--quick'] : [])],
    { env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' }, maxBuffer: 4 * 1024 * 1024 },
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ConsoleFigures;
}

if (import.meta.main) {
  console.log(JSON.stringify(await measureConsole({ quick: process.argv.includes('--quick') })));
}
