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
import { ESM_REQUIRE_BANNER, NODE_TARGET } from '#infra/cdk/functions.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

/** `bundling` of `ServiceFunction`, in esbuild's terms (bundleAwsSDK: true, no externals). */
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
} as const satisfies BuildOptions;

/**
 * Experiment, not what CDK does: resolve `node:http` to a CommonJS module that returns
 * `process.getBuiltinModule('node:http')`. An ESM `import … from 'node:http'` (in the bundle:
 * @smithy/credential-provider-imds and @middy/util) builds Node's ESM facade of `node:http`,
 * which reads every export, and so runs its lazy getters that load the bundled undici (fetch,
 * WebSocket): ~10 ms of every cold start for nothing. With CDK this is one `esbuildArgs` entry:
 * `{ '--alias:node:http': '<path of a file like support/node-http.cjs>' }`.
 */
export const HTTP_SHIM_ALIAS = { 'node:http': resolve(import.meta.dirname, 'node-http.cjs') };

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
  /** Only for experiments (e.g. `HTTP_SHIM_ALIAS`); the benchmark's figures use CDK's options alone. */
  experiment: Pick<BuildOptions, 'alias'> = {},
): Promise<Bundle> {
  const outfile = join(dir, 'index.mjs');
  const result = await build({
    ...CDK_ESBUILD_OPTIONS,
    ...experiment,
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
