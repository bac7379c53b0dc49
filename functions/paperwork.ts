/**
 * The paperwork routes: a customer's credit note (a short-lived link to its PDF; issuing happens
 * off the request path, functions/credit-notes.ts), the account contact billing provides for
 * customer emails (internal), and a day's journal export for finance (internal: a short-lived
 * link to the file the daily export wrote, functions/journal-export.ts).
 */
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoCreditNoteStore } from '#adapters/dynamo/credit-notes.ts';
import { DynamoJournal } from '#adapters/dynamo/journal.ts';
import { DynamoContactStore } from '#adapters/dynamo/notifications.ts';
import { S3DocumentStore, s3Client } from '#adapters/s3-documents.ts';
import { httpFunction } from '#http/handler.ts';
import { callerAccount } from '#http/request.ts';
import type { CreditNoteStore, DocumentStore } from '#ports/credit-notes.ts';
import type { JournalStore } from '#ports/journal.ts';
import type { ContactStore } from '#ports/notifications.ts';
import { unsubscribeOrderPathSchema } from '#schema/api.ts';
import { parseOrThrow } from '#schema/common.ts';
import {
  accountPathSchema,
  type CreditNoteLinkResponse,
  contactRequestSchema,
  type JournalExportResponse,
  journalExportPathSchema,
  journalExportQuerySchema,
} from '#schema/paperwork.ts';
import { serviceClock } from '#shared/clock.ts';
import { readConfig } from '#shared/config.ts';
import { RefundError } from '#shared/errors.ts';
import { isIssued } from '#shared/paperwork/credit-note.ts';
import { readBucket } from '#shared/paperwork-config.ts';

/** How long a credit-note link works. */
export const LINK_SECONDS = 300;

export interface PaperworkDeps {
  notes: Pick<CreditNoteStore, 'get'>;
  creditNoteDocuments: Pick<DocumentStore, 'link'>;
  contacts: Pick<ContactStore, 'put'>;
  journal: Pick<JournalStore, 'exportOf'>;
  journalExports: Pick<DocumentStore, 'link'>;
}

export function createHandler(deps: PaperworkDeps, clock: () => number = serviceClock.now) {
  return httpFunction(
    {
      'GET /unsubscribe-orders/{unsubscribeOrderId}/credit-note': async (request) => {
        const { unsubscribeOrderId } = parseOrThrow(unsubscribeOrderPathSchema, request.pathParameters);
        const note = await deps.notes.get(callerAccount(request), unsubscribeOrderId);
        if (!isIssued(note) || !note.document)
          // Another account's order, an unknown one, or one whose note is still being issued (seconds).
          throw new RefundError(
            'NOT_FOUND',
            'Credit note not found (it is issued within moments of the order)',
          );
        const url = await deps.creditNoteDocuments.link(
          note.document.key,
          LINK_SECONDS,
          `${note.number}.pdf`,
        );
        const json: CreditNoteLinkResponse = {
          unsubscribeOrderId,
          number: note.number,
          issuedAt: new Date(note.issuedAt).toISOString(),
          currency: note.currency,
          refundAmount: note.totals.refundAmount,
          url,
          urlExpiresAt: new Date(request.now + LINK_SECONDS * 1000).toISOString(),
        };
        return { statusCode: 200, json };
      },
      'PUT /internal/accounts/{accountId}/contact': async (request) => {
        const { accountId } = parseOrThrow(accountPathSchema, request.pathParameters);
        const contact = parseOrThrow(contactRequestSchema, request.body);
        await deps.contacts.put(accountId, contact, request.now);
        return { statusCode: 200, json: { accountId, updatedAt: new Date(request.now).toISOString() } };
      },
      'GET /internal/journal/exports/{day}': async (request) => {
        const { day } = parseOrThrow(journalExportPathSchema, request.pathParameters);
        const format = parseOrThrow(journalExportQuerySchema, request.query).format ?? 'jsonl';
        const exported = await deps.journal.exportOf(day);
        if (!exported)
          throw new RefundError(
            'NOT_FOUND',
            `The journal of ${day} is not exported (a day is exported at 00:30 UTC+8 the day after)`,
          );
        const file = exported.files[format];
        const url = await deps.journalExports.link(file.key, LINK_SECONDS, `journal-${day}.${format}`);
        const json: JournalExportResponse = {
          day,
          format,
          entries: exported.entries,
          bytes: file.bytes,
          sha256: file.sha256,
          exportedAt: new Date(exported.exportedAt).toISOString(),
          url,
          urlExpiresAt: new Date(request.now + LINK_SECONDS * 1000).toISOString(),
        };
        return { statusCode: 200, json };
      },
    },
    clock,
  );
}

const table = { doc: documentClient(), tableName: readConfig().tableName };
export const handler = createHandler({
  notes: new DynamoCreditNoteStore(table),
  creditNoteDocuments: new S3DocumentStore(s3Client(), readBucket('CREDIT_NOTES_BUCKET')),
  contacts: new DynamoContactStore(table),
  journal: new DynamoJournal(table),
  journalExports: new S3DocumentStore(s3Client(), readBucket('JOURNAL_EXPORTS_BUCKET')),
});
