/**
 * docs/api.md's route table lists every route of `shared/http/routes.ts` but the back office's
 * (those are in docs/back-office.md), once each, and nothing else.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROUTES, routeKey } from '#http/routes.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

/** The `METHOD /path` that opens each row of the route table. */
function documentedRoutes(markdown: string): string[] {
  return markdown
    .split('\n')
    .flatMap((line) => /^\| `((?:GET|POST|PUT|PATCH|DELETE) \/[^`]*)`/.exec(line)?.[1] ?? []);
}

describe('docs/api.md', () => {
  it('lists every customer, internal and webhook route once, and no other', () => {
    const documented = documentedRoutes(readFileSync(resolve(ROOT, 'docs/api.md'), 'utf8'));
    const routes = ROUTES.filter((r) => r.auth !== 'operator' && r.auth !== 'approver').map(routeKey);
    expect([...documented].sort()).toEqual([...routes].sort());
  });
});
