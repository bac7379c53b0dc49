/**
 * One confirmed attempt of a money-moving request (unsubscribe, cancel renewal): its
 * Idempotency-Key is made once and reused while the request is in flight (a double click
 * joins the same request) and after a network error (the retry replays, never duplicates).
 * A definitive answer ends the attempt; other details (another reason) start a new one.
 */
import { NetworkError } from './api.ts';

export function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class Attempt {
  private key: string | undefined;
  private body: string | undefined;
  private inFlight: Promise<unknown> | undefined;

  /** The key of the attempt under way (tests and the page's data attribute). */
  get currentKey(): string | undefined {
    return this.key;
  }

  run<T>(body: unknown, send: (key: string) => Promise<T>): Promise<T> {
    if (this.inFlight) return this.inFlight as Promise<T>;
    const text = JSON.stringify(body);
    if (this.key === undefined || this.body !== text) {
      this.key = newKey();
      this.body = text;
    }
    const request = send(this.key).then(
      (result) => {
        this.key = undefined;
        return result;
      },
      (error: unknown) => {
        const retryable =
          error instanceof NetworkError ||
          (error instanceof Error && 'code' in error && error.code === 'IDEMPOTENCY_IN_PROGRESS');
        if (!retryable) this.key = undefined;
        throw error;
      },
    );
    this.inFlight = request.finally(() => {
      this.inFlight = undefined;
    });
    this.inFlight.catch(() => {});
    return request;
  }
}
