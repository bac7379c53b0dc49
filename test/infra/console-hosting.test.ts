/**
 * Template assertions for the consoles' hosting: a private bucket read by CloudFront only
 * through origin access control, HTTPS, the strict security headers, `/ops/` served from
 * `ops/index.html`, and the `config.json` files BucketDeployment writes (API URL, issuer,
 * client id, redirect URI; the operator console's asks for the back office's scopes). Function
 * bundling is skipped (`aws:cdk:bundling-stacks: []`): nothing here looks at the functions'
 * code, while the console's own files are built and staged as in `cdk synth`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIRECTORY_INDEX_CODE } from '#infra/cdk/console-hosting.ts';
import { createApp } from '#infra/cdk/refund-app.ts';
import { CONNECT_SOURCES_PATTERN, type RefundStack } from '#infra/cdk/refund-stack.ts';
import { buildConsoleSync, CUSTOMER_FILES, OPS_FILES } from '../../web/build.ts';
import { asArray, CDK_CONTEXT, type Json, type Synthesized, synthesize } from '../support/synth.ts';

let synth: Synthesized;
let app: App;
let stack: RefundStack;
let template: Template;
let resources: Record<string, Json>;

const logicalId: Synthesized['logicalId'] = (construct) => synth.logicalId(construct);
const ofType: Synthesized['ofType'] = (type) => synth.ofType(type);
const only = (type: string): Json => {
  const found = ofType(type);
  expect(found, type).toHaveLength(1);
  return found[0]?.[1] as Json;
};
/** The statements of the bucket policy of the bucket with logical id `bucketId`. */
const bucketPolicy = (bucketId: string): Json[] =>
  (ofType('AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === bucketId)?.[1].Properties
    .PolicyDocument.Statement as Json[] | undefined) ?? [];

/** The files one BucketDeployment source puts in the bucket (`ops/…` too): its staged asset directory. */
function sourceFiles(objectKey: string): Record<string, string> {
  const dir = join(app.outdir, `asset.${objectKey.replace(/\.zip$/, '')}`);
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const name = join(entry.parentPath, entry.name).slice(dir.length + 1);
        return [name, readFileSync(join(dir, name), 'utf8')];
      }),
  );
}

beforeAll(() => {
  synth = synthesize({ 'aws:cdk:bundling-stacks': [] });
  ({ app, stack, template, resources } = synth);
}, 120_000);

describe('console bucket', () => {
  it('is private: all public access blocked, no website hosting, S3-managed encryption, owner-enforced', () => {
    const bucket = resources[logicalId(stack.console.bucket)]?.Properties as Json;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.WebsiteConfiguration).toBeUndefined();
    expect(bucket.AccessControl).toBeUndefined();
    expect(bucket.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(bucket.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logicalId(stack.console.logBucket) },
      LogFilePrefix: 's3/',
    });
  });

  it('its policy denies plain HTTP and lets only this distribution (through CloudFront) read objects', () => {
    const bucketId = logicalId(stack.console.bucket);
    const statements = bucketPolicy(bucketId);
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] },
        Condition: {
          StringEquals: {
            'AWS:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':cloudfront::',
                  { Ref: 'AWS::AccountId' },
                  ':distribution/',
                  { Ref: logicalId(stack.console.distribution) },
                ],
              ],
            },
          },
        },
      },
    ]);
    expect(statements.filter((s) => s.Effect === 'Deny')).toEqual([
      expect.objectContaining({ Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]);
  });

  it('the log bucket is private, TLS-only and expires logs after a year', () => {
    const logs = resources[logicalId(stack.console.logBucket)] as Json;
    expect(logs.Properties.PublicAccessBlockConfiguration).toMatchObject({
      BlockPublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(logs.Properties.LifecycleConfiguration.Rules).toEqual([
      { ExpirationInDays: 365, Status: 'Enabled' },
    ]);
    expect(logs.DeletionPolicy).toBe('Retain');
    // S3 delivers the site bucket's access logs under a bucket policy (no LogDeliveryWrite ACL).
    expect(logs.Properties.AccessControl).toBeUndefined();
    expect(bucketPolicy(logicalId(stack.console.logBucket)).filter((s) => s.Effect === 'Allow')).toEqual([
      expect.objectContaining({
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: 's3:PutObject',
        Condition: expect.objectContaining({
          ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalId(stack.console.bucket), 'Arn'] } },
        }),
      }),
    ]);
  });
});

describe('console distribution', () => {
  const distribution = () =>
    resources[logicalId(stack.console.distribution)]?.Properties.DistributionConfig as Json;

  it('reads the bucket through an origin access control that signs every request', () => {
    const oac = only('AWS::CloudFront::OriginAccessControl').Properties.OriginAccessControlConfig as Json;
    expect(oac).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    const [oacId] = ofType('AWS::CloudFront::OriginAccessControl')[0] ?? [];
    expect(distribution().Origins).toEqual([
      expect.objectContaining({
        DomainName: { 'Fn::GetAtt': [logicalId(stack.console.bucket), 'RegionalDomainName'] },
        OriginAccessControlId: { 'Fn::GetAtt': [oacId, 'Id'] },
        S3OriginConfig: { OriginAccessIdentity: '' },
      }),
    ]);
    template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
  });

  it('redirects to HTTPS, serves index.html at the root, GET/HEAD only, with the security headers, and logs', () => {
    expect(distribution()).toMatchObject({
      DefaultRootObject: 'index.html',
      DefaultCacheBehavior: {
        ViewerProtocolPolicy: 'redirect-to-https',
        AllowedMethods: ['GET', 'HEAD'],
        ResponseHeadersPolicyId: { Ref: logicalId(stack.console.headers) },
      },
      Logging: { Bucket: { 'Fn::GetAtt': [logicalId(stack.console.logBucket), 'RegionalDomainName'] } },
    });
  });

  it('serves /ops/ from ops/index.html through a viewer-request function, and sends /ops to /ops/', () => {
    const fnId = logicalId(stack.console.directoryIndex);
    expect(distribution().DefaultCacheBehavior.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fnId, 'FunctionARN'] } },
    ]);
    const fn = resources[fnId]?.Properties as Json;
    expect(fn.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    expect(fn.FunctionCode).toBe(DIRECTORY_INDEX_CODE);
    // The code itself, run as CloudFront runs it: one request in, a request or a response out.
    const handler = new Function(`${DIRECTORY_INDEX_CODE}; return handler;`)() as (event: Json) => Json;
    const uri = (path: string) => handler({ request: { uri: path, headers: {} } });
    expect(uri('/ops/').uri).toBe('/ops/index.html');
    expect(uri('/').uri).toBe('/index.html');
    expect(uri('/ops/ops.js').uri).toBe('/ops/ops.js');
    expect(uri('/console.js').uri).toBe('/console.js');
    expect(uri('/ops')).toEqual({
      statusCode: 301,
      statusDescription: 'Moved Permanently',
      headers: { location: { value: '/ops/' } },
    });
  });

  it('sends HSTS, nosniff, frame DENY and no-referrer', () => {
    const headers = only('AWS::CloudFront::ResponseHeadersPolicy').Properties.ResponseHeadersPolicyConfig
      .SecurityHeadersConfig as Json;
    expect(headers).toMatchObject({
      StrictTransportSecurity: {
        AccessControlMaxAgeSec: 365 * 24 * 3600,
        IncludeSubdomains: true,
        Override: true,
      },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
    });
  });

  it('has a strict CSP: nothing by default, own script and style only, fetches to the API and the issuer', () => {
    const csp = only('AWS::CloudFront::ResponseHeadersPolicy').Properties.ResponseHeadersPolicyConfig
      .SecurityHeadersConfig.ContentSecurityPolicy as Json;
    expect(csp.Override).toBe(true);
    const [separator, parts] = csp.ContentSecurityPolicy['Fn::Join'] as [string, (string | Json)[]];
    expect(separator).toBe('');
    const text = parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join('');
    const directives = Object.fromEntries(
      text.split(';').map((d) => {
        const [name = '', ...values] = d.trim().split(/\s+/);
        return [name, values];
      }),
    );
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['style-src']).toEqual(["'self'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['base-uri']).toEqual(["'none'"]);
    expect(text).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    // connect-src: the page's origin, the API's origin and the issuer's origin (https + its host).
    expect(directives['connect-src']).toEqual([
      "'self'",
      JSON.stringify({ 'Fn::GetAtt': [logicalId(stack.api), 'ApiEndpoint'] }),
      `https://${JSON.stringify({ 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'JwtIssuer' }] }] })}`,
      JSON.stringify({ Ref: 'ConsoleConnectSources' }),
    ]);
  });
});

describe('console files and config.json', () => {
  const deployment = () => only('Custom::CDKBucketDeployment').Properties as Json;

  it('deploys the esbuild-built page to the console bucket, pruning old files and invalidating the cache', () => {
    expect(deployment()).toMatchObject({
      DestinationBucketName: { Ref: logicalId(stack.console.bucket) },
      Prune: true,
      DistributionId: { Ref: logicalId(stack.console.distribution) },
      DistributionPaths: ['/*'],
      SystemMetadata: { 'cache-control': 'no-cache' },
    });
    const deployed = Object.assign({}, ...(deployment().SourceObjectKeys as string[]).map(sourceFiles));
    expect(Object.keys(deployed).sort()).toEqual([
      'config.json',
      'console.css',
      'console.js',
      'index.html',
      'ops/config.json',
      'ops/index.html',
      'ops/ops.js',
    ]);
    const built = buildConsoleSync();
    for (const name of [...CUSTOMER_FILES, ...OPS_FILES]) {
      expect(deployed[name], name).toBe(built[name]);
    }
  });

  /** What the deployment function writes as `name`: the staged file, each marker replaced by its value. */
  function deployedConfig(name: string): Json {
    const keys = deployment().SourceObjectKeys as string[];
    const index = keys.findIndex((key) => name in sourceFiles(key));
    const markers = (deployment().SourceMarkers as Json[])[index] as Json;
    expect((deployment().SourceMarkersConfig as Json[])[index]).toEqual({ jsonEscape: true });
    // What the deployment function writes: the staged file with each marker replaced by its
    // deploy-time value (shown here as <Ref …> / <GetAtt …>).
    const shown = (value: Json) =>
      value.Ref ? `<Ref ${value.Ref}>` : `<GetAtt ${(value['Fn::GetAtt'] as string[]).join('.')}>`;
    const text = Object.entries(markers).reduce(
      (acc, [marker, value]) => acc.replaceAll(marker, shown(value as Json)),
      sourceFiles(keys[index] ?? '')[name] ?? '',
    );
    return JSON.parse(text) as Json;
  }

  it('config.json names the API URL, the JwtIssuer, the ConsoleClientId and the distribution as redirect URI', () => {
    expect(deployedConfig('config.json')).toEqual({
      apiUrl: `<GetAtt ${logicalId(stack.api)}.ApiEndpoint>`,
      auth: {
        kind: 'oidc',
        issuer: '<Ref JwtIssuer>',
        clientId: '<Ref ConsoleClientId>',
        redirectUri: `https://<GetAtt ${logicalId(stack.console.distribution)}.DomainName>/`,
      },
    });
  });

  it("ops/config.json names the OpsConsoleClientId, /ops/ as redirect URI and asks for the back office's scopes", () => {
    expect(deployedConfig('ops/config.json')).toEqual({
      apiUrl: `<GetAtt ${logicalId(stack.api)}.ApiEndpoint>`,
      auth: {
        kind: 'oidc',
        issuer: '<Ref JwtIssuer>',
        clientId: '<Ref OpsConsoleClientId>',
        redirectUri: `https://<GetAtt ${logicalId(stack.console.distribution)}.DomainName>/ops/`,
        scope: 'openid refunds/operator refunds/approver',
      },
    });
    template.hasParameter('OpsConsoleClientId', { Type: 'String', Default: CDK_CONTEXT.opsConsoleClientId });
    expect(CDK_CONTEXT.opsConsoleClientId).toBe('refund-ops-console');
    template.hasOutput('OpsConsoleUrl', {
      Value: {
        'Fn::Join': [
          '',
          ['https://', { 'Fn::GetAtt': [logicalId(stack.console.distribution), 'DomainName'] }, '/ops/'],
        ],
      },
    });
  });

  it('takes the client id as the ConsoleClientId parameter (default from cdk.json) and outputs the console URL', () => {
    template.hasParameter('ConsoleClientId', { Type: 'String', Default: CDK_CONTEXT.consoleClientId });
    expect(CDK_CONTEXT.consoleClientId).toBe('refund-console');
    template.hasOutput('ConsoleUrl', {
      Value: {
        'Fn::Join': [
          '',
          ['https://', { 'Fn::GetAtt': [logicalId(stack.console.distribution), 'DomainName'] }, '/'],
        ],
      },
    });
  });

  it('the API answers CORS preflights for the console without credentials', () => {
    const api = resources[logicalId(stack.api)]?.Properties as Json;
    expect(api.CorsConfiguration).toEqual({
      AllowOrigins: ['*'],
      AllowMethods: ['GET', 'POST'],
      AllowHeaders: ['authorization', 'content-type', 'idempotency-key'],
      MaxAge: 3600,
    });
    expect(api.CorsConfiguration.AllowCredentials).toBeUndefined();
  });

  it("the deployment function's role reaches only the asset bucket, the console bucket and invalidations", () => {
    const fnId = (deployment().ServiceToken as Json)['Fn::GetAtt'][0] as string;
    const roleId = resources[fnId]?.Properties.Role['Fn::GetAtt'][0] as string;
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as Json[]).some((r) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
    const bucketId = logicalId(stack.console.bucket);
    for (const statement of statements) {
      const targets = JSON.stringify(statement.Resource);
      const actions = asArray<string>(statement.Action);
      if (targets === '"*"')
        expect(new Set(actions)).toEqual(
          new Set(['cloudfront:GetInvalidation', 'cloudfront:CreateInvalidation']),
        );
      else if (targets.includes(bucketId)) expect(actions.every((a) => a.startsWith('s3:'))).toBe(true);
      else {
        expect(targets).toContain('-assets-');
        expect(new Set(actions)).toEqual(new Set(['s3:GetObject*', 's3:GetBucket*', 's3:List*']));
      }
    }
    expect(statements).toHaveLength(3);
  });
});

it('cdk-nag stays clean when the CLI knows the account and region (asset bucket named in the findings)', () => {
  const saved = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  Object.assign(process.env, { CDK_DEFAULT_ACCOUNT: '111122223333', CDK_DEFAULT_REGION: 'eu-west-1' });
  try {
    const known = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    expect(createApp(known).region).toBe('eu-west-1');
    const report = new AwsSolutionsChecks(known).validateScope(known);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  } finally {
    for (const [key, value] of [
      ['CDK_DEFAULT_ACCOUNT', saved.account],
      ['CDK_DEFAULT_REGION', saved.region],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  // A whole synth (without bundling) and cdk-nag: seconds on a loaded machine.
}, 60_000);

describe('ConsoleConnectSources', () => {
  it('is a parameter (default from cdk.json: none) that only takes https origins', () => {
    template.hasParameter('ConsoleConnectSources', {
      Type: 'String',
      Default: CDK_CONTEXT.consoleConnectSources,
      AllowedPattern: CONNECT_SOURCES_PATTERN,
    });
    expect(CDK_CONTEXT.consoleConnectSources).toBe('');
    const allowed = new RegExp(CONNECT_SOURCES_PATTERN);
    for (const ok of [
      '',
      'https://login.auth.eu-west-1.amazoncognito.com',
      'https://a.example https://b.example:8443',
    ]) {
      expect(allowed.test(ok), ok).toBe(true);
    }
    for (const bad of [
      "'unsafe-inline'",
      '*',
      'https://*.example.com',
      'http://a.example',
      'https://a.example; script-src *',
    ]) {
      expect(allowed.test(bad), bad).toBe(false);
    }
  });
});

it.each([
  [{ consoleClientId: ' ' }, /consoleClientId/],
  [{ consoleConnectSources: "'unsafe-eval'" }, /consoleConnectSources/],
])('rejects bad context %j at synth', (context, message) => {
  expect(() => createApp(new App({ context: { ...CDK_CONTEXT, ...context } }))).toThrow(message);
});
