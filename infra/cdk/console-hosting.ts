/**
 * The web app in the cloud: the customer console at `/` and the operator console at `/ops/`,
 * both built by `web/build.ts` at synth, in a private S3 bucket read by CloudFront only
 * (origin access control), served over HTTPS with the pages' security headers (the same CSP
 * as the local server, `web/hosting.ts`), and each page's `config.json` written at deploy time
 * with the API URL and the OIDC settings (the operator console signs in as its own client,
 * asking for the back office's scopes). A CloudFront function serves `/ops/` from
 * `ops/index.html`. CloudFront and S3 access logs go to one log bucket.
 */
import { DefaultStackSynthesizer, Duration, Fn, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  type HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct, type IConstruct } from 'constructs';
import { APPROVER_SCOPE, OPERATOR_SCOPE } from '#http/ops-routes.ts';
import { buildConsoleSync } from '../../web/build.ts';
import { CONSOLE_REFERRER_POLICY, type ConsoleConfig, consoleCsp } from '../../web/hosting.ts';

export interface ConsoleHostingProps {
  /** The HTTP API's origin, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com` (no trailing slash). */
  apiEndpoint: string;
  /** The OIDC issuer URL (the JwtIssuer parameter). */
  issuer: string;
  /** The console's public client at that issuer (the ConsoleClientId parameter). */
  clientId: string;
  /** The operator console's public client at that issuer (the OpsConsoleClientId parameter). */
  opsClientId: string;
  /** More CSP connect-src origins, space-separated, possibly empty (the ConsoleConnectSources parameter). */
  connectSources: string;
}

/** Access logs of the console (CloudFront and the site bucket), kept a year like the API's. */
const LOG_RETENTION = Duration.days(365);
const HSTS_MAX_AGE = Duration.days(365);

/** `https://host/path` → `https://host`, resolved by CloudFormation (the issuer is a parameter). */
export const originOf = (url: string): string => `https://${Fn.select(2, Fn.split('/', url))}`;

/** What the operator console asks the issuer for: the back office's scopes (the provider grants them to staff only). */
export const OPS_CONSOLE_SCOPE = `openid ${OPERATOR_SCOPE} ${APPROVER_SCOPE}`;

/** The viewer-request function of the distribution (CloudFront Functions JavaScript 2.0). */
export const DIRECTORY_INDEX_CODE = `function handler(event) {
  var request = event.request;
  if (request.uri === '/ops') {
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: '/ops/' } } };
  }
  if (request.uri.endsWith('/')) request.uri += 'index.html';
  return request;
}`;

/** Acknowledges a cdk-nag rule on `construct` with the reason it does not apply. */
function acknowledge(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id: `AwsSolutions-${id}`, reason });
}

export class ConsoleHosting extends Construct {
  readonly bucket: Bucket;
  readonly logBucket: Bucket;
  readonly headers: ResponseHeadersPolicy;
  readonly distribution: Distribution;
  readonly deployment: BucketDeployment;
  readonly config: ConsoleConfig;
  /** The operator console's `ops/config.json`. */
  readonly opsConfig: ConsoleConfig;
  /** Serves a path ending in `/` from its `index.html` (`/ops/`), and sends `/ops` to `/ops/`. */
  readonly directoryIndex: EdgeFunction;
  /** `https://<distribution>.cloudfront.net/`, the OIDC redirect URI. */
  readonly url: string;
  /** `https://<distribution>.cloudfront.net/ops/`, the operator console and its redirect URI. */
  readonly opsUrl: string;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    // S3 server access logs are allowed by the log bucket's policy, not by the deprecated
    // LogDeliveryWrite ACL (the default of new CDK apps; set here, for this construct only).
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    this.logBucket = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront's standard logs are written with an ACL.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: LOG_RETENTION }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.logBucket,
      'S1',
      'This is the access-log bucket of the console (CloudFront and the site bucket log here); logging it to itself would loop',
    );

    this.bucket = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3/',
      // Kept with the stack's other buckets: deleting it would need its objects removed first.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Refund console: strict CSP, HSTS, nosniff, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleCsp([
            props.apiEndpoint,
            originOf(props.issuer),
            props.connectSources,
          ]),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: HSTS_MAX_AGE,
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: CONSOLE_REFERRER_POLICY as HeadersReferrerPolicy,
          override: true,
        },
      },
    });

    this.directoryIndex = new EdgeFunction(this, 'DirectoryIndex', {
      comment: 'Serves /ops/ from ops/index.html; /ops goes to /ops/',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(DIRECTORY_INDEX_CODE),
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Refund service customer console',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        compress: true,
        functionAssociations: [
          { function: this.directoryIndex, eventType: FunctionEventType.VIEWER_REQUEST },
        ],
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });
    acknowledge(
      this.distribution,
      'CFR1',
      'The console is for every customer of the service wherever they are; the API it calls authenticates each request',
    );
    acknowledge(
      this.distribution,
      'CFR2',
      'Static files only (no origin logic, GET/HEAD); the API behind the page has its own throttling and JWT authorizer. A CloudFront web ACL must be created in us-east-1, outside this region-agnostic stack',
    );
    acknowledge(
      this.distribution,
      'CFR4',
      'The distribution uses the default *.cloudfront.net certificate, whose security policy CloudFront fixes (TLSv1); a custom domain with its ACM certificate would set TLSv1.2_2021. Viewers are redirected to HTTPS and HSTS is sent',
    );

    this.url = `https://${this.distribution.distributionDomainName}/`;
    this.opsUrl = `${this.url}ops/`;
    this.config = {
      apiUrl: props.apiEndpoint,
      auth: { kind: 'oidc', issuer: props.issuer, clientId: props.clientId, redirectUri: this.url },
    };
    this.opsConfig = {
      apiUrl: props.apiEndpoint,
      auth: {
        kind: 'oidc',
        issuer: props.issuer,
        clientId: props.opsClientId,
        redirectUri: this.opsUrl,
        scope: OPS_CONSOLE_SCOPE,
      },
    };
    const assets = buildConsoleSync();
    this.deployment = new BucketDeployment(this, 'Deployment', {
      destinationBucket: this.bucket,
      sources: [
        ...Object.entries(assets).map(([name, body]) => Source.data(name, body)),
        // jsonData resolves the deploy-time values (API endpoint, parameters, distribution domain).
        Source.jsonData('config.json', this.config),
        Source.jsonData('ops/config.json', this.opsConfig),
      ],
      // File names carry no hash: browsers revalidate every time (ETags keep it cheap).
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 256,
    });
    acknowledgeDeploymentFunction(Stack.of(this), this.bucket);
  }
}

/**
 * BucketDeployment's copy function is a CDK singleton (Python with the AWS CLI layer) with
 * CDK's own role: it runs only during deploys, copying the built files from the CDK asset
 * bucket to the console bucket (pruning old ones) and invalidating the distribution. cdk-nag 3
 * wants each finding acknowledged on its own, so each grant is listed with its reason.
 */
const deploymentFindings = (assetObjects: string, siteBucketId: string): Record<string, string> => ({
  'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
    "CDK's BucketDeployment role: the managed policy only lets it write its own logs",
  'IAM5[Action::s3:GetObject*]': 'Reads the staged console files from the CDK asset bucket',
  'IAM5[Action::s3:GetBucket*]': 'Reads the location of the asset and console buckets to copy between them',
  'IAM5[Action::s3:List*]': 'Lists the console bucket to prune files a new build no longer has',
  'IAM5[Action::s3:DeleteObject*]': 'Prunes files a new build no longer has, in the console bucket only',
  'IAM5[Action::s3:Abort*]': 'Aborts its own failed multipart uploads to the console bucket',
  [`IAM5[Resource::${assetObjects}]`]:
    'The staged console files: objects of the CDK asset bucket (keys are content hashes, unknown before synth)',
  [`IAM5[Resource::<${siteBucketId}.Arn>/*]`]: 'Every object of the console bucket, and only that bucket',
  'IAM5[Resource::*]':
    "cloudfront:CreateInvalidation/GetInvalidation as CDK grants them (on '*'); the function invalidates only this distribution",
  L1: "The runtime of CDK's BucketDeployment function is chosen by aws-cdk-lib and moves with it",
});

function acknowledgeDeploymentFunction(stack: Stack, siteBucket: Bucket): void {
  // cdk-nag names the asset bucket with the partition, account and region when they are known
  // (the CLI's default region; the partition follows from it with `@aws-cdk/core:enablePartitionLiterals`).
  const known = (value: string, placeholder: string) => (Token.isUnresolved(value) ? placeholder : value);
  const assetBucket = `cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-${known(stack.account, '<AWS::AccountId>')}-${known(stack.region, '<AWS::Region>')}`;
  const findings = deploymentFindings(
    `arn:${known(stack.partition, '<AWS::Partition>')}:s3:::${assetBucket}/*`,
    stack.getLogicalId(siteBucket.node.defaultChild as CfnBucket),
  );
  for (const child of stack.node.children) {
    if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
    for (const [id, reason] of Object.entries(findings)) acknowledge(child, id, reason);
  }
}
