/** The refund policy as versioned data: checked documents, one per released version, chosen by product. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY,
  POLICIES,
  PolicyError,
  PolicyRegistry,
  parsePolicy,
  quoteUnsubscribe,
  retentionDeadlines,
} from '#policy/index.ts';
import { POLICY_FILES } from '#policy/registry.ts';
import { at, instance, order } from './helpers.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): unknown => JSON.parse(readFileSync(join(root, path), 'utf8'));
const V1 = 'policies/security-center/international/v1.json';

function jsonFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

describe('released policy files', () => {
  it('never change: each matches the hash recorded when it was released (a change is a new version)', () => {
    const recorded = new Map(
      readFileSync(join(root, 'policies/released.sha256'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => {
          const [hash, path] = line.split(/\s+/);
          return [path as string, hash as string];
        }),
    );
    for (const path of jsonFiles('policies')) {
      const hash = createHash('sha256')
        .update(readFileSync(join(root, path)))
        .digest('hex');
      expect(recorded.get(path), `${path}: released files never change; add a new version instead`).toBe(
        hash,
      );
    }
  });

  it('every file under policies/ is in the registry, and the registry holds nothing else', () => {
    expect(Object.keys(POLICY_FILES).sort()).toEqual(jsonFiles('policies').sort());
  });

  it('the seed rules are security-center/international version 1, for every product without its own', () => {
    expect(POLICIES.forProduct('cloud-firewall', at('2026-03-05T00:00:00.000Z'))).toBe(DEFAULT_POLICY);
    expect(DEFAULT_POLICY).toMatchObject({
      id: 'security-center/international',
      version: 1,
      fullRefundWindowMs: 5 * 86_400_000,
      billingOffsetMs: 8 * 3_600_000,
      quoteTtlMs: 15 * 60_000,
      settlement: { businessDays: 2 },
    });
  });
});

describe('a bad policy names the field', () => {
  const v1 = read(V1) as Record<string, unknown>;
  const cases: [string, Record<string, unknown>, string][] = [
    [
      'a negative window',
      { ...v1, fullRefund: { windowHours: -1, perAccountProductYear: 1 } },
      'fullRefund.windowHours',
    ],
    ['a fraction of a day', { ...v1, quoteValidityMinutes: 1.5 }, 'quoteValidityMinutes'],
    ['refundable vouchers', { ...v1, vouchersRefundable: true }, 'vouchersRefundable'],
    ['an unknown field', { ...v1, refundEverything: true }, 'refundEverything'],
    ['a missing field', { ...v1, settlement: {} }, 'settlement.businessDays'],
    [
      'another rounding',
      { ...v1, proration: { dayCounting: 'STARTED_DAY_COUNTS_WHOLE', rounding: 'HALF_UP' } },
      'proration.rounding',
    ],
    ['a bad instant', { ...v1, effectiveFrom: '2026-02-30T00:00:00.000Z' }, 'effectiveFrom'],
  ];
  it.each(cases)('%s', (_, raw, field) => {
    expect(() => parsePolicy(raw, 'candidate.json')).toThrowError(PolicyError);
    try {
      parsePolicy(raw, 'candidate.json');
    } catch (error) {
      expect((error as PolicyError).field).toBe(field);
      expect((error as Error).message).toContain(`candidate.json: ${field}`);
    }
  });

  it('the registry refuses a version whose file name disagrees, a gap, or a second default', () => {
    expect(() => new PolicyRegistry({ 'policies/x/v2.json': read(V1) })).toThrowError(/file name/);
    const v3 = { ...(read(V1) as object), version: 3, effectiveFrom: '2027-01-01T00:00:00.000Z' };
    expect(
      () => new PolicyRegistry({ [V1]: read(V1), 'policies/security-center/international/v3.json': v3 }),
    ).toThrowError(/2 is missing/);
    const other = { ...(read(V1) as object), id: 'other/default' };
    expect(
      () => new PolicyRegistry({ [V1]: read(V1), 'policies/other/default/v1.json': other }),
    ).toThrowError(/already has a policy/);
  });
});

describe('a policy applies by product and by when it took effect', () => {
  const files = {
    [V1]: read(V1),
    'policies/security-center/international/v2.json': read(
      'test/fixtures/policies/security-center/international/v2.json',
    ),
    'policies/object-storage/international/v1.json': read(
      'test/fixtures/policies/object-storage/international/v1.json',
    ),
  };
  const registry = new PolicyRegistry(files);
  const paid = at('2026-03-01T00:00:00.000Z');
  const facts = (product: string) =>
    instance(
      [order({ paidAt: paid, periodStart: paid, periodEnd: paid + 365 * 86_400_000, cashPaid: 36_500 })],
      {
        product,
      },
    );

  it('a second product gets its own rules: 6 days after buying it is still a full refund there', () => {
    const now = at('2026-03-07T00:00:00.000Z');
    const storage = registry.forProduct('object-storage', now);
    const firewall = registry.forProduct('cloud-firewall', now);
    expect([storage.id, firewall.id]).toEqual([
      'object-storage/international',
      'security-center/international',
    ]);
    expect(
      quoteUnsubscribe(facts('object-storage'), { now, quotaUsed: false, policy: storage }),
    ).toMatchObject({
      refundType: 'FULL_REFUND',
      refundAmount: 36_500,
      policy: { id: 'object-storage/international', version: 1 },
    });
    expect(
      quoteUnsubscribe(facts('cloud-firewall'), { now, quotaUsed: false, policy: firewall }),
    ).toMatchObject({
      refundType: 'PARTIAL_REFUND',
      refundAmount: 35_900,
      policy: { id: 'security-center/international', version: 1 },
    });
    expect(retentionDeadlines(now, storage).configDataPurgeAt - now).toBe(72 * 3_600_000);
  });

  it('version 2 applies from its effectiveFrom on; version 1 stays available for what it computed', () => {
    expect(registry.forProduct('cloud-firewall', at('2026-05-31T23:59:59.999Z')).version).toBe(1);
    expect(registry.forProduct('cloud-firewall', at('2026-06-01T00:00:00.000Z')).version).toBe(2);
    expect(registry.get({ id: 'security-center/international', version: 1 })?.fullRefund.windowHours).toBe(
      120,
    );
  });
});
