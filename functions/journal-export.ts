/**
 * The journal's daily export (schedule, 00:30 UTC+8): writes the closed day's entries as JSON
 * Lines and CSV to the journal-export bucket, catching up days a missed run left, and checks
 * that days exported already still give the same bytes (`#use-cases/journal.ts`). The schedule
 * event's `time` is its `now`.
 */
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoJournal } from '#adapters/dynamo/journal.ts';
import { S3DocumentStore, s3Client } from '#adapters/s3-documents.ts';
import { serviceClock } from '#shared/clock.ts';
import { readConfig } from '#shared/config.ts';
import { logger } from '#shared/logger.ts';
import { readBucket } from '#shared/paperwork-config.ts';
import { type ScheduleEvent, scheduleTime } from '#shared/schedule.ts';
import { type ExportDeps, type ExportRunSummary, exportClosedDays } from '#use-cases/journal.ts';

export function createHandler(deps: ExportDeps) {
  return async (event: ScheduleEvent): Promise<ExportRunSummary> => {
    const summary = await exportClosedDays(deps, scheduleTime(event));
    logger.info('journal export', { ...summary });
    return summary;
  };
}

export const handler = createHandler({
  journal: new DynamoJournal({ doc: documentClient(), tableName: readConfig().tableName }),
  documents: new S3DocumentStore(s3Client(), readBucket('JOURNAL_EXPORTS_BUCKET')),
  clock: serviceClock.now,
});
