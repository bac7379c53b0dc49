import { describe, expect, it } from 'vitest';
import { leadInWords, match, type Screen } from '../../../web/src/app.ts';

const screen = (name: string): Screen => Object.assign(() => {}, { screenName: name });
const screens = {
  resources: screen('resources'),
  orders: screen('orders'),
  'orders/:id': screen('order'),
  'operator/refunds/:id': screen('operator refund'),
};
const found = (hash: string) => {
  const m = match(screens, hash);
  return m && { name: (m.screen as unknown as { screenName: string }).screenName, params: m.params };
};

describe('console routes', () => {
  it('matches a hash to its pattern and decodes the parameters', () => {
    expect(found('#/orders')).toEqual({ name: 'orders', params: {} });
    expect(found('#/orders/uo%2F1%20a')).toEqual({ name: 'order', params: { id: 'uo/1 a' } });
    expect(found('#/operator/refunds/r-1')).toEqual({ name: 'operator refund', params: { id: 'r-1' } });
  });

  it('matches nothing for an unknown route, a missing parameter or a malformed escape', () => {
    expect(found('#/nowhere')).toBeUndefined();
    expect(found('#/orders/')).toEqual({ name: 'orders', params: {} });
    expect(found('#/orders/a/b')).toBeUndefined();
    expect(found('#/orders/%E0%A4%A')).toBeUndefined();
    expect(found('')).toBeUndefined();
  });
});

describe('the local clock in the header', () => {
  it('says how far ahead it runs, in words', () => {
    expect(leadInWords(5 * 86_400_000)).toBe('5 days');
    expect(leadInWords(86_400_000 + 2 * 3_600_000 + 60_000)).toBe('1 day 2 hours 1 minute');
    expect(leadInWords(16 * 60_000)).toBe('16 minutes');
    expect(leadInWords(500)).toBe('less than a minute');
  });
});
