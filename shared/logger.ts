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
