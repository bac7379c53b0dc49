/**
 * Credit-note numbers on DynamoDB Local: hundreds of concurrent issuances, each delivered twice,
 * with crashes injected after every step, give every order exactly one note and the series
 * 1…N with no gap and no number twice; a draft whose own issuance died is numbered by the next
 * one; the series restarts on 1 January in UTC+8. The PDFs are read back with pdftotext.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { CreditNoteStore, DocumentStore } from '#ports/credit-notes.ts';
import type { CreditNoteRecord } from '#shared/paperwork/credit-note.ts';
import { acceptedOrder, issueDeps, paperworkTables, pdfText, TEST_ISSUER } from '#test/support/paperwork.ts';
import { type IssueCreditNoteDeps, issueCreditNote } from '#use-cases/issue-credit-note.ts';

class Crash extends Error {}

/** A seeded generator, so a failing run can be replayed. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
}

/** The real stores, dying right after a step succeeded (the write is kept, the answer lost). */
function crashAfterSteps(deps: IssueCreditNoteDeps, rate: number, seed: number) {
  const roll = random(seed);
  const crashes = { draft: 0, numbering: 0, upload: 0, record: 0 };
  const after = async <T>(step: keyof typeof crashes, work: Promise<T>): Promise<T> => {
    const result = await work;
    if (roll() < rate) {
      crashes[step]++;
      throw new Crash(step);
    }
    return result;
  };
  const notes: CreditNoteStore = {
    ...bound(deps.notes),
    draft: (content) => after('draft', deps.notes.draft(content)),
    numberWaiting: (issuer, now) => after('numbering', deps.notes.numberWaiting(issuer, now)),
    setDocument: (a, id, d) => after('record', deps.notes.setDocument(a, id, d)),
  };
  const documents: DocumentStore = {
    ...deps.documents,
    putOnce: (key, body, type) => after('upload', deps.documents.putOnce(key, body, type)),
  };
  return { deps: { ...deps, notes, documents }, crashes };
}

/** The store's methods as a plain object (to override one). */
const bound = (store: CreditNoteStore): CreditNoteStore => ({
  get: (a, id) => store.get(a, id),
  draft: (content) => store.draft(content),
  numberWaiting: (issuer, now) => store.numberWaiting(issuer, now),
  setDocument: (a, id, d) => store.setDocument(a, id, d),
  lease: (issuer, owner, now, ms) => store.lease(issuer, owner, now, ms),
  release: (issuer, owner) => store.release(issuer, owner),
});

/** An event source that redelivers until the handler succeeds (EventBridge's retries). */
async function deliver(deps: IssueCreditNoteDeps, accountId: string, orderId: string) {
  for (let attempt = 1; attempt <= 30; attempt++) {
    try {
      return await issueCreditNote(deps, accountId, orderId);
    } catch (error) {
      if (!(error instanceof Crash)) throw error;
    }
  }
  throw new Error(`${orderId} never issued`);
}

const notesOf = (items: Record<string, unknown>[]) =>
  items.filter((i) => String(i.sk).startsWith('CNOTE#')) as unknown as CreditNoteRecord[];

describe('credit-note numbering', () => {
  it('200 orders issued concurrently, each delivered twice, with crashes after every step: numbers 1…200, each once', async () => {
    const env = await paperworkTables();
    const fixtures = Array.from({ length: 200 }, (_, i) => acceptedOrder(i + 1, `acct-${i % 7}`));
    const now = Date.parse('2026-03-05T10:00:05.000Z');
    const { deps, crashes } = crashAfterSteps(
      issueDeps(env, fixtures, () => now),
      0.15,
      21,
    );

    const issued = await Promise.all(
      fixtures.flatMap(({ order }) => [
        deliver(deps, order.accountId, order.unsubscribeOrderId),
        deliver(deps, order.accountId, order.unsubscribeOrderId),
      ]),
    );
    // Crashes happened at every step, so the test did exercise recovery from each.
    expect(Object.values(crashes).every((count) => count > 0)).toBe(true);

    // Both deliveries of an order answer the same note.
    for (let i = 0; i < issued.length; i += 2) expect(issued[i]?.number).toBe(issued[i + 1]?.number);

    const items = await env.scan();
    const notes = notesOf(items);
    expect(notes).toHaveLength(200);
    const sequences = notes.map((n) => n.sequence).sort((a, b) => Number(a) - Number(b));
    expect(sequences).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(new Set(notes.map((n) => n.number)).size).toBe(200);
    expect(notes.every((n) => n.number === `CN-2026-${String(n.sequence).padStart(6, '0')}`)).toBe(true);
    // The counter says 200, one claim per number, nobody left waiting.
    expect(items.find((i) => i.pk === `CNSEQ#${TEST_ISSUER.id}#2026` && i.sk === 'CNSEQ')?.last).toBe(200);
    expect(items.filter((i) => String(i.sk).startsWith('NO#'))).toHaveLength(200);
    expect(items.filter((i) => String(i.pk).startsWith('CNWAIT#'))).toEqual([]);
    // Every note has its PDF, stored where its record says.
    expect(notes.every((n) => n.document?.key === `credit-notes/test/2026/${n.number}.pdf`)).toBe(true);
  }, 240_000);

  it('a draft whose issuance died is numbered by the next issuance, before it', async () => {
    const env = await paperworkTables();
    const fixtures = [acceptedOrder(1), acceptedOrder(2)];
    const deps = issueDeps(env, fixtures, () => Date.parse('2026-03-05T10:00:05.000Z'));
    const dying: IssueCreditNoteDeps = {
      ...deps,
      notes: {
        ...bound(deps.notes),
        draft: async (content) => {
          await deps.notes.draft(content);
          throw new Crash('after draft');
        },
      },
    };
    await expect(issueCreditNote(dying, 'acct-1', 'uo-1')).rejects.toThrow(Crash);
    expect((await env.notes.get('acct-1', 'uo-1'))?.number).toBeNull();

    const second = await issueCreditNote(deps, 'acct-1', 'uo-2');
    expect(second.number).toBe('CN-2026-000002');
    const first = await env.notes.get('acct-1', 'uo-1');
    expect(first?.number).toBe('CN-2026-000001');
    expect(first?.document).toBeNull();
    // Its own redelivery then renders it, keeping the number.
    expect((await issueCreditNote(deps, 'acct-1', 'uo-1')).document.key).toBe(
      'credit-notes/test/2026/CN-2026-000001.pdf',
    );
  });

  it('a holder whose turn outlasts half its lease renews it: nobody else takes the lease mid-turn', async () => {
    const env = await paperworkTables();
    // 30 waiting drafts: two numbering rounds (25, then 5) in one turn.
    const fixtures = Array.from({ length: 31 }, (_, i) => acceptedOrder(i + 1));
    const deps = issueDeps(env, fixtures, () => Date.parse('2026-03-05T10:00:05.000Z'));
    for (const { order } of fixtures.slice(1)) {
      const dying = { ...deps, notes: { ...bound(deps.notes), lease: async () => false } };
      // Drafted, then never given the lease (its issuance gives up): left waiting.
      await expect(
        issueCreditNote({ ...dying, maxAttempts: 1 }, order.accountId, order.unsubscribeOrderId),
      ).rejects.toThrow(/could not be numbered/);
    }
    let leaseNow = 1_000_000;
    let rounds = 0;
    const competitor: boolean[] = [];
    const holder: IssueCreditNoteDeps = {
      ...deps,
      leaseMs: 1_000,
      leaseClock: () => leaseNow,
      notes: {
        ...bound(deps.notes),
        numberWaiting: async (issuer, now) => {
          // Each round takes 600 ms of the lease's clock. In the second round, a competitor asks for
          // the lease just after the holder's first 1 s would have run out.
          rounds++;
          if (rounds === 2) {
            leaseNow += 500;
            competitor.push(await deps.notes.lease(TEST_ISSUER.id, 'competitor', leaseNow, 1_000));
          }
          const numbered = await deps.notes.numberWaiting(issuer, now);
          leaseNow += 600;
          return numbered;
        },
      },
    };
    const note = await issueCreditNote(holder, 'acct-1', 'uo-1');
    expect(competitor).toEqual([false]);
    // The oldest draft (accepted first) has the first number.
    expect(note.number).toBe('CN-2026-000001');
    const items = await env.scan();
    expect(
      notesOf(items)
        .map((n) => n.sequence)
        .sort((a, b) => Number(a) - Number(b)),
    ).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
  });

  it('numbers restart on 1 January in UTC+8, and issue dates never go backwards in a series', async () => {
    const env = await paperworkTables();
    const fixtures = [1, 2, 3, 4].map((n) => acceptedOrder(n));
    let now = Date.parse('2026-12-31T15:59:59.999Z'); // 23:59:59.999 UTC+8
    const deps = issueDeps(env, fixtures, () => now);
    expect((await issueCreditNote(deps, 'acct-1', 'uo-1')).number).toBe('CN-2026-000001');
    now -= 5_000; // a Lambda whose clock is behind
    const late = await issueCreditNote(deps, 'acct-1', 'uo-2');
    expect(late.number).toBe('CN-2026-000002');
    expect(late.issuedAt).toBe(Date.parse('2026-12-31T15:59:59.999Z'));
    now = Date.parse('2026-12-31T16:00:00.000Z'); // 00:00 UTC+8, 1 January 2027
    expect((await issueCreditNote(deps, 'acct-1', 'uo-3')).number).toBe('CN-2027-000001');
    expect((await issueCreditNote(deps, 'acct-1', 'uo-4')).number).toBe('CN-2027-000002');
  });

  it('the stored PDF reads back with the number, the lines and the amounts to the minor unit', async () => {
    const env = await paperworkTables();
    const fixture = acceptedOrder(3, 'acct-pdf');
    const deps = issueDeps(env, [fixture], () => Date.parse('2026-03-05T10:00:05.000Z'));
    const note = await issueCreditNote(deps, 'acct-pdf', 'uo-3');
    const object = await env.s3.send(new GetObjectCommand({ Bucket: env.bucket, Key: note.document.key }));
    const pdf = await object.Body?.transformToByteArray();
    expect(pdf?.length).toBe(note.document.bytes);
    const text = pdfText(pdf ?? new Uint8Array());

    const [newLine, renewLine] = fixture.order.lines;
    // NEW: 3103 cash, 11 of 31 days used → floor(3103 × 20 / 31) = 2001; RENEW: 2800, voucher 200.
    expect(newLine?.refundAmount).toBe(2001);
    expect(text).toContain('CREDIT NOTE');
    expect(text).toContain('CN-2026-000001');
    expect(text).toContain('Issue date:');
    expect(text).toContain('2026-03-05 (UTC+8)');
    expect(text).toContain('Example Cloud Ltd.');
    expect(text).toContain('Tax ID: HK-12345678');
    expect(text).toContain('Account: acct-pdf');
    expect(text).toContain('Instance: i-3 (waf, Pro)');
    const row = (orderId: string) => text.split('\n').find((l) => l.startsWith(orderId)) ?? '';
    // Order, type, period start, used/term days, cash, voucher, refund, destination — in that order.
    expect(row('i-3-new ')).toMatch(
      /^i-3-new\s+NEW\s+2026-02-23 18:00 to\s+11 \/ 31\s+31\.03\s+1\.00\s+20\.01\s+Original method\s*$/,
    );
    expect(row('i-3-renew')).toMatch(
      /^i-3-renew\s+RENEW\s+2026-03-26 18:00 to\s+0 \/ 30\s+28\.00\s+2\.00\s+28\.00\s+Account balance\s*$/,
    );
    expect(renewLine?.refundAmount).toBe(2800);
    expect(text).toMatch(/Cash paid\s+59\.03/);
    expect(text).toMatch(/Voucher \(not refunded\)\s+3\.00/);
    expect(text).toMatch(/Total refund \(USD\)\s+48\.01 USD/);
  });
});
