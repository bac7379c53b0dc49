import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cdkBundle, STRIPE_ESBUILD_OPTIONS } from '../../../bench/support/cdk-bundle.ts';

describe('a Stripe deployment bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stripe-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('carries the Stripe SDK and the Secrets Manager client (what -c paymentProvider=stripe deploys)', {
    timeout: 60_000,
  }, async () => {
    const bundle = await cdkBundle({ entry: 'functions/refund-processor.ts' }, dir, STRIPE_ESBUILD_OPTIONS);
    expect(bundle.byPackage.stripe ?? 0).toBeGreaterThan(100_000);
    expect(bundle.byPackage['@aws-sdk/client-secrets-manager'] ?? 0).toBeGreaterThan(1_000);
    expect(readFileSync(bundle.file, 'utf8')).not.toContain('synthesized for the simulator');
  });
});
