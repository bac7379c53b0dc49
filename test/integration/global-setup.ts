/**
 * Starts DynamoDB Local and fauxqs once for the whole integration run; each test file
 * creates its own table and queues (`createTable`/`createQueues` of `infra/local/emulators.ts`, called from
 * `test/support/api.ts` and `test/support/settlement-env.ts`), so files never
 * see each other's data.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoLocal, startLocalSqs } from '#infra/local/emulators.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sqsEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  const [dynamo, sqs] = await Promise.all([startDynamoLocal(), startLocalSqs()]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('sqsEndpoint', sqs.endpoint);
  return async () => {
    await Promise.all([dynamo.stop(), sqs.stop()]);
  };
}
