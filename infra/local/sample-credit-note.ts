/**
 * Renders the sample credit note shown in docs/paperwork.md (SPEC's worked example 3: a
 * partial refund of a monthly order and a renewal not started) with the real renderer, and its
 * first page as a PNG with poppler's pdftoppm:
 *
 *   npx node infra/local/sample-credit-note.ts docs/paperwork/credit-note
 *   → docs/paperwork/credit-note.pdf, docs/paperwork/credit-note.png
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { renderCreditNotePdf } from '#adapters/pdf/credit-note-pdf.ts';
import type { IssuedCreditNote } from '#shared/paperwork/credit-note.ts';

const at = (iso: string) => Date.parse(iso);

export const SAMPLE_NOTE: IssuedCreditNote = {
  accountId: 'acct-demo',
  unsubscribeOrderId: 'uo-0mx68w495-28d40837-375b-4ab9',
  issuer: {
    id: 'main',
    legalName: 'Example Cloud Ltd.',
    address: ['1 Harbour Road', 'Wan Chai, Hong Kong'],
    taxId: 'HK-00000000',
  },
  instance: { instanceId: 'i-1', product: 'waf', edition: 'Pro' },
  kind: 'UNSUBSCRIBE',
  refundType: 'PARTIAL_REFUND',
  currency: 'USD',
  lines: [
    {
      orderId: 'o-new',
      orderType: 'NEW',
      periodStart: at('2026-01-10T00:00:00.000Z'),
      periodEnd: at('2026-02-10T00:00:00.000Z'),
      usedDays: 27,
      termDays: 31,
      cashPaid: 3100,
      voucherPaid: 0,
      refundAmount: 400,
      destination: 'ORIGINAL_PAYMENT_METHOD',
    },
    {
      orderId: 'o-renew',
      orderType: 'RENEW',
      periodStart: at('2026-02-10T00:00:00.000Z'),
      periodEnd: at('2026-03-10T00:00:00.000Z'),
      usedDays: 0,
      termDays: 28,
      cashPaid: 2800,
      voucherPaid: 200,
      refundAmount: 2800,
      destination: 'ORIGINAL_PAYMENT_METHOD',
    },
  ],
  totals: { cashPaid: 5900, voucherNotRefunded: 200, refundAmount: 3200 },
  acceptedAt: at('2026-02-05T12:30:00.000Z'),
  number: 'CN-2026-000042',
  sequence: 42,
  year: 2026,
  issuedAt: at('2026-02-05T12:30:01.250Z'),
  document: null,
};

if (import.meta.main) {
  const base = process.argv[2] ?? 'credit-note';
  writeFileSync(`${base}.pdf`, await renderCreditNotePdf(SAMPLE_NOTE));
  execFileSync('pdftoppm', ['-png', '-r', '80', '-singlefile', `${base}.pdf`, base]);
  console.log(`wrote ${base}.pdf and ${base}.png`);
}
