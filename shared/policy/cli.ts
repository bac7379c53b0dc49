/**
 * The refund policy on the command line: `npm run --silent policy -- <subcommand>`.
 * Reads an instance (SPEC 4.2 shape) on stdin, prints one JSON object on stdout: the answer
 * (exit 0), or `{"error": {code, message, details}}` for a refusal or invalid input (exit 2)
 * or for anything unexpected (INTERNAL, exit 1, no internals).
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import * as z from 'zod/mini';
import { instant, parseOrThrow } from '#schema/common.ts';
import { parseInstanceFacts } from '#schema/instance.ts';
import { RefundError, validationFailed } from '#shared/errors.ts';
import { presentQuote } from '#shared/present.ts';
import { Backtest, explainOrder, recordedOrder } from './backtest.ts';
import { PolicyError, parsePolicy } from './document.ts';
import { dueBy } from './due-by.ts';
import { POLICIES } from './registry.ts';
import { quoteRenewalCancellation } from './renewal.ts';
import { quotaYear, toIso } from './time.ts';
import { quoteUnsubscribe } from './unsubscribe.ts';

const USAGE = `Usage:
  npm run --silent policy -- quote --now <ISO> --kind UNSUBSCRIBE [--quota-used] < instance.json
  npm run --silent policy -- quote --now <ISO> --kind CANCEL_RENEWAL [--updated-expiration-time <ISO>] < instance.json
  npm run --silent policy -- due-by --confirmed-at <ISO> [--holidays YYYY-MM-DD,...]
  npm run --silent policy -- quota-year --now <ISO>
  npm run --silent policy -- explain < order.json
  npm run --silent policy -- backtest --policy <candidate.json> < orders.jsonl
  npm run --silent policy -- --help

quote    Quote an unsubscription or a renewal cancellation of the instance read on stdin
         (the JSON of GET /instances/{id}) as of --now. --quota-used: the account already used
         this year's unconditional full refund for the product.
due-by   The settlement deadline of an unsubscription confirmed at --confirmed-at; --holidays
         are UTC+8 dates that are not business days.
quota-year
         The quota year (UTC+8 calendar year) that contains --now.
explain  Recompute an unsubscribe order (the JSON of GET /unsubscribe-orders/{id}) from its
         recorded derivation under the policy version it names. Exit 0 when every amount
         matches to the minor unit, 3 with the differences when one does not.
backtest Recompute exported orders (JSON Lines, as GET /internal/unsubscribe-orders/export
         streams them) under a candidate policy file. Prints the orders compared and changed,
         the total difference per currency, the largest changes and any broken invariant.
         Exit 0 when nothing changes, 3 when amounts or refund types change, 4 when an
         invariant would break.

Instants are ISO-8601 UTC (2026-04-10T15:30:00.000Z). Output: one JSON object on stdout.
Exit 0 on success; 2 with {"error": {code, message, details}} for a refusal or invalid input;
1 with an INTERNAL error for anything unexpected.
`;

interface Outcome {
  body: unknown;
  exitCode: number;
}

function parseFlags<const T extends ParseArgsOptionsConfig>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw validationFailed([{ field: 'arguments', message: (error as Error).message }]);
  }
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined) throw validationFailed([{ field: flag, message: 'is required' }]);
  return value;
}

async function readStdin(): Promise<unknown> {
  if (process.stdin.isTTY) throw validationFailed([{ field: 'stdin', message: 'must be the instance JSON' }]);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw validationFailed([{ field: 'stdin', message: `is not valid JSON (${(error as Error).message})` }]);
  }
}

const kindSchema = z.enum(['UNSUBSCRIBE', 'CANCEL_RENEWAL'], 'must be UNSUBSCRIBE or CANCEL_RENEWAL');

async function quote(args: string[]): Promise<unknown> {
  const flags = parseFlags(args, {
    now: { type: 'string' },
    kind: { type: 'string' },
    'quota-used': { type: 'boolean' },
    'updated-expiration-time': { type: 'string' },
  });
  const now = parseOrThrow(instant(), required(flags.now, '--now'), '--now');
  const kind = parseOrThrow(kindSchema, required(flags.kind, '--kind'), '--kind');
  const requested = flags['updated-expiration-time'];
  if (kind === 'UNSUBSCRIBE' && requested !== undefined) {
    throw validationFailed([
      { field: '--updated-expiration-time', message: 'applies to --kind CANCEL_RENEWAL only' },
    ]);
  }
  if (kind === 'CANCEL_RENEWAL' && flags['quota-used'] !== undefined) {
    throw validationFailed([{ field: '--quota-used', message: 'applies to --kind UNSUBSCRIBE only' }]);
  }
  const instance = parseInstanceFacts(await readStdin());
  if (kind === 'UNSUBSCRIBE') {
    return presentQuote(quoteUnsubscribe(instance, { now, quotaUsed: flags['quota-used'] === true }));
  }
  const updatedExpirationTime =
    requested === undefined ? undefined : parseOrThrow(instant(), requested, '--updated-expiration-time');
  return presentQuote(quoteRenewalCancellation(instance, { now, updatedExpirationTime }));
}

function dueByCommand(args: string[]): unknown {
  const flags = parseFlags(args, { 'confirmed-at': { type: 'string' }, holidays: { type: 'string' } });
  const confirmedAt = parseOrThrow(
    instant(),
    required(flags['confirmed-at'], '--confirmed-at'),
    '--confirmed-at',
  );
  const holidays = (flags.holidays ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return { dueBy: toIso(dueBy(confirmedAt, holidays)) };
}

function quotaYearCommand(args: string[]): unknown {
  const flags = parseFlags(args, { now: { type: 'string' } });
  return { quotaYear: quotaYear(parseOrThrow(instant(), required(flags.now, '--now'), '--now')) };
}

async function explain(args: string[]): Promise<Outcome> {
  parseFlags(args, {});
  let order: ReturnType<typeof recordedOrder>;
  try {
    order = recordedOrder(await readStdin());
  } catch (error) {
    if (error instanceof RefundError) throw error;
    throw validationFailed([{ field: 'stdin', message: (error as Error).message }]);
  }
  const ref = order.derivation.policy;
  const policy = POLICIES.get(ref);
  if (!policy)
    throw validationFailed([
      { field: 'derivation.policy', message: `${ref.id} v${ref.version} is not released here` },
    ]);
  const diff = explainOrder(order, policy);
  return {
    body: {
      unsubscribeOrderId: order.unsubscribeOrderId,
      policy: ref,
      matches: diff.length === 0,
      differences: diff,
    },
    exitCode: diff.length === 0 ? 0 : 3,
  };
}

async function backtest(args: string[]): Promise<Outcome> {
  const flags = parseFlags(args, { policy: { type: 'string' } });
  const path = required(flags.policy, '--policy');
  let candidate: ReturnType<typeof parsePolicy>;
  try {
    candidate = parsePolicy(JSON.parse(readFileSync(path, 'utf8')), path);
  } catch (error) {
    const field = error instanceof PolicyError ? error.field : '--policy';
    throw validationFailed([{ field, message: (error as Error).message }]);
  }
  if (process.stdin.isTTY)
    throw validationFailed([{ field: 'stdin', message: 'must be the orders as JSON Lines' }]);
  const run = new Backtest(candidate);
  let n = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
    n += 1;
    if (line.trim() !== '') run.add(line, n);
  }
  const report = run.report();
  const exitCode = report.invariantBreaks.length > 0 ? 4 : report.ordersChanged > 0 ? 3 : 0;
  return { body: report, exitCode };
}

export async function run(argv: string[]): Promise<Outcome | string> {
  const [command, ...rest] = argv;
  if (command === undefined || argv.includes('--help') || argv.includes('-h')) return USAGE;
  try {
    if (command === 'quote') return { body: await quote(rest), exitCode: 0 };
    if (command === 'due-by') return { body: dueByCommand(rest), exitCode: 0 };
    if (command === 'quota-year') return { body: quotaYearCommand(rest), exitCode: 0 };
    if (command === 'explain') return await explain(rest);
    if (command === 'backtest') return await backtest(rest);
    throw validationFailed([
      { field: 'command', message: 'must be quote, due-by, quota-year, explain or backtest (see --help)' },
    ]);
  } catch (error) {
    if (error instanceof RefundError)
      return { body: error.toBody(), exitCode: error.code === 'INTERNAL' ? 1 : 2 };
    return { body: new RefundError('INTERNAL', 'Internal error').toBody(), exitCode: 1 };
  }
}

if (import.meta.main) {
  const outcome = await run(process.argv.slice(2));
  if (typeof outcome === 'string') process.stdout.write(outcome);
  else {
    process.stdout.write(`${JSON.stringify(outcome.body, null, 2)}\n`);
    process.exitCode = outcome.exitCode;
  }
}
