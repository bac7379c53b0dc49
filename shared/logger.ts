import { Logger } from '@aws-lambda-powertools/logger';
import { SERVICE_NAME } from './service.ts';

/**
 * The one logger factory: Powertools' `service` is POWERTOOLS_SERVICE_NAME (the stack and
 * the local runtime set it), else the service's name. Log codes, ids and counts only: never
 * whole events, request bodies, reason texts or payment references (personal data).
 */
export function createLogger(env: NodeJS.ProcessEnv = process.env): Logger {
  return new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME });
}

/** The HTTP functions' logger (one per process). */
export const logger = createLogger();

/**
 * What may be logged about an error: its name, and the message only for AWS service errors
 * (they describe the request's shape, never our data). A provider's message could echo a
 * payment reference, so it is never logged.
 */
export function errorFacts(error: unknown): { error: string; detail?: string } {
  if (!(error instanceof Error)) return { error: 'Unknown' };
  if ('$metadata' in error) return { error: error.name, detail: error.message };
  return { error: error.name };
}
