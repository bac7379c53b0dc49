/**
 * What the infra tests share: the cdk.json context, and one synthesized stack with the
 * lookups every template assertion uses. Each test file synthesizes its own (vitest isolates
 * files), in its `beforeAll`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createApp } from '#infra/cdk/refund-app.ts';
import type { RefundStack } from '#infra/cdk/refund-stack.ts';
import { REPO_ROOT } from '#infra/cdk/service-function.ts';

/** The context `npx cdk synth` runs with (cdk.json). */
export const CDK_CONTEXT = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')).context as Record<
  string,
  unknown
>;

// biome-ignore lint/suspicious/noExplicitAny: a synthesized CloudFormation template is untyped JSON
export type Json = Record<string, any>;

export const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

export interface Synthesized {
  app: App;
  stack: RefundStack;
  template: Template;
  /** The template's resources by logical id. */
  resources: Record<string, Json>;
  /** The logical id of a construct's CloudFormation resource. */
  logicalId(construct: { node: { defaultChild?: unknown } }): string;
  /** Every resource of a CloudFormation type, as [logical id, resource]. */
  ofType(type: string): [string, Json][];
}

/** The stack as `npx cdk synth` builds it, with `context` over cdk.json's. */
export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const app = new App({ context: { ...CDK_CONTEXT, ...context } });
  const stack = createApp(app);
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Json>;
  return {
    app,
    stack,
    template,
    resources,
    logicalId: (construct) => stack.getLogicalId(construct.node.defaultChild as CfnResource),
    ofType: (type) => Object.entries(resources).filter(([, r]) => r.Type === type),
  };
}
