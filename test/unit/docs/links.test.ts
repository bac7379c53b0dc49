/**
 * Every relative link and anchor in README.md and docs/ resolves inside the repository; and
 * the checker itself finds what it must (a missing file, a missing heading, a link out of
 * the repository) and slugs headings as GitHub does.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { anchors, checkFile, documentationFiles, links, slug } from '#test/support/markdown-links.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

describe('the documentation', () => {
  const files = documentationFiles(ROOT);

  it('is README.md and the topic files of docs/', () => {
    expect(files).toContain('README.md');
    expect(files).toContain(join('docs', 'contract.md'));
  });

  it.each(files)('%s has no broken relative link or anchor', (file) => {
    expect(checkFile(ROOT, file)).toEqual([]);
  });
});

describe('slug', () => {
  it.each([
    ['Demo data (`--seed`)', 'demo-data---seed'],
    ["Running against Stripe's test mode", 'running-against-stripes-test-mode'],
    ['Line states and the order’s status', 'line-states-and-the-orders-status'],
    ['quote → unsubscribe → order', 'quote--unsubscribe--order'],
    ['The **bold** and _italic_ words', 'the-bold-and-italic-words'],
    ['A [link](x.md) in a heading', 'a-link-in-a-heading'],
    ['snake_case stays', 'snake_case-stays'],
    ['Idempotency-Key, 24 h', 'idempotency-key-24-h'],
  ])('%s → %s', (heading, expected) => {
    expect(slug(heading)).toBe(expected);
  });

  it('numbers repeated headings as GitHub does, and ignores headings in code', () => {
    const found = anchors(
      '# Setup\n\n## Setup\n\n```sh\n# not a heading\n```\n\n## Setup\n<a id="custom"></a>\n',
    );
    expect([...found].sort()).toEqual(['custom', 'setup', 'setup-1', 'setup-2']);
  });
});

describe('links', () => {
  it('finds links and images outside code, with their lines', () => {
    const markdown = [
      'See [the API](api.md#paging) and ![a screen](console/1.png "title").',
      '`[not](a-link.md)` and',
      '```',
      '[not](a-link-either.md)',
      '```',
      '[ref]: ./other.md',
      '<a href="html.md">x</a>',
    ].join('\n');
    expect(links(markdown)).toEqual([
      { line: 1, target: 'api.md#paging' },
      { line: 1, target: 'console/1.png' },
      { line: 6, target: './other.md' },
      { line: 7, target: 'html.md' },
    ]);
  });
});

describe('checkFile', () => {
  const root = mkdtempSync(join(tmpdir(), 'links-'));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  write('docs/target.md', '# Target\n\n## A section\n');
  write('docs/console/screen.png', 'png');

  it('accepts links that resolve, with or without an anchor', () => {
    write(
      'docs/good.md',
      '# Good\n\n[t](target.md) [s](target.md#a-section) [self](#good) [img](console/screen.png) [dir](console) ' +
        '[up](../README.md) [web](https://example.com/x#y) [mail](mailto:a@example.com)\n',
    );
    write('README.md', '# Readme\n');
    expect(checkFile(root, 'docs/good.md')).toEqual([]);
  });

  it('reports a missing file, a missing heading, an anchor on a non-Markdown file and a link out of the repository', () => {
    write(
      'docs/bad.md',
      [
        '# Bad',
        '',
        '[gone](missing.md)',
        '[no heading](target.md#no-such-section)',
        '[no heading here](#nowhere)',
        '[image anchor](console/screen.png#x)',
        '[outside](../../shared/SPEC.md)',
        '[empty]()',
      ].join('\n'),
    );
    expect(
      checkFile(root, 'docs/bad.md').map(({ line, target, problem }) => ({ line, target, problem })),
    ).toEqual([
      { line: 3, target: 'missing.md', problem: 'no such file' },
      { line: 4, target: 'target.md#no-such-section', problem: 'no heading #no-such-section' },
      { line: 5, target: '#nowhere', problem: 'no heading #nowhere' },
      { line: 6, target: 'console/screen.png#x', problem: 'anchor on a file that is not Markdown' },
      { line: 7, target: '../../shared/SPEC.md', problem: 'leaves the repository' },
      { line: 8, target: '', problem: 'empty link' },
    ]);
  });
});
