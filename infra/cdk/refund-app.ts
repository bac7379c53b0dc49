/** Builds the app's stacks into an `App` (shared by `app.ts` and the tests). */
import type { App } from 'aws-cdk-lib';
import { RefundStack } from './refund-stack.ts';

export const STACK_NAME = 'RefundService';

export function createApp(app: App): RefundStack {
  return new RefundStack(app, STACK_NAME, {
    description: 'Refund service: unsubscription, exactly-once refunds, retention purge',
    // Environment-agnostic unless the CLI knows the target account/region.
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
}
