/**
 * Builds the console: `web/src/main.ts` bundled and minified by esbuild into one ES module,
 * plus the static `index.html` and `console.css`. Used by the local runtime (served from
 * memory), the CDK stack (deployed to S3, built at synth: `buildConsoleSync`, as CDK
 * constructors are synchronous), the bench and the screenshots.
 */
import { readFileSync } from 'node:fs';
import { type BuildOptions, type BuildResult, build, buildSync } from 'esbuild';

export interface ConsoleAssets {
  'index.html': string;
  'console.js': string;
  'console.css': string;
}

const here = (file: string) => new URL(file, import.meta.url);

const OPTIONS = {
  entryPoints: [here('src/main.ts').pathname],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  write: false,
  legalComments: 'none',
} satisfies BuildOptions;

const assets = (result: BuildResult<typeof OPTIONS>): ConsoleAssets => ({
  'index.html': readFileSync(here('index.html'), 'utf8'),
  'console.js': result.outputFiles[0]?.text ?? '',
  'console.css': readFileSync(here('console.css'), 'utf8'),
});

export async function buildConsole(): Promise<ConsoleAssets> {
  return assets(await build(OPTIONS));
}

export function buildConsoleSync(): ConsoleAssets {
  return assets(buildSync(OPTIONS));
}
