/**
 * Figure 1: the size of every deployed function's bundle (built as CDK builds it) against a
 * bare bundle, built the same way, that does nothing but create the AWS clients that
 * function uses. The difference is what the service adds on top of the SDK: its own code,
 * middy, Powertools, zod/mini.
 *
 * Run alone: `npx node bench/bundles.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FUNCTIONS, type ServiceFunctionName } from '#infra/cdk/functions.ts';
import {
  type Bundle,
  cdkBundle,
  DEFAULT_ESBUILD_OPTIONS,
  functionEsbuildOptions,
} from './support/cdk-bundle.ts';
import { kib, ratio } from './support/stats.ts';

export const BUNDLE_RATIO_TARGET = 1.25;

/**
 * Which AWS clients a function creates at cold start, as their names joined by `+` in a fixed
 * order (`dynamodb`, `dynamodb+sqs`, `dynamodb+s3+sesv2`, `eventbridge`…).
 */
export type ClientSet = string;

interface BareClient {
  /** The package whose presence in a bundle means the function creates this client. */
  pkg: string;
  imports: string;
  create: string;
  name: string;
}

/** Every client a function may create, in the order their names appear in a `ClientSet`. */
const BARE_CLIENTS: Record<string, BareClient> = {
  dynamodb: {
    pkg: '@aws-sdk/client-dynamodb',
    imports: `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';`,
    create: 'const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
    name: 'doc',
  },
  sqs: {
    pkg: '@aws-sdk/client-sqs',
    imports: "import { SQSClient } from '@aws-sdk/client-sqs';",
    create: 'const sqs = new SQSClient({});',
    name: 'sqs',
  },
  eventbridge: {
    pkg: '@aws-sdk/client-eventbridge',
    imports: "import { EventBridgeClient } from '@aws-sdk/client-eventbridge';",
    create: 'const events = new EventBridgeClient({});',
    name: 'events',
  },
  s3: {
    pkg: '@aws-sdk/client-s3',
    imports: "import { S3Client } from '@aws-sdk/client-s3';",
    create: 'const s3 = new S3Client({});',
    name: 's3',
  },
  presigner: {
    pkg: '@aws-sdk/s3-request-presigner',
    imports: "import { getSignedUrl } from '@aws-sdk/s3-request-presigner';",
    create: 'const presign = getSignedUrl;',
    name: 'presign',
  },
  sesv2: {
    pkg: '@aws-sdk/client-sesv2',
    imports: "import { SESv2Client } from '@aws-sdk/client-sesv2';",
    create: 'const ses = new SESv2Client({});',
    name: 'ses',
  },
  secrets: {
    pkg: '@aws-sdk/client-secrets-manager',
    imports: "import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';",
    create: 'const secrets = new SecretsManagerClient({});',
    name: 'secrets',
  },
};

/**
 * The clients a function creates, read from what its bundle contains: a function whose bundle
 * holds a client's package creates that client (every function but the event publisher reads
 * or writes the table; the senders and the refund processor an SQSClient; the paperwork an
 * S3Client, the notifier an SESv2Client…). Read from the bundle rather than `FUNCTIONS`, so
 * the baseline follows the code.
 */
export const clientsOf = (bundle: Bundle): ClientSet => {
  const has = (pkg: string) => (bundle.byPackage[pkg] ?? 0) > 0;
  const set = Object.entries(BARE_CLIENTS)
    .filter(([, client]) => has(client.pkg))
    .map(([part]) => part);
  return set.length === 0 ? 'dynamodb' : set.join('+');
};

/** Whether a client set holds an SQSClient (the stack gives those functions a queue URL). */
export const usesSqs = (set: ClientSet): boolean => set.split('+').includes('sqs');

/** The bare baseline: the clients, created at module scope exactly as `shared/wiring.ts` would, and a handler. */
export function bareSource(set: ClientSet): string {
  const clients = set.split('+').map((part) => {
    const client = BARE_CLIENTS[part];
    if (!client) throw new Error(`Unknown client ${part} in ${set}`);
    return client;
  });
  return [
    ...clients.map((c) => c.imports),
    ...clients.map((c) => c.create),
    `export const handler = async () => ({ ${clients.map((c) => c.name).join(', ')} });`,
    '',
  ].join('\n');
}

export interface BuiltBundles {
  functions: Record<ServiceFunctionName, Bundle>;
  /** The floor bundled the default way (CDK's options without our aliases): the baseline. */
  bare: Record<ClientSet, Bundle>;
  /** The same floor bundled as our functions are (with our aliases): what the service adds, aliases aside. */
  bareAliased: Record<ClientSet, Bundle>;
  dir: string;
  /** Removes the bundles. */
  dispose(): void;
}

/**
 * Builds every function (as the stack does, or with `options`) and both bare baselines, each
 * bundled the default way and as the functions are, into a fresh temporary directory.
 */
export async function buildBundles(options?: Parameters<typeof cdkBundle>[2]): Promise<BuiltBundles> {
  const dir = mkdtempSync(join(tmpdir(), 'refund-bench-bundles-'));
  try {
    const names = Object.keys(FUNCTIONS) as ServiceFunctionName[];
    const built = await Promise.all(
      names.map((name) =>
        cdkBundle(
          { entry: FUNCTIONS[name].entry },
          join(dir, name),
          // A Stripe synth aliases nothing per function; a simulator one does (functionEsbuildOptions).
          options ?? functionEsbuildOptions(FUNCTIONS[name]),
        ),
      ),
    );
    const sets = [...new Set(built.map(clientsOf))].sort();
    const bare = await Promise.all(
      sets.map((set) =>
        cdkBundle({ contents: bareSource(set) }, join(dir, `bare-${set}`), DEFAULT_ESBUILD_OPTIONS),
      ),
    );
    // Bundled as the functions are; a floor that creates a Secrets Manager client keeps it, as the
    // functions that read their page-token keys do (the others alias it to a stub).
    const aliased = await Promise.all(
      sets.map((set) =>
        cdkBundle(
          { contents: bareSource(set) },
          join(dir, `bare-aliased-${set}`),
          functionEsbuildOptions({ pageTokens: set.split('+').includes('secrets') }),
        ),
      ),
    );
    return {
      functions: Object.fromEntries(names.map((name, i) => [name, built[i]])) as BuiltBundles['functions'],
      bare: Object.fromEntries(sets.map((set, i) => [set, bare[i]])) as BuiltBundles['bare'],
      bareAliased: Object.fromEntries(sets.map((set, i) => [set, aliased[i]])) as BuiltBundles['bareAliased'],
      dir,
      dispose: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

export interface BundleFigure {
  function: ServiceFunctionName;
  clients: ClientSet;
  bytes: number;
  gzip: number;
  bareBytes: number;
  bareGzip: number;
  ratio: number;
  /** The floor bundled as the functions are (their aliases): for reading what the service adds. */
  aliasedBareBytes: number;
  gzipRatio: number;
  target: number;
  /** What the function adds over the bare bundle, by package (bytes, largest first). */
  added: Record<string, number>;
}

export function bundleFigures(bundles: BuiltBundles): BundleFigure[] {
  return (Object.keys(bundles.functions) as ServiceFunctionName[]).map((name) => {
    const own = bundles.functions[name];
    const clients = clientsOf(own);
    const bare = bundles.bare[clients];
    const aliasedBare = bundles.bareAliased[clients];
    if (!bare || !aliasedBare) throw new Error(`No bare bundle for ${clients}`);
    const added = Object.entries(own.byPackage)
      .map(([pkg, bytes]) => [pkg, bytes - (bare.byPackage[pkg] ?? 0)] as const)
      .filter(([, bytes]) => bytes > 256)
      .sort((a, b) => b[1] - a[1]);
    return {
      function: name,
      clients,
      bytes: own.bytes,
      gzip: own.gzip,
      bareBytes: bare.bytes,
      bareGzip: bare.gzip,
      ratio: ratio(own.bytes, bare.bytes),
      aliasedBareBytes: aliasedBare.bytes,
      gzipRatio: ratio(own.gzip, bare.gzip),
      target: BUNDLE_RATIO_TARGET,
      added: Object.fromEntries(added),
    };
  });
}

if (import.meta.main) {
  const bundles = await buildBundles();
  try {
    for (const f of bundleFigures(bundles)) {
      const added = Object.entries(f.added)
        .slice(0, 6)
        .map(([pkg, bytes]) => `${pkg} +${kib(bytes)}`)
        .join(', ');
      process.stdout.write(
        `${f.function}: ${kib(f.bytes)} vs bare ${f.clients} ${kib(f.bareBytes)} = ${f.ratio.toFixed(3)}× (gzip ${f.gzipRatio.toFixed(3)}×); adds ${added}\n`,
      );
    }
  } finally {
    bundles.dispose();
  }
}
