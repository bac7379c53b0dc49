/**
 * Measures the Lambda bundles both ways, to decide whether to bundle the AWS SDK v3:
 *
 *   npx node infra/cdk/measure-bundles.ts
 *
 * For every entry in `FUNCTIONS` (or a representative probe while entries are missing) it
 * bundles with the same esbuild options as `ServiceFunction` — once with the SDK bundled,
 * once with `@aws-sdk/*` external (the runtime's copy) — and reports the minified size, the
 * gzipped size (what Lambda downloads) and the median time to import the module in a fresh
 * Node process (module load + top-level init, the part of a cold start the bundle controls;
 * the external variant resolves the SDK from node_modules as the runtime would from
 * /var/runtime/node_modules). Writes only to a temporary directory.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { ESM_REQUIRE_BANNER, FUNCTIONS } from './functions.ts';

const root = resolve(import.meta.dirname, '../..');
const runs = Number(process.env.RUNS ?? 7);

/** What the heaviest function (the processor) imports, for use before the entries exist. */
const PROBE = `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import * as z from 'zod/mini';
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const sqs = new SQSClient({ region: 'eu-west-1' });
const logger = new Logger({ serviceName: 'probe' });
const metrics = new Metrics({ namespace: 'probe', serviceName: 'probe' });
const processor = new BatchProcessor(EventType.SQS);
const schema = z.object({ id: z.string() });
export const handler = async (event) =>
  processPartialResponse(event, async (r) => { schema.parse(JSON.parse(r.body)); await doc.send(new GetCommand({ TableName: 't', Key: { pk: 'a' } })); await sqs.send(new SendMessageCommand({ QueueUrl: 'q', MessageBody: 'x' })); logger.info('x'); metrics.addMetric('m', 'Count', 1); }, { processor });
`;

interface Result {
  name: string;
  variant: 'bundled' | 'external';
  bytes: number;
  gzip: number;
  importMs: number;
  importMinMs: number;
}

async function bundle(
  entry: { name: string; file?: string },
  variant: Result['variant'],
  dir: string,
): Promise<string> {
  const outfile = join(dir, `${entry.name}-${variant}.mjs`);
  await build({
    ...(entry.file
      ? { entryPoints: [entry.file] }
      : { stdin: { contents: PROBE, resolveDir: root, sourcefile: 'probe.ts', loader: 'ts' } }),
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    sourcemap: false,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    external: variant === 'external' ? ['@aws-sdk/*'] : [],
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

/** One cold import of a bundle in a fresh Node process, in milliseconds. */
function importOnce(file: string): number {
  // The external variant resolves @aws-sdk/* from the repo's node_modules (a stand-in for the runtime's copy).
  const script = `const t=performance.now();await import(${JSON.stringify(file)});console.log(performance.now()-t)`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    // Handlers read their configuration at module scope (cold start), as on Lambda.
    env: {
      ...process.env,
      AWS_REGION: 'eu-west-1',
      TABLE_NAME: 'measure-table',
      REFUND_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/measure',
      PURGE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/measure.fifo',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return Number(out.toString().trim());
}

/** Median and minimum import times of several bundles, measured interleaved so machine load hits all alike. */
function importTimes(files: string[]): { median: number; min: number }[] {
  const times = files.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    files.forEach((file, j) => {
      times[j]?.push(importOnce(file));
    });
  }
  return times.map((t) => {
    t.sort((a, b) => a - b);
    return { median: t[Math.floor(t.length / 2)] ?? Number.NaN, min: t[0] ?? Number.NaN };
  });
}

const entries = Object.entries(FUNCTIONS)
  .map(([name, def]) => ({ name, file: join(root, def.entry) }))
  .filter((e) => existsSync(e.file));
const targets = entries.length > 0 ? entries : [{ name: 'probe' }];

// Bundles go next to the repo's node_modules so the external variant can resolve the SDK.
mkdirSync(join(root, 'cdk.out'), { recursive: true });
const dir = mkdtempSync(join(root, 'cdk.out', '.measure-'));
const results: Result[] = [];
try {
  for (const entry of targets) {
    const variants = ['bundled', 'external'] as const;
    const files = await Promise.all(variants.map((variant) => bundle(entry, variant, dir)));
    const times = importTimes(files);
    variants.forEach((variant, i) => {
      const bytes = readFileSync(files[i] as string);
      const time = times[i] ?? { median: Number.NaN, min: Number.NaN };
      results.push({
        name: entry.name,
        variant,
        bytes: bytes.length,
        gzip: gzipSync(bytes).length,
        importMs: time.median,
        importMinMs: time.min,
      });
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
const lines = [
  `| function | SDK | minified | gzip | import median / min (ms, ${runs} runs) |`,
  '|---|---|---|---|---|',
];
for (const r of results) {
  lines.push(
    `| ${r.name} | ${r.variant} | ${kb(r.bytes)} | ${kb(r.gzip)} | ${r.importMs.toFixed(0)} / ${r.importMinMs.toFixed(0)} |`,
  );
}
console.log(lines.join('\n'));
if (process.env.JSON_OUT) writeFileSync(process.env.JSON_OUT, JSON.stringify(results, null, 2));
