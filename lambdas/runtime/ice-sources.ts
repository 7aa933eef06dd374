/**
 * The `ice_servers` sources this container's settings configure, wired once per container: STUN,
 * TURN REST credentials (secret from the environment, or from Secrets Manager at cold start), and
 * Kinesis Video Streams' managed TURN. An SDK client is loaded only for a source that is configured.
 */
import { CachedCredentials, kvsGrant, stunGrant, turnRestGrant, type IceSource } from '../core/ice-servers';
import type { IceSettings } from '../core/model';
import { KvsTurn } from '../adapters/kvs-turn';
import { readTurnSecret } from '../adapters/turn-secret';

/** Kept for the container's life; a failed read is retried on the next request. */
function secretOnce(settings: IceSettings): () => Promise<string> {
  let cached: Promise<string> | undefined;
  return () => {
    if (settings.turnSecret) return Promise.resolve(settings.turnSecret);
    const arn = settings.turnSecretArn;
    if (!arn) return Promise.reject(new Error('No TURN secret configured'));
    cached ??= readTurnSecret(arn).catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
}

export function iceSources(settings: IceSettings): IceSource[] {
  const sources: IceSource[] = [];
  const stun = stunGrant(settings.stunUrls);
  if (stun.servers.length > 0) sources.push(() => Promise.resolve(stun));
  if (settings.turnUrls.length > 0 && (settings.turnSecret || settings.turnSecretArn)) {
    const secret = secretOnce(settings);
    // Read at cold start, so the first caller does not wait for it.
    void secret().catch(() => undefined);
    sources.push(async (key, now) => turnRestGrant(await secret(), settings.turnUrls, key, now));
  }
  if (settings.kvsChannelArns.length > 0) {
    const kvs = new KvsTurn();
    const credentials = new CachedCredentials(settings.kvsChannelArns, async (channel, nowMs) =>
      kvsGrant(await kvs.iceServerList(channel), nowMs),
    );
    sources.push((_key, now) => credentials.grant(now.getTime()));
  }
  return sources;
}
