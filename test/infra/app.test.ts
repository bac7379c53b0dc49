/**
 * The real CDK entry point (`node infra/cdk/app.ts`, what `npx cdk synth` runs) synthesizes
 * offline with no flags and passes cdk-nag; and the same checks do stop a synth that has a
 * finding. Everything is written to temporary directories.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

  it('the same checks stop a synth with an unacknowledged finding', { timeout: 60_000 }, () => {
    // Bundling skipped: only the checks are under test here.
    const app = new App({ outdir: outdir(), context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const stack = createApp(app);
    new Queue(stack, 'Unencrypted', { encryption: QueueEncryption.UNENCRYPTED });
    addChecks(app);
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS2[\s\S]*RefundService\/Unencrypted/);
  });
});
