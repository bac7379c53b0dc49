/**
 * Credit notes: what rendering costs over pdf-lib itself, and how fast gap-free numbering goes
 * when hundreds of orders are accepted at once.
 *
 * - _Render, warm_: the real renderer (`shared/adapters/pdf/credit-note-pdf.ts`) on the sample
 *   note of docs/paperwork.md, against a bare pdf-lib render of the same content: the text and
 *   rules the renderer draws (recorded from one of its renders), drawn directly at the same
 *   places with the same fonts, saved the same way. Interleaved, median of each.
 * - _Cold start_: in a fresh Node process with the credit-notes function's environment, import
 *   the function's bundle (built as CDK builds it, with the renderer exported beside its
 *   handler) and render the note once — the function's cold start up to its first PDF, without
 *   the I/O — against a bare bundle, built the same way, that creates the function's clients
 *   (DynamoDB, S3) and replays the bare render. Rounds alternate which goes first; medians.
 * - _Numbering_: N orders (200) issued at once through the real use case and stores on DynamoDB
 *   Local and fauxqs's S3 (draft, number, render, store), against the same N issued one at a
 *   time on a fresh series (no contention: the floor a gap-free series allows, where each number
 *   waits for the one before). Then the series is checked: numbers 1…N, each on one note, the
 *   counter at N (the "no gap" row, target 0).
 *
 * Run alone: `npx node bench/paperwork.ts [--quick]`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { PDFDocument, PDFPage, type RGB, rgb, StandardFonts } from 'pdf-lib';
import { documentClient, type TableRef } from '#adapters/dynamo/client.ts';
import { creditNoteKeys, DynamoCreditNoteStore } from '#adapters/dynamo/credit-notes.ts';
import { renderCreditNotePdf } from '#adapters/pdf/credit-note-pdf.ts';
import { S3DocumentStore } from '#adapters/s3-documents.ts';
import { FUNCTIONS } from '#infra/cdk/functions.ts';
import {
  createTable,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  startDynamoLocal,
  startLocalSqs,
} from '#infra/local/emulators.ts';
import { SAMPLE_NOTE } from '#infra/local/sample-credit-note.ts';
import type { IssuedCreditNote } from '#shared/paperwork/credit-note.ts';
import { acceptedOrder, fixtureSources, TEST_ISSUER } from '#test/support/paperwork.ts';
import { issueCreditNote } from '#use-cases/issue-credit-note.ts';
import { lambdaEnv } from './cold-init.ts';
import { cdkBundle, functionEsbuildOptions } from './support/cdk-bundle.ts';
import { median, ms, ratio, timeMs } from './support/stats.ts';

const run = promisify(execFile);

/** The renderer may take at most this much longer than pdf-lib drawing the same content. */
export const RENDER_RATIO_TARGET = 1.5;
/** The function's cold start to its first PDF, against the bare clients and a bare render. */
export const COLD_RENDER_RATIO_TARGET = 1.5;
/** Hundreds of concurrent issuances may take at most as long as the same issued one at a time. */
export const NUMBERING_RATIO_TARGET = 1;

// ---- The same content, drawn by pdf-lib alone ---------------------------------------------

type Color = [number, number, number];

/** What the renderer drew: text and rules, page by page, in order. */
export type DrawOp =
  | { page: number; text: string; x: number; y: number; size: number; bold: boolean; color?: Color }
  | { page: number; line: [number, number, number, number]; thickness: number; color?: Color };

const colorOf = (color: unknown): Color | undefined => {
  const c = color as RGB | undefined;
  return c ? [c.red, c.green, c.blue] : undefined;
};

/** Renders `note` once with the real renderer, recording each text and line it draws. */
export async function recordDrawing(note: IssuedCreditNote): Promise<DrawOp[]> {
  const ops: DrawOp[] = [];
  const pages = new Map<PDFPage, number>();
  const pageOf = (page: PDFPage) => {
    if (!pages.has(page)) pages.set(page, pages.size);
    return pages.get(page) ?? 0;
  };
  const { drawText, drawLine } = PDFPage.prototype;
  PDFPage.prototype.drawText = function (this: PDFPage, text, options = {}) {
    ops.push({
      page: pageOf(this),
      text,
      x: options.x ?? 0,
      y: options.y ?? 0,
      size: options.size ?? 9,
      bold: options.font?.name === StandardFonts.HelveticaBold,
      ...(options.color ? { color: colorOf(options.color) } : {}),
    });
    return drawText.call(this, text, options);
  };
  PDFPage.prototype.drawLine = function (this: PDFPage, options) {
    ops.push({
      page: pageOf(this),
      line: [options.start.x, options.start.y, options.end.x, options.end.y],
      thickness: options.thickness ?? 1,
      ...(options.color ? { color: colorOf(options.color) } : {}),
    });
    return drawLine.call(this, options);
  };
  try {
    await renderCreditNotePdf(note);
  } finally {
    PDFPage.prototype.drawText = drawText;
    PDFPage.prototype.drawLine = drawLine;
  }
  return ops;
}

/**
 * The bare render: a document with the two standard fonts and A4 pages, the recorded text and
 * rules drawn where they were, saved as the renderer saves. The source is also bundled as is
 * into the cold-start baseline, so it takes pdf-lib as an argument.
 */
const BARE_RENDER = `
async function bareRender(lib, ops) {
  const { PDFDocument, StandardFonts, rgb } = lib;
  const doc = await PDFDocument.create({ updateMetadata: false });
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const pages = [];
  for (const op of ops) {
    while (pages.length <= op.page) pages.push(doc.addPage([595.28, 841.89]));
    const page = pages[op.page];
    const color = op.color ? rgb(op.color[0], op.color[1], op.color[2]) : undefined;
    if ('text' in op)
      page.drawText(op.text, { x: op.x, y: op.y, size: op.size, font: op.bold ? bold : font, ...(color ? { color } : {}) });
    else
      page.drawLine({ start: { x: op.line[0], y: op.line[1] }, end: { x: op.line[2], y: op.line[3] }, thickness: op.thickness, ...(color ? { color } : {}) });
  }
  return doc.save({ useObjectStreams: false });
}
`;

const bareRender = new Function(`${BARE_RENDER}; return bareRender;`)() as (
  lib: { PDFDocument: typeof PDFDocument; StandardFonts: typeof StandardFonts; rgb: typeof rgb },
  ops: readonly DrawOp[],
) => Promise<Uint8Array>;

export interface RenderFigure {
  renders: number;
  medianMs: number;
  bareMedianMs: number;
  ratio: number;
  bytes: number;
  bareBytes: number;
  drawOps: number;
  target: number;
}

/** Warm renders, interleaved with bare ones; medians. */
export async function benchRender(note: IssuedCreditNote, renders: number): Promise<RenderFigure> {
  const ops = await recordDrawing(note);
  const lib = { PDFDocument, StandardFonts, rgb };
  const own: number[] = [];
  const bare: number[] = [];
  let bytes = 0;
  let bareBytes = 0;
  const warmup = Math.min(20, renders);
  for (let i = 0; i < warmup + renders; i++) {
    const first = i % 2 === 0;
    const a = async () => {
      const t = await timeMs(async () => {
        bytes = (await renderCreditNotePdf(note)).length;
      });
      if (i >= warmup) own.push(t);
    };
    const b = async () => {
      const t = await timeMs(async () => {
        bareBytes = (await bareRender(lib, ops)).length;
      });
      if (i >= warmup) bare.push(t);
    };
    if (first) {
      await a();
      await b();
    } else {
      await b();
      await a();
    }
  }
  const medianMs = median(own);
  const bareMedianMs = median(bare);
  return {
    renders,
    medianMs,
    bareMedianMs,
    ratio: ratio(medianMs, bareMedianMs),
    bytes,
    bareBytes,
    drawOps: ops.length,
    target: RENDER_RATIO_TARGET,
  };
}

// ---- Cold start to the first PDF -----------------------------------------------------------

/** The function's bundle with its renderer exported beside the handler (esbuild keeps one copy). */
const FUNCTION_ENTRY = `
export { handler } from './functions/credit-notes.ts';
export { renderCreditNotePdf as render } from './shared/adapters/pdf/credit-note-pdf.ts';
`;

/** The floor: the clients the function creates, and pdf-lib drawing the same content. */
const BARE_ENTRY = `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import * as lib from 'pdf-lib';
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const s3 = new S3Client({});
${BARE_RENDER}
export const handler = async () => ({ doc, s3 });
export const render = (ops) => bareRender(lib, ops);
`;

/** Imports `file`, renders `input` once; prints `{importMs, renderMs, bytes}`. */
const COLD_SCRIPT = (file: string, input: string) =>
  `import { readFileSync } from 'node:fs';` +
  `const input = JSON.parse(readFileSync(${JSON.stringify(input)}, 'utf8'));` +
  `const t0 = performance.now();` +
  `const m = await import(${JSON.stringify(pathToFileURL(file).href)});` +
  `const t1 = performance.now();` +
  `const pdf = await m.render(input);` +
  `const t2 = performance.now();` +
  `process.stdout.write(JSON.stringify({ importMs: t1 - t0, renderMs: t2 - t1, bytes: pdf.length }));`;

interface ColdSample {
  importMs: number;
  renderMs: number;
  bytes: number;
}

export interface ColdRenderFigure {
  runs: number;
  /** Import + first render, medians. */
  medianMs: number;
  bareMedianMs: number;
  importMs: number;
  renderMs: number;
  bareImportMs: number;
  bareRenderMs: number;
  bundleBytes: number;
  bareBundleBytes: number;
  ratio: number;
  target: number;
}

export async function benchColdRender(note: IssuedCreditNote, runs: number): Promise<ColdRenderFigure> {
  const dir = mkdtempSync(join(tmpdir(), 'refund-bench-paperwork-'));
  try {
    const options = functionEsbuildOptions(FUNCTIONS['credit-notes']);
    const [own, bare] = await Promise.all([
      cdkBundle({ contents: FUNCTION_ENTRY }, join(dir, 'credit-notes'), options),
      cdkBundle({ contents: BARE_ENTRY }, join(dir, 'bare'), options),
    ]);
    const noteFile = join(dir, 'note.json');
    const opsFile = join(dir, 'ops.json');
    writeFileSync(noteFile, JSON.stringify(note));
    writeFileSync(opsFile, JSON.stringify(await recordDrawing(note)));
    const env = lambdaEnv('credit-notes', { usesSqs: false });
    const once = async (file: string, input: string): Promise<ColdSample> => {
      const { stdout } = await run(
        process.execPath,
        ['--input-type=module', '-e', COLD_SCRIPT(file, input)],
        {
          env,
        },
      );
      return JSON.parse(stdout) as ColdSample;
    };
    const ownSamples: ColdSample[] = [];
    const bareSamples: ColdSample[] = [];
    for (let i = 0; i < runs; i++) {
      if (i % 2 === 0) {
        ownSamples.push(await once(own.file, noteFile));
        bareSamples.push(await once(bare.file, opsFile));
      } else {
        bareSamples.push(await once(bare.file, opsFile));
        ownSamples.push(await once(own.file, noteFile));
      }
    }
    const total = (s: ColdSample) => s.importMs + s.renderMs;
    const medianMs = median(ownSamples.map(total));
    const bareMedianMs = median(bareSamples.map(total));
    return {
      runs,
      medianMs,
      bareMedianMs,
      importMs: median(ownSamples.map((s) => s.importMs)),
      renderMs: median(ownSamples.map((s) => s.renderMs)),
      bareImportMs: median(bareSamples.map((s) => s.importMs)),
      bareRenderMs: median(bareSamples.map((s) => s.renderMs)),
      bundleBytes: own.bytes,
      bareBundleBytes: bare.bytes,
      ratio: ratio(medianMs, bareMedianMs),
      target: COLD_RENDER_RATIO_TARGET,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- Numbering under concurrency -----------------------------------------------------------

export interface NumberingFigure {
  orders: number;
  concurrentMs: number;
  sequentialMs: number;
  notesPerSecond: number;
  sequentialNotesPerSecond: number;
  ratio: number;
  target: number;
  /** Numbers missing from 1…N, used twice, orders without exactly one note, and a counter ≠ N. */
  faults: number;
}

/** Every note of the series: their sequences, and the counter. */
async function series(table: TableRef, accounts: readonly string[], issuerId: string, year: number) {
  const sequences: number[] = [];
  let notes = 0;
  for (const account of accounts) {
    let after: Record<string, unknown> | undefined;
    do {
      const page = await table.doc.send(
        new QueryCommand({
          TableName: table.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :cn)',
          ExpressionAttributeValues: { ':pk': `ACCT#${account}`, ':cn': 'CNOTE#' },
          ConsistentRead: true,
          ExclusiveStartKey: after,
        }),
      );
      for (const item of page.Items ?? []) {
        notes++;
        if (typeof item.sequence === 'number') sequences.push(item.sequence);
      }
      after = page.LastEvaluatedKey;
    } while (after);
  }
  const counter = await table.doc.send(
    new GetCommand({
      TableName: table.tableName,
      Key: creditNoteKeys.counter(issuerId, year),
      ConsistentRead: true,
    }),
  );
  return { sequences, notes, last: Number(counter.Item?.last ?? 0) };
}

/** The gap-free checks: 0 when the notes are numbered exactly 1…N, one each. */
export function numberingFaults(
  found: { sequences: number[]; notes: number; last: number },
  orders: number,
): number {
  const seen = new Set(found.sequences);
  let faults = Math.abs(found.notes - orders) + (found.sequences.length - seen.size);
  for (let n = 1; n <= orders; n++) if (!seen.has(n)) faults++;
  for (const n of seen) if (n < 1 || n > orders) faults++;
  if (found.last !== orders) faults++;
  return faults;
}

export async function benchNumbering(orders: number): Promise<NumberingFigure> {
  const [dynamo, sqs] = await Promise.all([startDynamoLocal(), startLocalSqs()]);
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const s3 = new S3Client({
    endpoint: sqs.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
  });
  try {
    const issuedAt = Date.parse('2026-03-05T10:00:05.000Z');
    const setUp = async (name: string) => {
      const tableName = `bench-notes-${name}`;
      await createTable(client, tableName, { stream: false });
      await s3.send(new CreateBucketCommand({ Bucket: tableName }));
      const table: TableRef = { doc: documentClient(client), tableName };
      const fixtures = Array.from({ length: orders }, (_, i) => acceptedOrder(i + 1, `acct-${i % 7}`));
      const deps = {
        notes: new DynamoCreditNoteStore(table),
        documents: new S3DocumentStore(s3, tableName),
        render: renderCreditNotePdf,
        ...fixtureSources(fixtures),
        issuer: TEST_ISSUER,
        clock: () => issuedAt,
      };
      const accounts = [...new Set(fixtures.map((f) => f.order.accountId))];
      return { table, fixtures, deps, accounts };
    };

    const sequential = await setUp('sequential');
    const sequentialMs = await timeMs(async () => {
      for (const { order } of sequential.fixtures)
        await issueCreditNote(sequential.deps, order.accountId, order.unsubscribeOrderId);
    });
    const concurrent = await setUp('concurrent');
    const concurrentMs = await timeMs(() =>
      Promise.all(
        concurrent.fixtures.map(({ order }) =>
          issueCreditNote(concurrent.deps, order.accountId, order.unsubscribeOrderId),
        ),
      ),
    );
    let faults = 0;
    for (const side of [sequential, concurrent])
      faults += numberingFaults(await series(side.table, side.accounts, TEST_ISSUER.id, 2026), orders);
    return {
      orders,
      concurrentMs,
      sequentialMs,
      notesPerSecond: (orders * 1000) / concurrentMs,
      sequentialNotesPerSecond: (orders * 1000) / sequentialMs,
      ratio: ratio(concurrentMs, sequentialMs),
      target: NUMBERING_RATIO_TARGET,
      faults,
    };
  } finally {
    client.destroy();
    s3.destroy();
    await Promise.all([dynamo.stop(), sqs.stop()]);
  }
}

export interface PaperworkBench {
  render: RenderFigure;
  cold: ColdRenderFigure;
  numbering: NumberingFigure;
}

export async function benchPaperwork(opts: { quick: boolean }): Promise<PaperworkBench> {
  const render = await benchRender(SAMPLE_NOTE, opts.quick ? 10 : 300);
  const cold = await benchColdRender(SAMPLE_NOTE, opts.quick ? 2 : 15);
  const numbering = await benchNumbering(opts.quick ? 20 : 200);
  return { render, cold, numbering };
}

if (import.meta.main) {
  const r = await benchPaperwork({ quick: process.argv.includes('--quick') });
  process.stdout.write(
    `render warm: ${ms(r.render.medianMs)} vs bare pdf-lib ${ms(r.render.bareMedianMs)} = ${r.render.ratio.toFixed(2)}× (${r.render.drawOps} draw calls)\n` +
      `cold start + first render: ${ms(r.cold.medianMs)} (import ${ms(r.cold.importMs)}, render ${ms(r.cold.renderMs)}) vs bare ${ms(r.cold.bareMedianMs)} (import ${ms(r.cold.bareImportMs)}, render ${ms(r.cold.bareRenderMs)}) = ${r.cold.ratio.toFixed(2)}×\n` +
      `numbering ${r.numbering.orders} at once: ${ms(r.numbering.concurrentMs)} (${r.numbering.notesPerSecond.toFixed(0)}/s) vs one at a time ${ms(r.numbering.sequentialMs)} (${r.numbering.sequentialNotesPerSecond.toFixed(0)}/s) = ${r.numbering.ratio.toFixed(2)}×; faults ${r.numbering.faults}\n`,
  );
}
