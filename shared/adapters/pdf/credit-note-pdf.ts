/**
 * Renders an issued credit note as an A4 PDF with pdf-lib (pure JavaScript, its standard fonts
 * built in: nothing to load from disk, so the function bundle is one file). Deterministic: the
 * same note gives the same bytes (the PDF's dates are the note's issue time, no random ids), so
 * a re-render after a crash stores exactly what the first one would have.
 *
 * Times print in the billing time zone (UTC+8); amounts as decimals of the currency's minor
 * units, computed from the integers (never through floating point).
 */
import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from 'pdf-lib';
import { billingDateTime } from '#shared/paperwork/billing-time.ts';
import {
  billingDate,
  type CreditNoteLine,
  formatAmount,
  type IssuedCreditNote,
} from '#shared/paperwork/credit-note.ts';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 40;
const BOTTOM = 60;
const GREY = rgb(0.35, 0.35, 0.35);
const RULE = rgb(0.75, 0.75, 0.75);

/** The standard fonts encode WinAnsi only: anything else prints as `?` rather than failing the render. */
export function printable(text: string): string {
  return text.replace(/[^\x20-\x7e\xa0-\xff]/g, '?');
}

const DESTINATION = { ORIGINAL_PAYMENT_METHOD: 'Original method', ACCOUNT_BALANCE: 'Account balance' };
const KIND = {
  UNSUBSCRIBE: 'Unsubscription',
  CANCEL_RENEWAL: 'Renewal cancellation',
};
const REFUND_TYPE = {
  FULL_REFUND: 'full refund',
  PARTIAL_REFUND: 'partial refund',
  RENEWAL_CANCELLATION: 'refund of renewals not started',
};

interface Column {
  title: string[];
  width: number;
  align: 'left' | 'right';
  /** Space before a left-aligned column's text. */
  pad?: number;
  cell: (line: CreditNoteLine, currency: string) => string[];
}

const COLUMNS: Column[] = [
  { title: ['Order'], width: 86, align: 'left', cell: (l) => [l.orderId] },
  { title: ['Type'], width: 38, align: 'left', cell: (l) => [l.orderType] },
  {
    title: ['Service period', '(UTC+8)'],
    width: 92,
    align: 'left',
    cell: (l) => [`${billingDateTime(l.periodStart)} to`, billingDateTime(l.periodEnd)],
  },
  {
    title: ['Used /', 'term days'],
    width: 48,
    align: 'right',
    cell: (l) => [`${l.usedDays} / ${l.termDays}`],
  },
  { title: ['Cash paid'], width: 58, align: 'right', cell: (l, c) => [formatAmount(l.cashPaid, c)] },
  {
    title: ['Voucher', '(not refunded)'],
    width: 62,
    align: 'right',
    cell: (l, c) => [formatAmount(l.voucherPaid, c)],
  },
  { title: ['Refund'], width: 58, align: 'right', cell: (l, c) => [formatAmount(l.refundAmount, c)] },
  { title: ['Refund to'], width: 73, align: 'left', pad: 6, cell: (l) => [DESTINATION[l.destination]] },
];

/** Splits a cell's text into lines that fit `width` (ids can be long). */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const char of printable(text)) {
    if (current && font.widthOfTextAtSize(current + char, size) > width) {
      lines.push(current);
      current = '';
    }
    current += char;
  }
  lines.push(current);
  return lines;
}

class Writer {
  readonly doc: PDFDocument;
  readonly font: PDFFont;
  readonly bold: PDFFont;
  page: PDFPage;
  y: number;

  constructor(doc: PDFDocument, font: PDFFont, bold: PDFFont) {
    this.doc = doc;
    this.font = font;
    this.bold = bold;
    this.page = doc.addPage(A4);
    this.y = A4[1] - MARGIN;
  }

  text(
    value: string,
    x: number,
    options: { size?: number; bold?: boolean; grey?: boolean; right?: number } = {},
  ) {
    const size = options.size ?? 9;
    const font = options.bold ? this.bold : this.font;
    const text = printable(value);
    const at = options.right === undefined ? x : options.right - font.widthOfTextAtSize(text, size);
    this.page.drawText(text, { x: at, y: this.y, size, font, ...(options.grey ? { color: GREY } : {}) });
  }

  down(points: number) {
    this.y -= points;
  }

  rule() {
    this.page.drawLine({
      start: { x: MARGIN, y: this.y },
      end: { x: A4[0] - MARGIN, y: this.y },
      thickness: 0.5,
      color: RULE,
    });
  }

  /** A new page when fewer than `needed` points are left. */
  room(needed: number, onNewPage: () => void) {
    if (this.y - needed >= BOTTOM) return;
    this.page = this.doc.addPage(A4);
    this.y = A4[1] - MARGIN;
    onNewPage();
  }
}

export async function renderCreditNotePdf(note: IssuedCreditNote): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const issued = new Date(note.issuedAt);
  doc.setTitle(`Credit note ${note.number}`);
  doc.setAuthor(printable(note.issuer.legalName));
  doc.setSubject(`Credit note ${note.number} for unsubscribe order ${note.unsubscribeOrderId}`);
  doc.setProducer('refund-service');
  doc.setCreator('refund-service');
  doc.setCreationDate(issued);
  doc.setModificationDate(issued);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const w = new Writer(doc, font, bold);
  const right = A4[0] - MARGIN;
  const c = note.currency;

  // Issuer (left) and the note's identity (right).
  w.text('CREDIT NOTE', MARGIN, { size: 18, bold: true });
  w.text(note.number, 0, { size: 14, bold: true, right });
  w.down(26);
  const issuerLines = [note.issuer.legalName, ...note.issuer.address, `Tax ID: ${note.issuer.taxId}`];
  const facts: [string, string][] = [
    ['Credit note number', note.number],
    ['Issue date', `${billingDate(note.issuedAt)} (UTC+8)`],
    ['Unsubscribe order', note.unsubscribeOrderId],
    ['Accepted', `${billingDateTime(note.acceptedAt)} UTC+8`],
    ...(note.policyVersion ? ([['Refund policy', note.policyVersion]] as [string, string][]) : []),
  ];
  for (let i = 0; i < Math.max(issuerLines.length, facts.length); i++) {
    const issuerLine = issuerLines[i];
    if (issuerLine !== undefined) w.text(issuerLine, MARGIN, { bold: i === 0 });
    const fact = facts[i];
    if (fact) {
      w.text(`${fact[0]}:`, 300, { grey: true });
      w.text(fact[1], 0, { right });
    }
    w.down(13);
  }

  w.down(8);
  w.rule();
  w.down(16);
  w.text('Customer', MARGIN, { bold: true });
  w.down(13);
  w.text(`Account: ${note.accountId}`, MARGIN);
  w.down(13);
  w.text(
    `Instance: ${note.instance.instanceId} (${note.instance.product}, ${note.instance.edition})`,
    MARGIN,
  );
  w.down(13);
  w.text(`${KIND[note.kind]}: ${REFUND_TYPE[note.refundType]} in ${c}`, MARGIN);
  w.down(20);

  // The refunded orders.
  const size = 8;
  const header = () => {
    let x = MARGIN;
    for (const column of COLUMNS) {
      column.title.forEach((title, i) => {
        const y = w.y;
        w.y = y - i * 10;
        w.text(title, x + (column.pad ?? 0), {
          size,
          bold: true,
          ...(column.align === 'right' ? { right: x + column.width - 4 } : {}),
        });
        w.y = y;
      });
      x += column.width;
    }
    w.down(14);
    w.rule();
    w.down(12);
  };
  header();
  for (const line of note.lines) {
    const cells = COLUMNS.map((column) =>
      column.cell(line, c).flatMap((text) => wrap(text, font, size, column.width - 6 - (column.pad ?? 0))),
    );
    const height = Math.max(...cells.map((cell) => cell.length)) * 10;
    w.room(height + 4, header);
    let x = MARGIN;
    COLUMNS.forEach((column, index) => {
      const y = w.y;
      (cells[index] ?? []).forEach((text, i) => {
        w.y = y - i * 10;
        w.text(text, x + (column.pad ?? 0), {
          size,
          ...(column.align === 'right' ? { right: x + column.width - 4 } : {}),
        });
      });
      w.y = y;
      x += column.width;
    });
    w.down(height + 4);
  }

  // Totals.
  w.room(90, () => {});
  w.rule();
  w.down(16);
  const totals: [string, string, boolean][] = [
    ['Cash paid', formatAmount(note.totals.cashPaid, c), false],
    ['Voucher (not refunded)', formatAmount(note.totals.voucherNotRefunded, c), false],
    [`Total refund (${c})`, `${formatAmount(note.totals.refundAmount, c)} ${c}`, true],
  ];
  for (const [label, value, strong] of totals) {
    w.text(label, 330, { bold: strong });
    w.text(value, 0, { right, bold: strong });
    w.down(14);
  }
  const destinations = [...new Set(note.lines.filter((l) => l.refundAmount > 0).map((l) => l.destination))];
  w.down(6);
  w.text(
    `Refunded to: ${destinations.map((d) => DESTINATION[d].toLowerCase()).join(' and ') || 'nothing to refund'}`,
    MARGIN,
  );
  w.down(12);
  w.text(
    'This credit note is final. What happens to the money afterwards is shown on the unsubscribe order.',
    MARGIN,
    { size: 7.5, grey: true },
  );
  return doc.save({ useObjectStreams: false });
}
