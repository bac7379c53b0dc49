/** Builds the app's stack and its checks into an `App` (shared by `app.ts` and the tests). */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
// The released refund policies are checked when this loads: a bad policy file fails the synth, naming the field.
import '#policy/registry.ts';
import { RefundStack } from './refund-stack.ts';

export const STACK_NAME = 'RefundService';

export function createApp(app: App): RefundStack {
  return new RefundStack(app, STACK_NAME, {
    description: 'Refund service: unsubscription, exactly-once refunds, retention purge',
    // Environment-agnostic unless the CLI knows the target account/region.
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
}

/**
 * cdk-nag's AwsSolutions pack. cdk-nag 3 is a CDK policy-validation plugin (the successor
 * of the v2 Aspect): any unacknowledged finding fails `app.synth()`, so `cdk synth` and
 * `cdk deploy` stop; the report lands in cdk.out/validation-report.json.
 */
export function addChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}
