/**
 * Settings of the paperwork functions (credit notes, customer emails, the journal), read once at
 * cold start. A missing or malformed one fails the import naming the variable (`ConfigError`),
 * like `#shared/config.ts`; none has a default that could hide a deployment mistake, except the
 * documented chart of accounts.
 */
import { ConfigError } from './config.ts';
import type { Issuer } from './paperwork/credit-note.ts';
import { type ChartOfAccounts, DEFAULT_CHART, type LedgerAccount } from './paperwork/journal.ts';

type Env = NodeJS.ProcessEnv;

/** Collects problems so that every bad setting is named at once. */
class Reader {
  readonly problems: string[] = [];
  readonly #env: Env;

  constructor(env: Env) {
    this.#env = env;
  }

  required(name: string, pattern: RegExp, message: string): string {
    const value = this.#env[name];
    if (value === undefined) this.problems.push(`${name} is missing`);
    else if (!pattern.test(value)) this.problems.push(`${name}=${JSON.stringify(value)} ${message}`);
    return value ?? '';
  }

  optional(name: string, pattern: RegExp, message: string): string | undefined {
    return this.#env[name] === undefined ? undefined : this.required(name, pattern, message);
  }

  done<T>(value: T): T {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
    return value;
  }
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Printable WinAnsi text (what the PDF's standard fonts can print), 1–200 characters. */
const PRINTABLE = /^[\x20-\x7e\xa0-\xff]{1,200}$/;

/** The credit notes' issuer: ISSUER_ID, ISSUER_LEGAL_NAME, ISSUER_ADDRESS (lines separated by `|`), ISSUER_TAX_ID. */
export function readIssuer(env: Env = process.env): Issuer {
  const r = new Reader(env);
  const id = r.required('ISSUER_ID', /^[A-Za-z0-9-]{1,32}$/, 'must be 1–32 of A-Z a-z 0-9 -');
  const legalName = r.required('ISSUER_LEGAL_NAME', PRINTABLE, 'must be 1–200 printable Latin-1 characters');
  const address = r.required(
    'ISSUER_ADDRESS',
    /^[\x20-\x7e\xa0-\xff]{1,500}$/,
    'must be 1–500 printable Latin-1 characters (lines separated by |)',
  );
  const taxId = r.required('ISSUER_TAX_ID', PRINTABLE, 'must be 1–200 printable Latin-1 characters');
  return r.done({
    id,
    legalName,
    address: address
      .split('|')
      .map((line) => line.trim())
      .filter(Boolean),
    taxId,
  });
}

/** An S3 bucket name from `name` (required). */
export function readBucket(name: string, env: Env = process.env): string {
  const r = new Reader(env);
  return r.done(r.required(name, BUCKET, 'must be an S3 bucket name'));
}

export { Reader as SettingsReader };

export interface MailConfig {
  /** The sender (an SES-verified identity in the cloud). */
  from: string;
  transport: 'ses' | 'smtp';
  /** `smtp://127.0.0.1:<port>`, for `smtp` (the local runtime's in-process server). */
  smtpUrl: string | undefined;
  sesConfigurationSet: string | undefined;
}

const EMAIL = /^[^\s<>()",;:\\@]+@[^\s<>()",;:\\@]+\.[^\s<>()",;:\\@]+$/;

/** MAIL_FROM (required), MAIL_TRANSPORT (`ses`, default, or `smtp` with SMTP_URL), SES_CONFIGURATION_SET. */
export function readMailConfig(env: Env = process.env): MailConfig {
  const r = new Reader(env);
  const from = r.required('MAIL_FROM', EMAIL, 'must be a plain e-mail address');
  const transport = (r.optional('MAIL_TRANSPORT', /^(ses|smtp)$/, 'must be ses or smtp') ?? 'ses') as
    | 'ses'
    | 'smtp';
  const smtpUrl =
    transport === 'smtp'
      ? r.required('SMTP_URL', /^smtp:\/\/[\w.-]+:\d{1,5}$/, 'must be smtp://host:port')
      : undefined;
  const sesConfigurationSet = r.optional(
    'SES_CONFIGURATION_SET',
    /^[\w-]{1,64}$/,
    'must be an SES configuration set name',
  );
  return r.done({ from, transport, smtpUrl, sesConfigurationSet });
}

const ACCOUNT_CODE = /^[A-Za-z0-9.-]{1,20}$/;

/**
 * The journal's chart of accounts: JOURNAL_ACCOUNTS, a JSON object overriding any of the roles'
 * `{code, name}` (`{"revenue": {"code": "4010", "name": "Cloud revenue"}}`), else the documented
 * defaults (`DEFAULT_CHART`). Codes are 1–20 of `A-Z a-z 0-9 . -` and differ from each other.
 */
export function readChart(env: Env = process.env): ChartOfAccounts {
  const raw = env.JOURNAL_ACCOUNTS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_CHART;
  const problems: string[] = [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(['JOURNAL_ACCOUNTS must be a JSON object']);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ConfigError(['JOURNAL_ACCOUNTS must be a JSON object']);
  const chart = { ...DEFAULT_CHART };
  for (const [role, value] of Object.entries(parsed)) {
    if (!(role in DEFAULT_CHART)) {
      problems.push(`JOURNAL_ACCOUNTS.${role} is not a role (${Object.keys(DEFAULT_CHART).join(', ')})`);
      continue;
    }
    const { code, name } = (value ?? {}) as { code?: unknown; name?: unknown };
    if (typeof code !== 'string' || !ACCOUNT_CODE.test(code))
      problems.push(`JOURNAL_ACCOUNTS.${role}.code must be 1–20 of A-Z a-z 0-9 . -`);
    else if (typeof name !== 'string' || !/^[\x20-\x7e\xa0-\xff]{1,100}$/.test(name))
      problems.push(`JOURNAL_ACCOUNTS.${role}.name must be 1–100 printable Latin-1 characters`);
    else chart[role as LedgerAccount] = { code, name };
  }
  const codes = Object.values(chart).map((a) => a.code);
  if (new Set(codes).size !== codes.length)
    problems.push(`JOURNAL_ACCOUNTS gives two roles the same code (${codes.join(', ')})`);
  if (problems.length > 0) throw new ConfigError(problems);
  return chart;
}
