/**
 * Builds the console: `web/src/main.ts` bundled and minified by esbuild into one ES module,
 * plus the static `index.html` and `console.css`. Used by the local runtime (served from
 * memory), the CDK stack (deployed to S3), the bench and the screenshots.
 */
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

export interface ConsoleAssets {
  'index.html': string;
  'console.js': string;
  'console.css': string;
}

const here = (file: string) => new URL(file, import.meta.url);

export async function buildConsole(): Promise<ConsoleAssets> {
  const result = await build({
    entryPoints: [here('src/main.ts').pathname],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    legalComments: 'none',
  });
  const js = result.outputFiles[0]?.text ?? '';
  return {
    'index.html': readFileSync(here('index.html'), 'utf8'),
    'console.js': js,
    'console.css': readFileSync(here('console.css'), 'utf8'),
  };
}
