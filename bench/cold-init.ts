/**
 * Figure 2: cold init — the median time to import each bundled handler (module load and
 * everything it does at module scope: configuration, clients, adapters, middy stack) in a
 * fresh Node 24 process, against the bare-clients bundle of figure 1. Every round imports
 * every bundle once, in a rotated order, so machine load falls on all of them alike.
 *
 * Each child gets the environment Lambda would give it: the stack's variables (TABLE_NAME,
 * REFUND_QUEUE_URL and PURGE_QUEUE_URL for the functions with an SQS client, the Powertools names,
 * NODE_OPTIONS=--enable-source-maps) and the runtime's (AWS_REGION, credentials, function
 * name and memory).
 *
 * A second pass checks that nothing touches the network at import: the AWS endpoints (and
 * the instance-metadata endpoint) point at a local TCP server that counts connections, and
 * a preloaded hook counts every client socket and HTTP request the process opens (over the
 * import and the 250 ms after it). Both counts must be 0.
 *
 * Run alone: `npx node bench/cold-init.ts [--quick]`.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { ServiceFunctionName } from '#infra/cdk/functions.ts';
import { type BuiltBundles, buildBundles, type ClientSet, clientsOf, usesSqs } from './bundles.ts';
import { DEFAULT_ESBUILD_OPTIONS } from './support/cdk-bundle.ts';
import { median, ms, ratio, rotation } from './support/stats.ts';

const run = promisify(execFile);

/** Every function's cold init against the floor bundled the default way (issue 12: the bundling's wins). */
export const COLD_INIT_RATIO_TARGET = 0.85;
/** Against the floor bundled as the functions are (our aliases included): what the service itself adds. */
export const COLD_INIT_ALIASED_RATIO_TARGET = 1.3;

const SERVICE_NAME = 'refund-service';

/** What a Lambda container's environment holds at import (the stack's variables and the runtime's). */
export function lambdaEnv(
  name: string,
  options: { usesSqs: boolean; endpoint?: string; sourceMaps?: boolean },
): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    // The stack sets it (ServiceFunction): stack traces point into the TypeScript sources.
    ...(options.sourceMaps === false ? {} : { NODE_OPTIONS: '--enable-source-maps' }),
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_LAMBDA_FUNCTION_NAME: `RefundService-${name}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_ACCESS_KEY_ID: 'AKIDBENCHMARK',
    AWS_SECRET_ACCESS_KEY: 'bench-secret',
    AWS_SESSION_TOKEN: 'bench-token',
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: 'RefundService',
    TABLE_NAME: 'RefundService-Table',
    // The reads function's page-token secret (read on the first paged request, not at import).
    PAGE_TOKEN_SECRET_NAME: 'RefundService-PageTokens',
    // Read only by the event publisher (which has no TABLE_NAME in the stack; a spare one is harmless).
    EVENT_BUS_NAME: 'RefundService-Events',
    // The purge work queue the purger's dispatcher sends to (read at its cold start).
    PURGE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/purge-work',
    // The paperwork functions' settings (spare ones are harmless too).
    CREDIT_NOTES_BUCKET: 'refundservice-credit-notes',
    JOURNAL_EXPORTS_BUCKET: 'refundservice-journal-exports',
    ISSUER_ID: 'main',
    ISSUER_LEGAL_NAME: 'Example Cloud Ltd.',
    ISSUER_ADDRESS: '1 Harbour Road|Wan Chai, Hong Kong',
    ISSUER_TAX_ID: 'HK-00000000',
    MAIL_FROM: 'refunds@example.com',
  };
  if (options.usesSqs) {
    const queues = options.endpoint
      ? `${options.endpoint}/123456789012`
      : 'https://sqs.eu-west-1.amazonaws.com/123456789012';
    env.REFUND_QUEUE_URL = `${queues}/refunds`;
    // The purger's (it sends purge work items); a spare one is harmless to the others.
    env.PURGE_QUEUE_URL = `${queues}/purge-work.fifo`;
  }
  if (options.endpoint) {
    env.AWS_ENDPOINT_URL = options.endpoint;
    env.AWS_ENDPOINT_URL_DYNAMODB = options.endpoint;
    env.AWS_ENDPOINT_URL_SQS = options.endpoint;
    env.AWS_EC2_METADATA_SERVICE_ENDPOINT = options.endpoint;
    env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `${options.endpoint}/credentials`;
  }
  return env;
}

/** Imports `file` in the child and prints the milliseconds it took. */
const IMPORT_SCRIPT = (file: string) =>
  `const t=performance.now();await import(${JSON.stringify(pathToFileURL(file).href)});` +
  'process.stdout.write(String(performance.now()-t));';

/**
 * Preloaded for the network pass: counts client sockets (net, hence http/https/tls) and
 * HTTP/fetch requests through Node's diagnostics channels, and DNS lookups.
 */
const COUNTER_HOOK = `
import dc from 'node:diagnostics_channel';
import dns from 'node:dns';
const counts = { sockets: 0, httpRequests: 0, fetches: 0, dnsLookups: 0 };
dc.subscribe('net.client.socket', () => counts.sockets++);
dc.subscribe('http.client.request.start', () => counts.httpRequests++);
dc.subscribe('undici:request:create', () => counts.fetches++);
const lookup = dns.lookup;
dns.lookup = (...args) => { counts.dnsLookups++; return lookup(...args); };
globalThis.__networkCounts = counts;
`;

const NETWORK_SCRIPT = (file: string) =>
  `await import(${JSON.stringify(pathToFileURL(file).href)});` +
  'await new Promise((r) => setTimeout(r, 250));' +
  'process.stdout.write(JSON.stringify(globalThis.__networkCounts));';

async function importOnce(file: string, env: Record<string, string>): Promise<number> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', IMPORT_SCRIPT(file)], { env });
  const value = Number(stdout.trim());
  if (!Number.isFinite(value)) throw new Error(`import of ${file} printed ${stdout}`);
  return value;
}

interface Target {
  /** `quote`, `bare:dynamodb`, … optionally prefixed by a variant (`b/quote`). */
  id: string;
  file: string;
  /** Creates an SQSClient (the stack gives these functions REFUND_QUEUE_URL). */
  usesSqs: boolean;
  /** NODE_OPTIONS=--enable-source-maps, as deployed (default true). */
  sourceMaps?: boolean;
}

function targets(bundles: BuiltBundles, prefix = '', sourceMaps = true): Target[] {
  const functions = (Object.keys(bundles.functions) as ServiceFunctionName[]).map((name) => ({
    id: `${prefix}${name}`,
    file: bundles.functions[name].file,
    usesSqs: usesSqs(clientsOf(bundles.functions[name])),
    sourceMaps,
  }));
  const bare = Object.entries(bundles.bare).flatMap(([set, bundle]) => [
    { id: `${prefix}bare:${set}`, file: bundle.file, usesSqs: usesSqs(set), sourceMaps },
    {
      id: `${prefix}bare-aliased:${set}`,
      file: bundles.bareAliased[set]?.file ?? bundle.file,
      usesSqs: usesSqs(set),
      sourceMaps,
    },
  ]);
  return [...functions, ...bare];
}

/**
 * Import times of every target over `runs` rounds; each round imports every target once, the
 * order rotated from round to round. One unrecorded round first brings every file into the
 * page cache alike.
 */
async function importTimes(all: readonly Target[], runs: number): Promise<Map<string, number[]>> {
  const times = new Map<string, number[]>(all.map((t) => [t.id, []]));
  for (const t of all)
    await importOnce(t.file, lambdaEnv(t.id, { usesSqs: t.usesSqs, sourceMaps: t.sourceMaps }));
  for (let round = 0; round < runs; round++) {
    for (const i of rotation(all.length, round)) {
      const t = all[i] as Target;
      times
        .get(t.id)
        ?.push(await importOnce(t.file, lambdaEnv(t.id, { usesSqs: t.usesSqs, sourceMaps: t.sourceMaps })));
    }
  }
  return times;
}

function figures(bundles: BuiltBundles, times: Map<string, number[]>, prefix = ''): ColdInitFigure[] {
  return (Object.keys(bundles.functions) as ServiceFunctionName[]).map((name) => {
    const clients = clientsOf(bundles.functions[name]);
    const own = times.get(`${prefix}${name}`) ?? [];
    const bare = times.get(`${prefix}bare:${clients}`) ?? [];
    const aliased = times.get(`${prefix}bare-aliased:${clients}`) ?? [];
    return {
      function: name,
      clients,
      medianMs: median(own),
      bareMedianMs: median(bare),
      ratio: ratio(median(own), median(bare)),
      minMs: Math.min(...own),
      bareMinMs: Math.min(...bare),
      target: COLD_INIT_RATIO_TARGET,
      aliasedBareMedianMs: median(aliased),
      aliasedRatio: ratio(median(own), median(aliased)),
      aliasedTarget: COLD_INIT_ALIASED_RATIO_TARGET,
    };
  });
}

export interface ColdInitFigure {
  function: ServiceFunctionName;
  clients: ClientSet;
  medianMs: number;
  bareMedianMs: number;
  ratio: number;
  /** The fastest import of each, for reference (less sensitive to load, more to luck). */
  minMs: number;
  bareMinMs: number;
  target: number;
  /** The floor bundled as the functions are (with our aliases: node:http, credentials). */
  aliasedBareMedianMs: number;
  aliasedRatio: number;
  aliasedTarget: number;
}

export interface NetworkCheck {
  /** Connections the counting server accepted, over all imports. */
  connections: number;
  /** Client sockets, HTTP/fetch requests and DNS lookups the hooks saw, over all imports. */
  sockets: number;
  httpRequests: number;
  dnsLookups: number;
  imports: number;
}

export interface ColdInitResult {
  runs: number;
  figures: ColdInitFigure[];
  network: NetworkCheck;
}

/** `runs` interleaved rounds of imports of every function bundle and both bare bundles. */
export async function measureColdInit(bundles: BuiltBundles, runs: number): Promise<ColdInitFigure[]> {
  return figures(bundles, await importTimes(targets(bundles), runs));
}

/**
 * The same measurement for two builds of everything, interleaved with each other: what a
 * change to the bundling costs or buys (`npx node bench/cold-init.ts --default-bundling`).
 */
export async function compareColdInit(
  a: BuiltBundles,
  b: BuiltBundles,
  runs: number,
  options: { bSourceMaps?: boolean } = {},
): Promise<{ a: ColdInitFigure[]; b: ColdInitFigure[] }> {
  const times = await importTimes(
    [...targets(a, 'a/'), ...targets(b, 'b/', options.bSourceMaps ?? true)],
    runs,
  );
  return { a: figures(a, times, 'a/'), b: figures(b, times, 'b/') };
}

function countingServer(): Promise<{ server: Server; endpoint: string; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ server, endpoint: `http://127.0.0.1:${port}`, connections: () => connections });
    });
  });
}

/** Imports every function bundle once with the counters on; see the module comment. */
export async function checkNoNetworkAtImport(bundles: BuiltBundles): Promise<NetworkCheck> {
  const counter = await countingServer();
  const hook = `data:text/javascript,${encodeURIComponent(COUNTER_HOOK)}`;
  const check: NetworkCheck = { connections: 0, sockets: 0, httpRequests: 0, dnsLookups: 0, imports: 0 };
  try {
    for (const name of Object.keys(bundles.functions) as ServiceFunctionName[]) {
      const env = lambdaEnv(name, {
        usesSqs: usesSqs(clientsOf(bundles.functions[name])),
        endpoint: counter.endpoint,
      });
      const { stdout } = await run(
        process.execPath,
        ['--import', hook, '--input-type=module', '-e', NETWORK_SCRIPT(bundles.functions[name].file)],
        { env },
      );
      const counts = JSON.parse(stdout) as {
        sockets: number;
        httpRequests: number;
        fetches: number;
        dnsLookups: number;
      };
      check.sockets += counts.sockets;
      check.httpRequests += counts.httpRequests + counts.fetches;
      check.dnsLookups += counts.dnsLookups;
      check.imports++;
    }
    check.connections = counter.connections();
  } finally {
    await new Promise((resolve) => counter.server.close(resolve));
  }
  return check;
}

export async function benchColdInit(
  bundles: BuiltBundles,
  opts: { quick: boolean; runs?: number },
): Promise<ColdInitResult> {
  const runs = opts.runs ?? (opts.quick ? 3 : 21);
  const figures = await measureColdInit(bundles, runs);
  const network = await checkNoNetworkAtImport(bundles);
  return { runs, figures, network };
}

const line = (f: ColdInitFigure, runs: number) =>
  `${f.function}: median ${ms(f.medianMs)} vs bare ${f.clients} ${ms(f.bareMedianMs)} = ${f.ratio.toFixed(2)}× (min ${ms(f.minMs)} vs ${ms(f.bareMinMs)}); ` +
  `vs the aliased bare ${ms(f.aliasedBareMedianMs)} = ${f.aliasedRatio.toFixed(2)}×; ${runs} runs\n`;

/**
 * Experiments, each against every bundle as deployed, interleaved:
 * `--default-bundling`: the functions bundled without our aliases (`COMMON_ALIASES`: node:http, credentials);
 * `--no-source-maps`: the same bundles imported without NODE_OPTIONS=--enable-source-maps.
 */
const experiment = process.argv.includes('--default-bundling')
  ? 'default-bundling'
  : process.argv.includes('--no-source-maps')
    ? 'no-source-maps'
    : undefined;

if (import.meta.main && experiment) {
  const runs = process.argv.includes('--quick') ? 3 : 21;
  const asDeployed = await buildBundles();
  const variant =
    experiment === 'default-bundling' ? await buildBundles(DEFAULT_ESBUILD_OPTIONS) : asDeployed;
  try {
    const { a, b } = await compareColdInit(asDeployed, variant, runs, {
      bSourceMaps: experiment !== 'no-source-maps',
    });
    a.forEach((f, i) => {
      const g = b[i] as ColdInitFigure;
      process.stdout.write(
        `${f.function}: as deployed ${ms(f.medianMs)} → ${experiment} ${ms(g.medianMs)} (${ms(g.medianMs - f.medianMs)}); ` +
          `bare ${f.clients} ${ms(f.bareMedianMs)} → ${ms(g.bareMedianMs)}; ratio ${f.ratio.toFixed(2)}× → ${g.ratio.toFixed(2)}×\n`,
      );
    });
    process.stdout.write(`(${runs} interleaved runs of all ${2 * (a.length + 2)} imports)\n`);
  } finally {
    asDeployed.dispose();
    if (variant !== asDeployed) variant.dispose();
  }
} else if (import.meta.main) {
  const bundles = await buildBundles();
  try {
    const result = await benchColdInit(bundles, { quick: process.argv.includes('--quick') });
    for (const f of result.figures) process.stdout.write(line(f, result.runs));
    process.stdout.write(`network at import: ${JSON.stringify(result.network)}\n`);
  } finally {
    bundles.dispose();
  }
}
