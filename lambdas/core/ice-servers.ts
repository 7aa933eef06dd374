/**
 * What `ice_servers` answers: the STUN servers, and TURN servers with credentials from each
 * configured source (TURN REST API credentials signed here, or Kinesis Video Streams' managed
 * TURN). The answer's `ttl` is the shortest time any of its credentials has left, so a client that
 * keeps to it never uses a credential past its end.
 */
import { createHmac } from 'node:crypto';
import type { ProfileKey } from '../../shared/profile';
import type { IceServer, ServerMessageOf } from '../../shared/protocol';

/** Servers, and when their credentials stop working (never, for STUN). */
export interface IceGrant {
  servers: IceServer[];
  expiresAtMs?: number;
}

/** One configured source of servers, asked once per `ice_servers` message. */
export type IceSource = (key: ProfileKey, now: Date) => Promise<IceGrant>;

/** TURN REST credentials live this long: longer than any call, since a TURN server may recheck them on each refresh. */
export const TURN_REST_TTL_SECONDS = 12 * 60 * 60;
/** An answer with nothing that expires (STUN only) is asked again after this long, so configuration changes reach clients. */
export const STATIC_ICE_TTL_SECONDS = 12 * 60 * 60;
/** Kinesis Video Streams' TURN credentials live 5 minutes (a hard quota); used when an answer omits `Ttl`. */
export const KVS_CREDENTIAL_LIFETIME_SECONDS = 5 * 60;
/**
 * Fetched credentials are handed out until this close to their end: a client told the remaining
 * time uses them for at most half of it (it refreshes at half-life), so it allocates with 30 s left at least.
 */
export const CREDENTIAL_REUSE_MARGIN_MS = 60_000;
/** After a source failed, clients ask again this soon (the answer they got has no TURN from it). */
export const RETRY_AFTER_FAILURE_SECONDS = 60;

export const stunGrant = (urls: readonly string[]): IceGrant => ({ servers: urls.length > 0 ? [{ urls: [...urls] }] : [] });

/** TURN REST API credentials (`username = expiry:profile`, credential = base64 HMAC-SHA1 of it with the shared secret). */
export function turnRestGrant(
  secret: string,
  urls: readonly string[],
  key: ProfileKey,
  now: Date,
  ttlSeconds = TURN_REST_TTL_SECONDS,
): IceGrant {
  const expiresAtSeconds = Math.floor(now.getTime() / 1000) + ttlSeconds;
  const username = `${expiresAtSeconds}:${key}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { servers: [{ urls: [...urls], username, credential }], expiresAtMs: expiresAtSeconds * 1000 };
}

/** One entry of `GetIceServerConfig`'s `IceServerList`, as the SDK types it. */
export interface KvsIceServer {
  Uris?: string[] | undefined;
  Username?: string | undefined;
  Password?: string | undefined;
  /** Seconds the credentials are valid for. */
  Ttl?: number | undefined;
}

/**
 * Kinesis Video Streams hands out several TURN servers, each with several URIs; a browser makes one
 * TURN allocation per URI (whether or not the call ends up relayed), and a channel allows only 50
 * allocations at once. One server per answer keeps a call at 2 × its URIs allocations instead of
 * twice that; the next fetch (every few minutes) may name another.
 */
export const KVS_TURN_SERVERS_PER_ANSWER = 1;

/** Maps `IceServerList` to RTCIceServers, dropping incomplete entries; it expires with its shortest-lived entry. */
export function kvsGrant(list: readonly KvsIceServer[], fetchedAtMs: number): IceGrant {
  const complete = list
    .filter((entry) => (entry.Uris?.length ?? 0) > 0 && entry.Username && entry.Password)
    .slice(0, KVS_TURN_SERVERS_PER_ANSWER);
  if (complete.length === 0) return { servers: [] };
  const ttlSeconds = Math.min(...complete.map((entry) => entry.Ttl ?? KVS_CREDENTIAL_LIFETIME_SECONDS));
  return {
    servers: complete.map((entry) => ({ urls: [...(entry.Uris ?? [])], username: entry.Username ?? '', credential: entry.Password ?? '' })),
    expiresAtMs: fetchedAtMs + ttlSeconds * 1000,
  };
}

/** Whether cached credentials may still be handed out. */
export const isReusable = (grant: IceGrant, nowMs: number, marginMs = CREDENTIAL_REUSE_MARGIN_MS): boolean =>
  grant.expiresAtMs === undefined || grant.expiresAtMs - nowMs > marginMs;

/** All the grants' servers; `ttl` is the shortest remaining lifetime among them, in whole seconds. */
export function iceServersAnswer(grants: readonly IceGrant[], nowMs: number): ServerMessageOf<'ice_servers'> {
  const remaining = grants.flatMap((grant) => (grant.expiresAtMs === undefined ? [] : [Math.floor((grant.expiresAtMs - nowMs) / 1000)]));
  return {
    type: 'ice_servers',
    ice_servers: grants.flatMap((grant) => grant.servers),
    ttl: remaining.length > 0 ? Math.max(0, Math.min(...remaining)) : STATIC_ICE_TTL_SECONDS,
  };
}

/**
 * Fetched credentials (one set per channel), reused by this container until shortly before they
 * end. Each request picks a channel, so allocations spread over all of them.
 */
export class CachedCredentials {
  private readonly cache = new Map<string, IceGrant>();

  constructor(
    private readonly channels: readonly string[],
    private readonly fetch: (channel: string, nowMs: number) => Promise<IceGrant>,
    private readonly pick: (count: number) => number = (count) => Math.floor(Math.random() * count),
  ) {
    if (channels.length === 0) throw new Error('No channels to fetch TURN credentials from');
  }

  async grant(nowMs: number): Promise<IceGrant> {
    const channel = this.channels[this.pick(this.channels.length)] ?? this.channels[0]!;
    const cached = this.cache.get(channel);
    if (cached && isReusable(cached, nowMs)) return cached;
    const fresh = await this.fetch(channel, nowMs);
    this.cache.set(channel, fresh);
    return fresh;
  }
}

/**
 * Asks every source; one that fails is left out (and reported), and the answer then expires soon
 * so the client asks again rather than going without TURN for hours.
 */
export async function answerFromSources(
  sources: readonly IceSource[],
  key: ProfileKey,
  now: Date,
  reportFailure: (error: unknown) => void,
): Promise<ServerMessageOf<'ice_servers'>> {
  const settled = await Promise.allSettled(sources.map((source) => source(key, now)));
  const grants = settled.map((result): IceGrant => {
    if (result.status === 'fulfilled') return result.value;
    reportFailure(result.reason);
    return { servers: [], expiresAtMs: now.getTime() + RETRY_AFTER_FAILURE_SECONDS * 1000 };
  });
  return iceServersAnswer(grants, now.getTime());
}
