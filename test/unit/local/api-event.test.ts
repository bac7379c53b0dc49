import { describe, expect, it } from 'vitest';
import {
  errorAnswer,
  fromHandlerResult,
  gatewayTime,
  jwtAuthorizer,
  type LocalRequest,
  matchRoute,
  toApiEvent,
} from '#infra/local/api-event.ts';

const NOW = Date.parse('2026-04-10T15:30:05.123Z');

const request = (overrides: Partial<LocalRequest> = {}): LocalRequest => ({
  method: 'POST',
  url: '/instances/i-1/refund-quotes',
  headers: { host: '127.0.0.1:3000', 'content-type': 'application/json', 'user-agent': 'curl/8.5.0' },
  body: '{"kind":"UNSUBSCRIBE"}',
  sourceIp: '127.0.0.1',
  protocol: 'HTTP/1.1',
  requestId: 'req-1',
  now: NOW,
  ...overrides,
});

const authorizer = jwtAuthorizer({ sub: 'acct-1', iat: 1, scope: 'a b' });

describe('matchRoute', () => {
  it.each([
    ['GET', '/instances', 'GET /instances', {}],
    ['GET', '/instances/i-1', 'GET /instances/{instanceId}', { instanceId: 'i-1' }],
    [
      'POST',
      '/instances/i-1/refund-quotes',
      'POST /instances/{instanceId}/refund-quotes',
      { instanceId: 'i-1' },
    ],
    [
      'POST',
      '/instances/i-1/unsubscriptions',
      'POST /instances/{instanceId}/unsubscriptions',
      { instanceId: 'i-1' },
    ],
    [
      'POST',
      '/instances/i-1/renewal-cancellations',
      'POST /instances/{instanceId}/renewal-cancellations',
      { instanceId: 'i-1' },
    ],
    ['GET', '/unsubscribe-orders', 'GET /unsubscribe-orders', {}],
    [
      'GET',
      '/unsubscribe-orders/u-9',
      'GET /unsubscribe-orders/{unsubscribeOrderId}',
      { unsubscribeOrderId: 'u-9' },
    ],
    ['GET', '/account/balance', 'GET /account/balance', {}],
    ['POST', '/internal/orders', 'POST /internal/orders', {}],
    [
      'PUT',
      '/internal/instances/i-1/flags',
      'PUT /internal/instances/{instanceId}/flags',
      { instanceId: 'i-1' },
    ],
  ])('%s %s → %s', (method, path, key, params) => {
    const match = matchRoute(method, path);

    expect(match?.routeKey).toBe(key);
    expect(match?.pathParameters).toEqual(params);
  });

  it('URL-decodes path parameters', () => {
    expect(matchRoute('GET', '/instances/a%20b%2Fc')?.pathParameters).toEqual({ instanceId: 'a b/c' });
  });

  it.each([
    ['an unknown path', 'GET', '/nope'],
    ['the wrong method on a known path', 'DELETE', '/instances/i-1'],
    ['POST on a GET route', 'POST', '/instances'],
    ['a trailing slash', 'GET', '/instances/'],
    ['an empty parameter', 'POST', '/instances//refund-quotes'],
    ['an extra segment', 'GET', '/instances/i-1/extra'],
    ['malformed percent-encoding', 'GET', '/instances/%E0%A4%A'],
    ['a different case', 'GET', '/Instances'],
  ])('does not match %s', (_, method, path) => {
    expect(matchRoute(method, path)).toBeUndefined();
  });

  it('prefers the route with more literal segments', () => {
    const routes = [
      { method: 'GET', path: '/a/{id}', fn: 'reads', auth: 'public' },
      { method: 'GET', path: '/a/special', fn: 'quote', auth: 'public' },
    ] as const;

    expect(matchRoute('GET', '/a/special', routes)?.route.fn).toBe('quote');
    expect(matchRoute('GET', '/a/other', routes)?.route.fn).toBe('reads');
  });
});

describe('toApiEvent', () => {
  it('builds an API Gateway HTTP API 2.0 event', () => {
    const match = matchRoute('POST', '/instances/i-1/refund-quotes');
    if (!match) throw new Error('no match');

    const event = toApiEvent(request(), match, authorizer);

    expect(event).toEqual({
      version: '2.0',
      routeKey: 'POST /instances/{instanceId}/refund-quotes',
      rawPath: '/instances/i-1/refund-quotes',
      rawQueryString: '',
      headers: { host: '127.0.0.1:3000', 'content-type': 'application/json', 'user-agent': 'curl/8.5.0' },
      pathParameters: { instanceId: 'i-1' },
      requestContext: {
        accountId: 'local',
        apiId: 'local',
        authorizer: {
          principalId: '',
          integrationLatency: 0,
          jwt: { claims: { sub: 'acct-1', iat: '1', scope: 'a b' }, scopes: ['a', 'b'] },
        },
        domainName: '127.0.0.1:3000',
        domainPrefix: '127',
        http: {
          method: 'POST',
          path: '/instances/i-1/refund-quotes',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'curl/8.5.0',
        },
        requestId: 'req-1',
        routeKey: 'POST /instances/{instanceId}/refund-quotes',
        stage: '$default',
        time: '10/Apr/2026:15:30:05 +0000',
        timeEpoch: NOW,
      },
      body: '{"kind":"UNSUBSCRIBE"}',
      isBase64Encoded: false,
    });
  });

  it('decodes the query string, joins repeated keys with commas and keeps the raw string', () => {
    const url = '/instances?status=ACTIVE&limit=5&instanceId=a%2Cb&status=UNSUBSCRIBED';
    const match = matchRoute('GET', '/instances');
    if (!match) throw new Error('no match');

    const event = toApiEvent(request({ method: 'GET', url, body: '' }), match, authorizer);

    expect(event.rawPath).toBe('/instances');
    expect(event.rawQueryString).toBe('status=ACTIVE&limit=5&instanceId=a%2Cb&status=UNSUBSCRIBED');
    expect(event.queryStringParameters).toEqual({
      status: 'ACTIVE,UNSUBSCRIBED',
      limit: '5',
      instanceId: 'a,b',
    });
  });

  it('omits body, query and path parameters when there are none', () => {
    const match = matchRoute('GET', '/instances');
    if (!match) throw new Error('no match');

    const event = toApiEvent(request({ method: 'GET', url: '/instances', body: '' }), match, authorizer);

    expect(event).not.toHaveProperty('body');
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('pathParameters');
  });

  it('lower-cases header names, joins repeated values and moves cookies out of the headers', () => {
    const match = matchRoute('GET', '/instances');
    if (!match) throw new Error('no match');
    const headers = {
      'Idempotency-Key': 'k-1',
      'x-multi': ['a', 'b'],
      cookie: 'a=1; b=2',
      absent: undefined,
    };

    const event = toApiEvent(request({ method: 'GET', url: '/instances', headers }), match, authorizer);

    expect(event.headers).toEqual({ 'idempotency-key': 'k-1', 'x-multi': 'a,b' });
    expect(event.cookies).toEqual(['a=1', 'b=2']);
    expect(event.requestContext.domainName).toBe('localhost');
  });
});

describe('jwtAuthorizer', () => {
  it('stringifies claims as API Gateway does and reads scopes from `scope`', () => {
    const result = jwtAuthorizer({
      sub: 'acct-1',
      exp: 1700000000,
      admin: true,
      groups: ['x', 'y'],
      obj: { a: 1 },
    });

    expect(result.jwt).toEqual({
      claims: { sub: 'acct-1', exp: '1700000000', admin: 'true', groups: '[x y]', obj: '{"a":1}' },
      scopes: null,
    });
  });

  it('reads scopes from an `scp` array when there is no `scope`', () => {
    expect(jwtAuthorizer({ sub: 'a', scp: ['refunds/internal'] }).jwt.scopes).toEqual(['refunds/internal']);
  });
});

describe('gatewayTime', () => {
  it('formats like API Gateway', () => {
    expect(gatewayTime(Date.parse('2026-01-02T03:04:05.678Z'))).toBe('02/Jan/2026:03:04:05 +0000');
  });
});

describe('fromHandlerResult', () => {
  const text = (answer: { body: Buffer }) => answer.body.toString();

  it('uses a structured result as is (headers lower-cased and stringified)', () => {
    const answer = fromHandlerResult({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json', 'X-Count': 3 },
      body: '{"quoteId":"q-1"}',
      cookies: ['c=1'],
    });

    expect(answer.statusCode).toBe(201);
    expect(answer.headers).toEqual({ 'content-type': 'application/json', 'x-count': '3' });
    expect(answer.cookies).toEqual(['c=1']);
    expect(text(answer)).toBe('{"quoteId":"q-1"}');
  });

  it('decodes a base64 body', () => {
    const answer = fromHandlerResult({
      statusCode: 200,
      body: Buffer.from('hi').toString('base64'),
      isBase64Encoded: true,
    });

    expect(text(answer)).toBe('hi');
  });

  it('treats an object without statusCode as a 200 JSON body', () => {
    const answer = fromHandlerResult({ items: [] });

    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(text(answer)).toBe('{"items":[]}');
  });

  it('treats a string as a 200 JSON body', () => {
    expect(text(fromHandlerResult('{"a":1}'))).toBe('{"a":1}');
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a bad statusCode', { statusCode: 'ok' }],
    ['an out-of-range statusCode', { statusCode: 700 }],
  ])('answers 500 INTERNAL for %s', (_, result) => {
    const answer = fromHandlerResult(result);

    expect(answer.statusCode).toBe(500);
    expect(JSON.parse(text(answer))).toEqual({
      error: { code: 'INTERNAL', message: 'Internal server error', details: {} },
    });
  });
});

describe('errorAnswer', () => {
  it('uses the service error shape and status', () => {
    const answer = errorAnswer('NOT_FOUND', 'No route for GET /x');

    expect(answer.statusCode).toBe(404);
    expect(JSON.parse(answer.body.toString())).toEqual({
      error: { code: 'NOT_FOUND', message: 'No route for GET /x', details: {} },
    });
  });
});
