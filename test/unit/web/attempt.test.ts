import { describe, expect, it } from 'vitest';
import { ApiError, NetworkError } from '../../../web/src/api.ts';
import { Attempt } from '../../../web/src/attempt.ts';

const body = { quoteId: 'q-1', reason: { code: 'OTHER', text: 'x' } };

describe('console Idempotency-Key attempts', () => {
  it('joins a second click while the first request is in flight (one request, one key)', async () => {
    const attempt = new Attempt();
    const keys: string[] = [];
    let release: (value: string) => void = () => {};
    const send = (key: string) => {
      keys.push(key);
      return new Promise<string>((resolve) => {
        release = resolve;
      });
    };
    const first = attempt.run(body, send);
    const second = attempt.run(body, send);
    release('order');
    expect(await Promise.all([first, second])).toEqual(['order', 'order']);
    expect(keys).toHaveLength(1);
  });

  it('reuses the key after a network error and after IDEMPOTENCY_IN_PROGRESS', async () => {
    const attempt = new Attempt();
    const keys: string[] = [];
    const failures = [new NetworkError('offline'), new ApiError(409, 'IDEMPOTENCY_IN_PROGRESS', 'busy', {})];
    const send = async (key: string) => {
      keys.push(key);
      const failure = failures.shift();
      if (failure) throw failure;
      return 'order';
    };
    await expect(attempt.run(body, send)).rejects.toBeInstanceOf(NetworkError);
    await expect(attempt.run(body, send)).rejects.toBeInstanceOf(ApiError);
    expect(await attempt.run(body, send)).toBe('order');
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
  });

  it('starts a new key after a definitive answer or when the details change', async () => {
    const attempt = new Attempt();
    const keys: string[] = [];
    const send = async (key: string) => {
      keys.push(key);
      if (keys.length === 1) throw new NetworkError('offline');
      if (keys.length === 3) throw new ApiError(422, 'CONFIRMATION_REQUIRED', 'tick', {});
      return 'order';
    };
    await expect(attempt.run(body, send)).rejects.toBeInstanceOf(NetworkError);
    await expect(attempt.run({ ...body, reason: { code: 'TOO_EXPENSIVE' } }, send)).resolves.toBe('order');
    await expect(attempt.run(body, send)).rejects.toBeInstanceOf(ApiError);
    await attempt.run(body, send);
    expect(new Set(keys).size).toBe(4);
  });
});
