/**
 * The CDK app (`cdk.json`: `node infra/cdk/app.ts`): the refund service stack, checked by
 * cdk-nag's AwsSolutions pack on every synth. cdk-nag 3 is a CDK policy-validation plugin
 * (the v3 successor of the v2 Aspect): any unacknowledged finding fails the synth, and
 * accepted findings are acknowledged with a reason in `refund-stack.ts`.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createApp } from './refund-app.ts';

const app = new App();
createApp(app);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
