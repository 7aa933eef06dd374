/**
 * The platform's backend calling the platform API as a Node service would: each request signed
 * with SigV4 (service `execute-api`) by the AWS SDK's own signer (`@smithy/signature-v4`, SHA-256
 * from node's crypto), sent with fetch. The README's worked example is this code.
 */
import { createHash, createHmac, type Hash as NodeHash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, Hash, SourceData } from '@smithy/types';
import {
  PLATFORM_ROUTES,
  routePath,
  type CallGrantRequest,
  type CallInviteRequest,
  type HttpRoute,
  type PlatformPresenceRequest,
} from '../../shared/platform-api';

const bytesOf = (data: SourceData): Buffer =>
  typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** SHA-256 (and its HMAC) as the signer wants it. */
class Sha256 implements Hash {
  private readonly hash: NodeHash | Hmac;

  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }

  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }
}

export interface PlatformAnswer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export interface SendOptions {
  /** Extra headers, sent after signing (unsigned), as a browser would add them. */
  unsignedHeaders?: Record<string, string>;
  /** Skip signing altogether. */
  unsigned?: boolean;
}

export class PlatformClient {
  private readonly signer: SignatureV4;

  constructor(
    private readonly baseUrl: string,
    credentials: AwsCredentialIdentity,
    region = 'us-east-1',
  ) {
    this.signer = new SignatureV4({ service: 'execute-api', region, credentials, sha256: Sha256 });
  }

  /** Signs and sends one request; the answer's body is parsed when it is JSON. */
  async send<T = unknown>(method: string, path: string, body?: unknown, options: SendOptions = {}): Promise<PlatformAnswer<T>> {
    const url = new URL(path, this.baseUrl);
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { host: url.host, ...(text !== undefined ? { 'content-type': 'application/json' } : {}) };
    const signed = options.unsigned
      ? { headers }
      : await this.signer.sign({
          method,
          protocol: url.protocol,
          hostname: url.hostname,
          ...(url.port ? { port: Number(url.port) } : {}),
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers,
          ...(text !== undefined ? { body: text } : {}),
        });
    // fetch sets Host itself, from the URL: the same value that was signed.
    const { host: _host, ...sent } = signed.headers;
    const response = await fetch(url, {
      method,
      headers: { ...sent, ...options.unsignedHeaders },
      ...(text !== undefined ? { body: text } : {}),
    });
    const raw = await response.text();
    let parsed: unknown = raw;
    try {
      parsed = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      // Not JSON: the text as it came.
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  call<T>(route: HttpRoute, body?: unknown, parameters?: Record<string, string | number>, query?: string): Promise<PlatformAnswer<T>> {
    return this.send<T>(route.method, `${routePath(route, parameters)}${query ? `?${query}` : ''}`, body);
  }

  mintGrant(request: CallGrantRequest) {
    return this.call<{ call_grant: string; expires_at: string }>(PLATFORM_ROUTES.callGrants, request);
  }

  presence(request: PlatformPresenceRequest) {
    return this.call<{ profiles: { profile_type: string; profile_id: string | number; is_online: boolean }[] }>(
      PLATFORM_ROUTES.presence,
      request,
    );
  }

  callLogs(profileType: string, profileId: string | number, query?: string) {
    return this.call<{ items: { call_id: string; status: string; end_reason: string | null }[]; next?: string }>(
      PLATFORM_ROUTES.callLogs,
      undefined,
      { profile_type: profileType, profile_id: profileId },
      query,
    );
  }

  invite(request: CallInviteRequest) {
    return this.call<{ call_id: string; status: string; end_reason?: string }>(PLATFORM_ROUTES.callInvite, request);
  }
}
