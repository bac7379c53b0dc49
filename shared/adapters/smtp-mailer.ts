/**
 * A minimal SMTP client (RFC 5321: EHLO, MAIL FROM, RCPT TO, DATA with dot-stuffing, QUIT) for
 * the local runtime's in-process SMTP server; plain TCP on loopback, no authentication. The
 * cloud sends through SES (`ses-mailer.ts`).
 */
import { connect, type Socket } from 'node:net';
import type { Mailer } from '#ports/notifications.ts';

class Conversation {
  readonly #socket: Socket;
  #buffer = '';
  #waiting: ((line: string) => void) | null = null;
  #lines: string[] = [];

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      let index = this.#buffer.indexOf('\r\n');
      while (index >= 0) {
        const line = this.#buffer.slice(0, index);
        this.#buffer = this.#buffer.slice(index + 2);
        // The last line of a reply has a space after its code (`250 OK`); `250-…` lines continue it.
        if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) {
          const waiting = this.#waiting;
          this.#waiting = null;
          if (waiting) waiting(line);
          else this.#lines.push(line);
        }
        index = this.#buffer.indexOf('\r\n');
      }
    });
  }

  reply(): Promise<string> {
    const ready = this.#lines.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      this.#waiting = resolve;
      this.#socket.once('error', reject);
      this.#socket.once('close', () => reject(new Error('SMTP connection closed')));
    });
  }

  async expect(code: string, command?: string): Promise<string> {
    if (command !== undefined) this.#socket.write(`${command}\r\n`);
    const line = await this.reply();
    if (!line.startsWith(code)) throw new Error(`SMTP: expected ${code}, got ${line.slice(0, 3)}`);
    return line;
  }
}

export class SmtpMailer implements Mailer {
  readonly #host: string;
  readonly #port: number;

  /** `smtp://127.0.0.1:2525` */
  constructor(url: string) {
    const parsed = new URL(url);
    this.#host = parsed.hostname;
    this.#port = Number(parsed.port || 25);
  }

  async send(message: { from: string; to: string; raw: string }): Promise<{ messageId: string }> {
    const socket = connect({ host: this.#host, port: this.#port });
    const smtp = new Conversation(socket);
    try {
      await smtp.expect('220');
      await smtp.expect('250', 'EHLO refund-service.local');
      await smtp.expect('250', `MAIL FROM:<${message.from}>`);
      await smtp.expect('250', `RCPT TO:<${message.to}>`);
      await smtp.expect('354', 'DATA');
      const body = message.raw.replace(/\r\n\./g, '\r\n..');
      const accepted = await smtp.expect('250', `${body}${body.endsWith('\r\n') ? '' : '\r\n'}.`);
      await smtp.expect('221', 'QUIT').catch(() => undefined);
      return { messageId: accepted.slice(4).trim() };
    } finally {
      socket.destroy();
    }
  }
}
