/**
 * AWS Signature Version 4, checked on the receiving side as AWS checks it, so the local endpoints
 * (the store, the @connections API, the as-deployed DynamoDB proxy and secrets endpoint) answer
 * only requests signed with a key they know, as DynamoDB and execute-api do.
 *
 * The canonical request is built as the SDK's signer (`@smithy/signature-v4`) builds it: the path
 * normalized and escaped twice, the query sorted, exactly the headers the caller says it signed.
 * It is written out here, synchronously over node's crypto, because it sits on every store call and
 * the SDK's signer, asynchronous and allocation-heavy, took about 0.1 ms a request; every test client
 * signs with that signer, so any disagreement fails them.
 *
 * The order of the checks and their wording follow AWS's answers as dynalite's sources record them
 * (missing token, incomplete signature, date and its 15-minute window, Host signed, scope, key,
 * signature).
 */
import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface AccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The secret of each access key an endpoint accepts; undefined for a key it does not know. */
export type SecretOf = (accessKeyId: string) => string | undefined;

export function secretsOf(keys: readonly AccessKey[]): SecretOf {
  const byId = new Map(keys.map((key) => [key.accessKeyId, key.secretAccessKey]));
  return (accessKeyId) => byId.get(accessKeyId);
}

/** A request as it arrived: `url` is the raw path and query, `body` every byte of it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Uint8Array;
}

export interface SigningScope {
  /** The signing name: `dynamodb`, `execute-api`, `secretsmanager`. */
  readonly service: string;
  readonly region: string;
}

export interface SignatureRules extends SigningScope {
  readonly secretOf: SecretOf;
}

/** How AWS names each refusal (the error type; each service adds its own status and wording). */
export type SignatureRefusal = 'MissingAuthenticationToken' | 'IncompleteSignature' | 'InvalidSignature' | 'UnrecognizedClient';

export type SignatureVerdict =
  | { readonly valid: true; readonly accessKeyId: string }
  | { readonly valid: false; readonly refusal: SignatureRefusal; readonly message: string };

const ALGORITHM = 'AWS4-HMAC-SHA256';
const TERMINATOR = 'aws4_request';
/** How far the request's date may be from the receiver's clock (AWS: 15 minutes either way). */
const MAX_SKEW_MS = 15 * 60 * 1000;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
export const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const headerValue = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

interface Authorization {
  readonly accessKeyId: string;
  readonly scope: { readonly date: string; readonly region: string; readonly service: string; readonly terminator: string };
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=a;b, Signature=hex`. */
function parseAuthorization(header: string): Authorization | string {
  const [algorithm, ...rest] = header.trim().split(/\s+/);
  if (algorithm !== ALGORITHM) return `Unsupported AWS 'algorithm': '${algorithm ?? ''}' (only ${ALGORITHM} for now).`;
  const fields = new Map<string, string>();
  for (const part of rest.join(' ').split(',')) {
    const equals = part.indexOf('=');
    if (equals > 0) fields.set(part.slice(0, equals).trim(), part.slice(equals + 1).trim());
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((name) => !fields.get(name));
  if (missing.length > 0) return missing.map((name) => `Authorization header requires '${name}' parameter.`).join(' ');
  const credential = fields.get('Credential')!.split('/');
  if (credential.length !== 5)
    return `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${fields.get('Credential')!}'`;
  const [accessKeyId = '', date = '', region = '', service = '', terminator = ''] = credential;
  return {
    accessKeyId,
    scope: { date, region, service, terminator },
    signedHeaders: fields
      .get('SignedHeaders')!
      .split(';')
      .map((name) => name.trim().toLowerCase()),
    signature: fields.get('Signature')!,
  };
}

function parseAmzDate(text: string): Date | undefined {
  const parts = AMZ_DATE.exec(text);
  if (!parts) return undefined;
  const [, year, month, day, hours, minutes, seconds] = parts.map(Number);
  return new Date(Date.UTC(year!, month! - 1, day!, hours, minutes, seconds));
}

const sha256Hex = (data: Uint8Array | string): string => hash('sha256', data, 'hex');
const hmac = (key: Uint8Array | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** As `@smithy/core`'s `escapeUri`: RFC 3986, so `!'()*` too. */
const escapeUri = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The path without empty, `.` and `..` segments, escaped again (every service but S3 signs it so). */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  const decode = (text: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const key = escapeUri(decode(equals < 0 ? pair : pair.slice(0, equals)));
      return { key, pair: `${key}=${escapeUri(equals < 0 ? '' : decode(pair.slice(equals + 1)))}` };
    })
    .filter(({ key }) => key.toLowerCase() !== 'x-amz-signature')
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.pair < b.pair ? -1 : a.pair > b.pair ? 1 : 0))
    .map(({ pair }) => pair)
    .join('&');
}

/** Signing keys by secret and scope: four HMACs each, the same for a day. */
const signingKeys = new Map<string, Buffer>();
const MAX_SIGNING_KEYS = 64;

function signingKey(secretAccessKey: string, date: string, scope: SigningScope): Buffer {
  const cacheKey = `${secretAccessKey}\n${date}\n${scope.region}\n${scope.service}`;
  const cached = signingKeys.get(cacheKey);
  if (cached) return cached;
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), scope.region), scope.service), TERMINATOR);
  if (signingKeys.size >= MAX_SIGNING_KEYS) signingKeys.clear();
  signingKeys.set(cacheKey, key);
  return key;
}

/**
 * The signature of this request by `secretAccessKey` at `amzDate` (`YYYYMMDDTHHMMSSZ`), over exactly
 * the named headers as they arrived. Verification and re-signing both go through here.
 */
export function signatureOf(
  request: ReceivedRequest,
  signedHeaders: readonly string[],
  secretAccessKey: string,
  scope: SigningScope,
  amzDate: string,
): string {
  const names = [...signedHeaders].sort();
  const headerLines = names.map(
    (name) =>
      `${name}:${(headerValue(request.headers, name) ?? '')
        .replace(/[\r\n]/g, ' ')
        .replace(/[ \t]+/g, ' ')
        .trim()}`,
  );
  const mark = request.url.indexOf('?');
  const canonical = [
    request.method,
    canonicalPath(mark < 0 ? request.url : request.url.slice(0, mark)),
    canonicalQuery(mark < 0 ? '' : request.url.slice(mark + 1)),
    `${headerLines.join('\n')}\n`,
    names.join(';'),
    headerValue(request.headers, 'x-amz-content-sha256') ?? sha256Hex(request.body),
  ].join('\n');
  const date = amzDate.slice(0, 8);
  const stringToSign = [ALGORITHM, amzDate, `${date}/${scope.region}/${scope.service}/${TERMINATOR}`, sha256Hex(canonical)].join('\n');
  return hmac(signingKey(secretAccessKey, date, scope), stringToSign).toString('hex');
}

/** The `Authorization` header for this request signed again with `key` (its `x-amz-date` kept). */
export function authorizationFor(
  request: ReceivedRequest,
  signedHeaders: readonly string[],
  key: AccessKey,
  scope: SigningScope,
  amzDate: string,
): string {
  const names = [...signedHeaders].sort();
  const signature = signatureOf(request, names, key.secretAccessKey, scope, amzDate);
  return `${ALGORITHM} Credential=${key.accessKeyId}/${amzDate.slice(0, 8)}/${scope.region}/${scope.service}/${TERMINATOR}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
}

const refused = (refusal: SignatureRefusal, message: string): SignatureVerdict => ({ valid: false, refusal, message });

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether the request carries a valid signature by a key `rules.secretOf` knows, for this service and region. */
export function verifySignature(request: ReceivedRequest, rules: SignatureRules, now: Date = new Date()): SignatureVerdict {
  const header = headerValue(request.headers, 'authorization');
  if (header === undefined || !header.trim().startsWith('AWS4-'))
    return refused('MissingAuthenticationToken', 'Missing Authentication Token');
  const authorization = parseAuthorization(header);
  if (typeof authorization === 'string') return refused('IncompleteSignature', authorization);
  const amzDate = headerValue(request.headers, 'x-amz-date');
  if (amzDate === undefined)
    return refused('IncompleteSignature', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  const date = parseAmzDate(amzDate);
  if (!date) return refused('IncompleteSignature', `Date must be in ISO-8601 'basic format'. Got '${amzDate}'.`);
  const stamp = (at: Date): string => at.toISOString().replace(/[-:]|\.\d{3}/g, '');
  if (date.getTime() < now.getTime() - MAX_SKEW_MS) {
    return refused(
      'InvalidSignature',
      `Signature expired: ${amzDate} is now earlier than ${stamp(new Date(now.getTime() - MAX_SKEW_MS))} (${stamp(now)} - 15 min.)`,
    );
  }
  if (date.getTime() > now.getTime() + MAX_SKEW_MS) {
    return refused(
      'InvalidSignature',
      `Signature not yet current: ${amzDate} is still later than ${stamp(new Date(now.getTime() + MAX_SKEW_MS))} (${stamp(now)} + 15 min.)`,
    );
  }
  if (!authorization.signedHeaders.includes('host'))
    return refused('InvalidSignature', "'Host' must be a 'SignedHeader' in the AWS Authorization.");
  const { scope } = authorization;
  const scopeProblems = [
    scope.region === rules.region ? '' : `Credential should be scoped to a valid region, not '${scope.region}'.`,
    scope.service === rules.service ? '' : `Credential should be scoped to correct service: '${rules.service}'.`,
    scope.terminator === TERMINATOR
      ? ''
      : `Credential should be scoped with a valid terminator: '${TERMINATOR}', not '${scope.terminator}'.`,
    scope.date === amzDate.slice(0, 8)
      ? ''
      : `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
  ].filter(Boolean);
  if (scopeProblems.length > 0) return refused('InvalidSignature', scopeProblems.join(' '));
  const secretAccessKey = rules.secretOf(authorization.accessKeyId);
  if (secretAccessKey === undefined) return refused('UnrecognizedClient', 'The security token included in the request is invalid.');
  // The signer trusts a signed payload hash header as it is; the body must match it.
  const payloadHash = headerValue(request.headers, 'x-amz-content-sha256');
  if (payloadHash !== undefined && payloadHash !== sha256Hex(request.body)) {
    return refused('InvalidSignature', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  const expected = signatureOf(request, authorization.signedHeaders, secretAccessKey, rules, amzDate);
  if (!sameSignature(expected, authorization.signature)) return refused('InvalidSignature', SIGNATURE_MISMATCH);
  return { valid: true, accessKeyId: authorization.accessKeyId };
}

/** The headers a verified request was signed over, for signing it again with another key. */
export function signedHeadersOf(headers: IncomingHttpHeaders): readonly string[] {
  const header = headerValue(headers, 'authorization');
  const parsed = header === undefined ? undefined : parseAuthorization(header);
  return parsed === undefined || typeof parsed === 'string' ? [] : parsed.signedHeaders;
}
