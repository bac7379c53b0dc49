/**
 * The CDK app (`cdk.json`: `node infra/cdk/app.ts`): the refund service stack, checked by
 * cdk-nag's AwsSolutions pack on every synth (a finding fails the synth).
 */
import { App } from 'aws-cdk-lib';
import { addChecks, createApp } from './refund-app.ts';

const app = new App();
createApp(app);
addChecks(app);
app.synth();
