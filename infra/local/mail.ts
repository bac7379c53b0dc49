/**
 * The local runtime's mail server: a real SMTP server in process (`smtp-server`, loopback only,
 * no authentication) that receives every customer email the notifier sends, and keeps them
 * parsed (`mailparser`) for `GET /local/mail`: `{messages: [{id, from, to, subject, date,
 * notice, text, html, attachments: [{filename, contentType, size}]}]}`, oldest first. Nothing
 * leaves the machine.
 */
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export const LOCAL_MAIL_PATH = '/local/mail';
export const LOCAL_MAIL_FROM = 'refunds@example.test';

export interface ReceivedMail {
  id: string;
  from: string;
  to: string[];
  subject: string;
  date: string | null;
  /** The `X-Refund-Notice` header: ORDER_ACCEPTED, REFUND_ARRIVED, MOVED_TO_BALANCE. */
  notice: string | null;
  text: string;
  html: string;
  attachments: { filename: string; contentType: string; size: number; content: Buffer }[];
  /** The message as received (headers and body). */
  raw: string;
}

export interface LocalMail {
  url: string;
  messages(): ReceivedMail[];
  stop(): Promise<void>;
}

function summary(id: string, envelopeTo: string[], parsed: ParsedMail, raw: string): ReceivedMail {
  const from = parsed.from?.value[0]?.address ?? '';
  return {
    id,
    from,
    to: envelopeTo,
    subject: parsed.subject ?? '',
    date: parsed.date ? parsed.date.toISOString() : null,
    notice: (parsed.headers.get('x-refund-notice') as string | undefined) ?? null,
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename ?? '',
      contentType: a.contentType,
      size: a.size,
      content: a.content,
    })),
    raw,
  };
}

export async function startLocalMail(): Promise<LocalMail> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    banner: 'refund-service local mail',
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const to = session.envelope.rcptTo.map((r) => r.address);
        simpleParser(raw)
          .then((parsed) => {
            const id = `local-${received.length + 1}`;
            received.push(summary(id, to, parsed, raw));
            callback(null, `queued as ${id}`);
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages: () => [...received],
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** `GET /local/mail` (without the raw bytes and attachment contents). */
export function mailPage(mail: LocalMail) {
  return {
    messages: mail.messages().map(({ raw: _raw, attachments, ...message }) => ({
      ...message,
      attachments: attachments.map(({ content: _content, ...a }) => a),
    })),
  };
}
