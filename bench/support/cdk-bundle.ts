/**
 * Bundles a Lambda entry exactly as the stack does. `ServiceFunction` (infra/cdk/service-function.ts)
 * hands these options to `NodejsFunction`, which runs the local esbuild with them; the
 * constants come from the same module the stack reads (`infra/cdk/functions.ts`). Output is
 * `<dir>/index.mjs` plus `index.mjs.map`, the two files of the CDK asset: for the same sources
 * `index.mjs` is byte-identical to the one `npx cdk synth` writes under `cdk.out/asset.*`.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build } from 'esbuild';
import {
  bundleAliases,
  ESM_REQUIRE_BANNER,
  type FunctionDef,
  NODE_TARGET,
  type PaymentProviderName,
} from '#infra/cdk/functions.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

const aliases = (provider: PaymentProviderName, def: Pick<FunctionDef, 'pageTokens'> = {}) =>
  Object.fromEntries(
    Object.entries(bundleAliases(provider, def)).map(([from, to]) => [from, resolve(REPO_ROOT, to)]),
  );

/**
 * `bundling` of `ServiceFunction` in a default (simulator) synth, in esbuild's terms
 * (bundleAwsSDK: true, no externals, the node:http and credentials aliases, no Stripe SDK).
 */
export const CDK_ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: NODE_TARGET,
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  external: [],
  alias: aliases('simulator'),
} as const satisfies BuildOptions;

/** The same in a `-c paymentProvider=stripe` synth: the provider functions carry the Stripe SDK. */
export const STRIPE_ESBUILD_OPTIONS = { ...CDK_ESBUILD_OPTIONS, alias: aliases('stripe') } as const;

/**
 * The options of one function's bundle in a default (simulator) synth, exactly as the stack
 * builds it: the list function keeps the Secrets Manager client (its page-token keys).
 */
export const functionEsbuildOptions = (def: Pick<FunctionDef, 'pageTokens'>): BuildOptions => ({
  ...CDK_ESBUILD_OPTIONS,
  alias: aliases('simulator', def),
});

/** CDK's bundling without our aliases: how a function is bundled the default way (the floor's baseline). */
export const DEFAULT_ESBUILD_OPTIONS = { ...CDK_ESBUILD_OPTIONS, alias: {} } as const satisfies BuildOptions;

export interface Bundle {
  /** Absolute path of `index.mjs`. */
  file: string;
  /** Minified JavaScript, bytes (the `.map` is not counted: Lambda never loads it unless an error is printed). */
  bytes: number;
  /** Gzipped JavaScript, bytes (about what the deployment package costs to download). */
  gzip: number;
  /** The source map, bytes. */
  mapBytes: number;
  /** Output bytes per package (`@smithy/core`, `zod`, …; the repository's own files as `(service)`). */
  byPackage: Record<string, number>;
}

/** Bundles `source` (an entry file, or module text resolved from the repository root) into `dir`. */
export async function cdkBundle(
  source: { entry: string } | { contents: string },
  dir: string,
  /** The stack's options (default), or `DEFAULT_ESBUILD_OPTIONS` for the default-bundled floor. */
  options: BuildOptions = CDK_ESBUILD_OPTIONS,
): Promise<Bundle> {
  const outfile = join(dir, 'index.mjs');
  const result = await build({
    ...options,
    ...('entry' in source
      ? { entryPoints: [resolve(REPO_ROOT, source.entry)] }
      : { stdin: { contents: source.contents, resolveDir: REPO_ROOT, sourcefile: 'bare.ts', loader: 'ts' } }),
    absWorkingDir: REPO_ROOT,
    outfile,
    metafile: true,
    logLevel: 'error',
  });
  const code = readFileSync(outfile);
  const byPackage: Record<string, number> = {};
  for (const [path, output] of Object.entries(result.metafile.outputs)) {
    if (path.endsWith('.map')) continue;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? '(service)';
      byPackage[name] = (byPackage[name] ?? 0) + bytesInOutput;
    }
  }
  return {
    file: outfile,
    bytes: code.length,
    gzip: gzipSync(code).length,
    mapBytes: readFileSync(`${outfile}.map`).length,
    byPackage,
  };
}
