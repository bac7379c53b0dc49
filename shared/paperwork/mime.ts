/**
 * A MIME message (RFC 5322 / 2045–2047), pure: plain text and HTML as alternatives, optional
 * attachments, every part base64 (UTF-8 safe, lines of 76), non-ASCII headers as encoded
 * words. The same bytes go to SES (raw content) in the cloud and to the local SMTP server.
 */
import { createHash } from 'node:crypto';

export interface Attachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments?: Attachment[];
  /** Date header and a seed for the boundaries and Message-ID (the same message renders the same bytes). */
  date: Date;
  /** A stable id (the event id): the Message-ID's local part. */
  id: string;
  /** Headers of our own (`X-…`), e.g. the kind of notice. */
  headers?: Record<string, string>;
}

const CRLF = '\r\n';

function base64Lines(bytes: Uint8Array): string {
  return (
    Buffer.from(bytes)
      .toString('base64')
      .match(/.{1,76}/g) ?? []
  ).join(CRLF);
}

/** An RFC 2047 encoded word when the text is not plain ASCII. */
export function headerText(text: string): string {
  const clean = text.replace(/[\r\n]+/g, ' ');
  return /^[\x20-\x7e]*$/.test(clean)
    ? clean
    : `=?UTF-8?B?${Buffer.from(clean, 'utf8').toString('base64')}?=`;
}

/** An address is only ever an addr-spec here; refuse anything that could inject a header. */
function address(value: string): string {
  if (!/^[^\s<>()",;:\\@]+@[^\s<>()",;:\\@]+$/.test(value)) throw new Error('not a plain e-mail address');
  return value;
}

export function renderMime(message: MailMessage): string {
  const seed = createHash('sha256').update(message.id).digest('hex');
  const mixed = `mixed-${seed.slice(0, 24)}`;
  const alternative = `alt-${seed.slice(24, 48)}`;
  const domain = message.from.split('@')[1] ?? 'localhost';
  const lines: string[] = [
    `From: ${address(message.from)}`,
    `To: ${address(message.to)}`,
    `Subject: ${headerText(message.subject)}`,
    `Date: ${message.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${message.id}@${domain}>`,
    'MIME-Version: 1.0',
    ...Object.entries(message.headers ?? {}).map(([name, value]) => `${name}: ${headerText(value)}`),
    `Content-Type: multipart/mixed; boundary="${mixed}"`,
    '',
    `--${mixed}`,
    `Content-Type: multipart/alternative; boundary="${alternative}"`,
    '',
  ];
  for (const [type, body] of [
    ['text/plain', message.text],
    ['text/html', message.html],
  ] as const) {
    lines.push(
      `--${alternative}`,
      `Content-Type: ${type}; charset=utf-8`,
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(Buffer.from(body, 'utf8')),
    );
  }
  lines.push(`--${alternative}--`);
  for (const attachment of message.attachments ?? []) {
    const name = attachment.filename.replace(/[^\w.-]/g, '_');
    lines.push(
      `--${mixed}`,
      `Content-Type: ${attachment.contentType}; name="${name}"`,
      `Content-Disposition: attachment; filename="${name}"`,
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(attachment.content),
    );
  }
  lines.push(`--${mixed}--`, '');
  return lines.join(CRLF);
}
