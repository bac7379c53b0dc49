/**
 * A small checker for the relative links of the repository's Markdown: every link and image
 * outside code must name a file or folder inside the repository, and an anchor must name a
 * heading of the target document, slugged as GitHub does (lower case; letters, digits,
 * spaces, `-` and `_` kept; spaces become `-`; a repeated heading gets `-1`, `-2`…).
 * Links with a scheme (`https:`, `mailto:`) are not followed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export interface MarkdownLink {
  /** 1-based line of the link in its file. */
  line: number;
  target: string;
}

export interface BrokenLink extends MarkdownLink {
  /** The file holding the link, relative to the root. */
  file: string;
  problem: string;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** The lines of `markdown` outside fenced code blocks, with inline code spans blanked out. */
function proseLines(markdown: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fence: string | null = null;
  markdown.split('\n').forEach((text, i) => {
    const opening = FENCE.exec(text)?.[1];
    if (fence !== null) {
      if (opening && opening[0] === fence[0] && opening.length >= fence.length && text.trim() === opening)
        fence = null;
      return;
    }
    if (opening) {
      fence = opening;
      return;
    }
    out.push({ line: i + 1, text: text.replace(/(`+)[^`]*?\1/g, (span) => ' '.repeat(span.length)) });
  });
  return out;
}

/** GitHub's slug of one heading's text (github-slugger's rule, on the text as rendered). */
export function slug(heading: string): string {
  const rendered = heading
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`/g, '')
    .replace(/(\*\*|__|\*|\b_|_\b)(?=\S)|(?<=\S)(\*\*|__|\*|_\b)/g, '');
  return rendered
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a document offers: its headings' slugs (numbered when repeated) and explicit ids. */
export function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | null = null;
  for (const text of markdown.split('\n')) {
    const opening = FENCE.exec(text)?.[1];
    if (fence !== null) {
      if (opening && opening[0] === fence[0] && opening.length >= fence.length && text.trim() === opening)
        fence = null;
      continue;
    }
    if (opening) {
      fence = opening;
      continue;
    }
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+\s*)?$/.exec(text)?.[1];
    if (heading !== undefined) {
      const base = slug(heading);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      found.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of text.matchAll(/<a\s[^>]*\b(?:id|name)="([^"]+)"/g)) if (m[1]) found.add(m[1]);
  }
  return found;
}

/** The link targets of `markdown` outside code: inline links and images, reference definitions, HTML href/src. */
export function links(markdown: string): MarkdownLink[] {
  const out: MarkdownLink[] = [];
  for (const { line, text } of proseLines(markdown)) {
    for (const m of text.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) {
      out.push({ line, target: m[1] ?? '' });
    }
    const definition = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/.exec(text);
    if (definition?.[1]) out.push({ line, target: definition[1] });
    for (const m of text.matchAll(/<(?:a|img)\s[^>]*\b(?:href|src)="([^"]*)"/g))
      out.push({ line, target: m[1] ?? '' });
  }
  return out;
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target);

/** Checks every relative link of one Markdown file (`file` relative to `root`). */
export function checkFile(root: string, file: string): BrokenLink[] {
  const absolute = resolve(root, file);
  const markdown = readFileSync(absolute, 'utf8');
  const broken: BrokenLink[] = [];
  for (const link of links(markdown)) {
    const report = (problem: string) => broken.push({ ...link, file, problem });
    if (isExternal(link.target)) continue;
    if (link.target === '') {
      report('empty link');
      continue;
    }
    const hash = link.target.indexOf('#');
    const path = decodeURIComponent(hash < 0 ? link.target : link.target.slice(0, hash));
    const anchor = hash < 0 ? null : decodeURIComponent(link.target.slice(hash + 1));
    const target =
      path === '' ? absolute : path.startsWith('/') ? join(root, path) : resolve(dirname(absolute), path);
    const inside = relative(root, target);
    if (inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
      report('leaves the repository');
      continue;
    }
    if (!existsSync(target)) {
      report('no such file');
      continue;
    }
    if (anchor === null) continue;
    if (statSync(target).isDirectory() || extname(target) !== '.md') {
      report('anchor on a file that is not Markdown');
      continue;
    }
    const offered = target === absolute ? anchors(markdown) : anchors(readFileSync(target, 'utf8'));
    if (!offered.has(anchor)) report(`no heading #${anchor}`);
  }
  return broken;
}

/** README.md and every Markdown file under docs/, relative to `root`. */
export function documentationFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith('.md') ? [path] : [];
    });
  return ['README.md', ...(existsSync(join(root, 'docs')) ? walk('docs') : [])].sort();
}
