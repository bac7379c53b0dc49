/**
 * A minimal JSON client over one keep-alive connection pool (`node:http`), so the benchmark
 * measures the service, not connection set-up: what a real API client with keep-alive does.
 */
import { Agent, request } from 'node:http';

export interface JsonAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: benchmark fixtures read answers freely
  body: any;
}

export interface JsonClient {
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<JsonAnswer>;
  close(): void;
}

export function jsonClient(baseUrl: string): JsonClient {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const base = new URL(baseUrl);
  return {
    call(method, path, options = {}) {
      const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
      return new Promise((resolve, reject) => {
        const req = request(
          {
            agent,
            host: base.hostname,
            port: base.port,
            method,
            path,
            headers: {
              ...(payload === undefined
                ? {}
                : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
              ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
              ...options.headers,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              try {
                resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
              } catch (error) {
                reject(error);
              }
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}
