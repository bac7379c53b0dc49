/**
 * Builds the two pages of the web app: the customer console (`web/src/main.ts` → `console.js`,
 * with `index.html`) and the operator console under `ops/` (`web/src/ops/main.ts` →
 * `ops/ops.js`, with `ops/index.html`), each its own ES module bundled and minified by esbuild
 * (nothing shared at run time, so the operators' screens never weigh on the customer page), and
 * the one stylesheet `console.css`. Used by the local runtime (served from memory), the CDK
 * stack (deployed to S3, built at synth: `buildConsoleSync`, as CDK constructors are
 * synchronous), the bench and the screenshots.
 */
import { readFileSync } from 'node:fs';
import { type BuildOptions, type BuildResult, build, buildSync } from 'esbuild';

export interface ConsoleAssets {
  'index.html': string;
  'console.js': string;
  'console.css': string;
  'ops/index.html': string;
  'ops/ops.js': string;
}

/** The files of each page: the customer console's, and the operator console's (`/ops/`). */
export const CUSTOMER_FILES = ['index.html', 'console.js', 'console.css'] as const;
export const OPS_FILES = ['ops/index.html', 'ops/ops.js'] as const;

const here = (file: string) => new URL(file, import.meta.url);

const OPTIONS = {
  entryPoints: { console: here('src/main.ts').pathname, 'ops/ops': here('src/ops/main.ts').pathname },
  outdir: here('.').pathname,
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  write: false,
  legalComments: 'none',
} satisfies BuildOptions;

const output = (result: BuildResult<typeof OPTIONS>, name: string): string => {
  const file = result.outputFiles.find((f) => f.path === here(name).pathname);
  if (!file) throw new Error(`esbuild wrote no ${name}`);
  return file.text;
};

const assets = (result: BuildResult<typeof OPTIONS>): ConsoleAssets => ({
  'index.html': readFileSync(here('index.html'), 'utf8'),
  'console.js': output(result, 'console.js'),
  'console.css': readFileSync(here('console.css'), 'utf8'),
  'ops/index.html': readFileSync(here('ops/index.html'), 'utf8'),
  'ops/ops.js': output(result, 'ops/ops.js'),
});

export async function buildConsole(): Promise<ConsoleAssets> {
  return assets(await build(OPTIONS));
}

export function buildConsoleSync(): ConsoleAssets {
  return assets(buildSync(OPTIONS));
}
