/**
 * What the platform's backend asks (`shared/platform-api.ts`): presence and call logs of any
 * profile, unfiltered (the platform is the authority on who may see what), and the lifetime of a
 * grant it mints.
 */
import { DEFAULT_CALL_GRANT_TTL_SECONDS, DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT } from '../../shared/limits';
import type { CallGrantRequest, PlatformPresenceRequest, PlatformPresenceResponse } from '../../shared/platform-api';
import { profileKey } from '../../shared/profile';
import type { CallLog } from '../../shared/protocol';
import { ProtocolError } from './errors';
import type { CallStore } from './model';
import { callLogPage } from './queries';

export async function platformPresence(store: CallStore, request: PlatformPresenceRequest): Promise<PlatformPresenceResponse> {
  const profiles = await Promise.all(
    request.profiles.map(async (profile) => ({
      profile_type: profile.profile_type,
      profile_id: profile.profile_id,
      is_online: await store.isOnline(profileKey(profile.profile_type, profile.profile_id)),
    })),
  );
  return { profiles };
}

export interface CallLogsRequest {
  profileType: string;
  profileId: string;
  limit?: number | undefined;
  before?: string | undefined;
}

/** A profile's calls, newest first, a page at a time (at most `MAX_HISTORY_LIMIT`). */
export function profileCallLogs(store: CallStore, request: CallLogsRequest): Promise<{ items: CallLog[]; next?: string }> {
  const limit = request.limit ?? DEFAULT_HISTORY_LIMIT;
  if (limit < 1 || limit > MAX_HISTORY_LIMIT) throw new ProtocolError('invalid_message', `limit must be 1-${MAX_HISTORY_LIMIT}`);
  return callLogPage(store, profileKey(request.profileType, request.profileId), limit, request.before);
}

/** A grant lives as long as asked, else the default, never longer than the deployment accepts. */
export function grantTtlSeconds(request: Pick<CallGrantRequest, 'ttl_seconds'>, maxTtlSeconds: number): number {
  const ttl = request.ttl_seconds ?? Math.min(DEFAULT_CALL_GRANT_TTL_SECONDS, maxTtlSeconds);
  if (ttl > maxTtlSeconds) throw new GrantTtlTooLong(maxTtlSeconds);
  return ttl;
}

export class GrantTtlTooLong extends Error {
  constructor(readonly maxTtlSeconds: number) {
    super(`ttl_seconds may be at most ${maxTtlSeconds} (CALL_GRANT_MAX_TTL_SECONDS): the invitation would refuse a longer-lived grant`);
    this.name = 'GrantTtlTooLong';
  }
}

/** Profile types this deployment knows; a grant or a call for another would never ring. */
export function requireKnownProfileTypes(types: readonly string[], known: readonly string[]): void {
  const unknown = types.find((type) => !known.includes(type));
  if (unknown !== undefined) throw new ProtocolError('invalid_message', `Unknown profile type "${unknown}"`);
}
