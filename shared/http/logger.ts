import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One logger per process. Log codes, ids and counts only: never whole events, request
 * bodies, reason texts or payment references (personal data).
 */
export const logger = new Logger({ serviceName: 'refund-service' });
