/**
 * The real CDK entry point (`node infra/cdk/app.ts`, what `npx cdk synth` runs) synthesizes
 * offline with no flags and passes cdk-nag; and the same checks do stop a synth that has a
 * finding; and cdk.json sets every feature flag aws-cdk-lib recommends, so that `npx cdk synth`
 * prints no "feature flags are not configured" warning. Everything is written to temporary
 * directories.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { addChecks, createApp, STACK_NAME } from '#infra/cdk/refund-app.ts';
import { REPO_ROOT } from '#infra/cdk/service-function.ts';
import { CDK_CONTEXT } from '../support/synth.ts';

const outdirs: string[] = [];
const outdir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'refund-cdk-'));
  outdirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

describe('infra/cdk/app.ts', () => {
  it('synthesizes the stack with cdk-nag and no flags', { timeout: 180_000 }, () => {
    const out = outdir();
    // What the CDK CLI does for `cdk synth`: run the app with the cdk.json context and an output directory.
    execFileSync(process.execPath, ['infra/cdk/app.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, CDK_OUTDIR: out, CDK_CONTEXT_JSON: JSON.stringify(CDK_CONTEXT) },
      stdio: 'pipe',
    });
    expect(existsSync(join(out, `${STACK_NAME}.template.json`))).toBe(true);
    const report = JSON.parse(readFileSync(join(out, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
  });

  it('runs with every feature flag aws-cdk-lib recommends, at its recommended value', () => {
    // The CLI warns about each flag whose default differs from the recommendation and that
    // cdk.json leaves unset; a new aws-cdk-lib that recommends another flag fails here first.
    const recommended = createRequire(import.meta.url)(
      'aws-cdk-lib/recommended-feature-flags.json',
    ) as Record<string, unknown>;
    expect(Object.keys(recommended).length).toBeGreaterThan(0);
    const unset = Object.entries(recommended)
      .filter(([flag, value]) => JSON.stringify(CDK_CONTEXT[flag]) !== JSON.stringify(value))
      .map(([flag]) => flag);
    expect(unset).toEqual([]);
  });

  it('the same checks stop a synth with an unacknowledged finding', { timeout: 60_000 }, () => {
    // Bundling skipped: only the checks are under test here.
    const app = new App({ outdir: outdir(), context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const stack = createApp(app);
    new Queue(stack, 'Unencrypted', { encryption: QueueEncryption.UNENCRYPTED });
    addChecks(app);
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS2[\s\S]*RefundService\/Unencrypted/);
  });
});
