import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearerToken, localJwtSecret, signJwt, verifyJwt } from '#infra/local/jwt.ts';

const SECRET = 'test-secret';
const NOW = Date.parse('2026-04-10T15:30:00.000Z');

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A token with any header and claims, signed with `secret` (HS256 over the given parts). */
function forge(header: unknown, claims: unknown, secret = SECRET): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

describe('signJwt / verifyJwt', () => {
  it('accepts a token it signed and returns its claims', () => {
    const token = signJwt('acct-1', SECRET, { scopes: ['refunds/internal'], ttlSeconds: 60, now: NOW });

    const result = verifyJwt(token, SECRET, NOW + 1000);

    expect(result).toEqual({
      ok: true,
      claims: { sub: 'acct-1', iat: NOW / 1000, exp: NOW / 1000 + 60, scope: 'refunds/internal' },
    });
  });

  it('omits scope and exp when not asked for', () => {
    const token = signJwt('acct-1', SECRET, { now: NOW });

    const result = verifyJwt(token, SECRET, NOW + 10 * 365 * 24 * 3600 * 1000);

    expect(result).toEqual({ ok: true, claims: { sub: 'acct-1', iat: NOW / 1000 } });
  });

  it('refuses a token signed with another secret', () => {
    const token = signJwt('acct-1', 'other-secret', { now: NOW });

    expect(verifyJwt(token, SECRET, NOW)).toEqual({ ok: false, reason: 'The token signature is not valid' });
  });

  it('refuses a token whose claims were changed after signing', () => {
    const [header, , signature] = signJwt('acct-1', SECRET, { now: NOW }).split('.');
    const tampered = `${header}.${b64({ sub: 'acct-2', iat: NOW / 1000 })}.${signature}`;

    expect(verifyJwt(tampered, SECRET, NOW)).toMatchObject({
      ok: false,
      reason: 'The token signature is not valid',
    });
  });

  it('refuses a truncated signature', () => {
    const token = signJwt('acct-1', SECRET, { now: NOW });

    expect(verifyJwt(token.slice(0, -4), SECRET, NOW)).toMatchObject({ ok: false });
  });

  it.each([
    ['at exp', 0],
    ['after exp', 1],
  ])('refuses an expired token (%s)', (_, secondsAfter) => {
    const token = signJwt('acct-1', SECRET, { ttlSeconds: 60, now: NOW });

    const result = verifyJwt(token, SECRET, NOW + (60 + secondsAfter) * 1000);

    expect(result).toEqual({ ok: false, reason: 'The token has expired' });
  });

  it('accepts a token one second before exp', () => {
    const token = signJwt('acct-1', SECRET, { ttlSeconds: 60, now: NOW });

    expect(verifyJwt(token, SECRET, NOW + 59_000).ok).toBe(true);
  });

  it('refuses a non-numeric exp', () => {
    const token = forge({ alg: 'HS256' }, { sub: 'acct-1', exp: 'tomorrow' });

    expect(verifyJwt(token, SECRET, NOW)).toEqual({ ok: false, reason: 'The token has expired' });
  });

  it('refuses a token that is not valid yet (nbf)', () => {
    const token = forge({ alg: 'HS256' }, { sub: 'acct-1', nbf: NOW / 1000 + 10 });

    expect(verifyJwt(token, SECRET, NOW)).toEqual({ ok: false, reason: 'The token is not valid yet' });
  });

  it.each([
    ['none', { alg: 'none' }],
    ['HS512', { alg: 'HS512' }],
    ['RS256', { alg: 'RS256' }],
    ['missing', { typ: 'JWT' }],
  ])('refuses alg %s even with a valid HS256 signature', (_, header) => {
    const token = forge(header, { sub: 'acct-1' });

    expect(verifyJwt(token, SECRET, NOW)).toEqual({
      ok: false,
      reason: 'The token must be signed with HS256',
    });
  });

  it('refuses an unsigned token (alg none, empty signature)', () => {
    const token = `${b64({ alg: 'none' })}.${b64({ sub: 'acct-1' })}.`;

    expect(verifyJwt(token, SECRET, NOW)).toMatchObject({ ok: false });
  });

  it.each([
    ['missing', {}],
    ['empty', { sub: '' }],
    ['not a string', { sub: 42 }],
  ])('refuses a token whose sub is %s', (_, claims) => {
    const token = forge({ alg: 'HS256' }, claims);

    expect(verifyJwt(token, SECRET, NOW)).toEqual({ ok: false, reason: 'The token has no sub claim' });
  });

  it.each([
    ['two parts', 'a.b'],
    ['four parts', 'a.b.c.d'],
    ['not base64url', 'a+b.c.d'],
    ['not JSON', `${Buffer.from('nope').toString('base64url')}.${b64({ sub: 'a' })}.sig`],
    ['claims not an object', `${b64({ alg: 'HS256' })}.${b64(['sub'])}.sig`],
  ])('refuses a malformed token (%s)', (_, token) => {
    expect(verifyJwt(token, SECRET, NOW)).toEqual({ ok: false, reason: 'The token is not a JWT' });
  });
});

describe('bearerToken', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc', 'abc'],
    ['Basic abc', undefined],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
    [undefined, undefined],
  ])('reads %j as %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});

describe('localJwtSecret', () => {
  it('uses LOCAL_JWT_SECRET, else the documented default', () => {
    expect(localJwtSecret({ LOCAL_JWT_SECRET: 's3cret' })).toBe('s3cret');
    expect(localJwtSecret({})).toBe('local-dev-secret');
  });
});
