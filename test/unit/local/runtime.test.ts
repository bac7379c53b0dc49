import { describe, expect, it } from 'vitest';
import { queueUrlOn } from '#infra/local/runtime.ts';

describe('queueUrlOn', () => {
  it("moves a fauxqs queue URL onto the emulator's loopback origin, keeping the path", () => {
    expect(
      queueUrlOn('http://127.0.0.1:4566', 'http://sqs.us-east-1.localhost:4566/000000000000/refunds'),
    ).toBe('http://127.0.0.1:4566/000000000000/refunds');
  });

  it('ignores a trailing slash on the endpoint', () => {
    expect(queueUrlOn('http://127.0.0.1:9/', 'http://x:1/000000000000/p-refunds-dlq')).toBe(
      'http://127.0.0.1:9/000000000000/p-refunds-dlq',
    );
  });
});
