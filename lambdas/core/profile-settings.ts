/**
 * A profile's own call settings, kept by this service: who may call it and whom it blocked. Pure:
 * what a `call_settings` message changes, and how the settings look on the wire. Reading and the
 * guarded write are `settings-updates.ts`'s; the store is passed in.
 */
import { MAX_BLOCKED_PROFILES } from '../../shared/limits';
import { profileKey, type ProfileId, type ProfileKey } from '../../shared/profile';
import { DEFAULT_WHO_CAN_CALL, type ClientMessageOf, type ServerMessageOf, type WhoCanCall } from '../../shared/protocol';
import { ProtocolError } from './errors';

export interface BlockedProfile {
  key: ProfileKey;
  /** As the blocker sent it (a number stays a number). */
  profileId: ProfileId;
  profileType: string;
  /** What the blocker's list shows; null when it was not given. */
  name: string | null;
  blockedAt: string;
}

export interface ProfileSettings {
  whoCanCall: WhoCanCall;
  /** Newest first. */
  blocked: readonly BlockedProfile[];
}

/** Settings as stored, with the version the next write is guarded by. */
export interface StoredProfileSettings extends ProfileSettings {
  version: number;
}

/** What a profile that never changed anything has. */
export const DEFAULT_PROFILE_SETTINGS: ProfileSettings = { whoCanCall: DEFAULT_WHO_CAN_CALL, blocked: [] };

/** Where profile settings are kept (the `profile_settings` table). */
export interface ProfileSettingsStore {
  /** One profile's settings, read strongly consistent (a block takes effect on the next invitation); undefined when it has none. */
  settingsOf(key: ProfileKey): Promise<StoredProfileSettings | undefined>;
  /** Many profiles' settings in one request (at most 100 keys); profiles without settings are absent. */
  settingsOfMany(keys: readonly ProfileKey[]): Promise<ReadonlyMap<ProfileKey, ProfileSettings>>;
  /** Writes the settings if the stored version is still `readVersion` (undefined: none stored); false if not. */
  saveSettings(key: ProfileKey, settings: ProfileSettings, readVersion: number | undefined): Promise<boolean>;
}

type SettingsRequest = ClientMessageOf<'call_settings'>;

export const isSettingsChange = (request: SettingsRequest): boolean =>
  request.who_can_call !== undefined || request.block !== undefined || request.unblock !== undefined;

/**
 * The settings after `request`: unblocks first, then blocks (so a full list can swap one profile
 * for another in one message), then `who_can_call`. New blocks go on top in the order given; a
 * profile blocked again keeps its place, and takes the new name when one is given. Blocking
 * oneself is ignored: one cannot call oneself anyway. Throws `invalid_message` for a profile type
 * the deployment does not have, or a list that would grow past `MAX_BLOCKED_PROFILES`.
 */
export function changeSettings(
  current: ProfileSettings,
  request: SettingsRequest,
  owner: ProfileKey,
  now: Date,
  profileTypes: readonly string[],
): ProfileSettings {
  const unblocked = new Set((request.unblock ?? []).map((profile) => profileKey(profile.profile_type, profile.profile_id)));
  let blocked = current.blocked.filter((entry) => !unblocked.has(entry.key));

  const added: BlockedProfile[] = [];
  for (const profile of request.block ?? []) {
    if (!profileTypes.includes(profile.profile_type)) {
      throw new ProtocolError('invalid_message', `Unknown profile type "${profile.profile_type}"`);
    }
    const key = profileKey(profile.profile_type, profile.profile_id);
    if (key === owner || added.some((entry) => entry.key === key)) continue;
    const name = profile.name ?? null;
    const existing = blocked.find((entry) => entry.key === key);
    if (existing) {
      if (name !== null && name !== existing.name) blocked = blocked.map((entry) => (entry === existing ? { ...entry, name } : entry));
      continue;
    }
    added.push({ key, profileId: profile.profile_id, profileType: profile.profile_type, name, blockedAt: now.toISOString() });
  }
  blocked = [...added, ...blocked];
  if (blocked.length > MAX_BLOCKED_PROFILES) {
    throw new ProtocolError('invalid_message', `You can block at most ${MAX_BLOCKED_PROFILES} profiles; unblock some before blocking more`);
  }
  return { whoCanCall: request.who_can_call ?? current.whoCanCall, blocked };
}

/** Whether two settings say the same (a change that changes nothing is not written). */
export function sameSettings(a: ProfileSettings, b: ProfileSettings): boolean {
  return (
    a.whoCanCall === b.whoCanCall &&
    a.blocked.length === b.blocked.length &&
    a.blocked.every((entry, index) => {
      const other = b.blocked[index];
      return other !== undefined && other.key === entry.key && other.name === entry.name;
    })
  );
}

export function settingsMessage(settings: ProfileSettings, now: Date): ServerMessageOf<'call_settings'> {
  return {
    type: 'call_settings',
    who_can_call: settings.whoCanCall,
    blocked: settings.blocked.map((entry) => ({ profile_id: entry.profileId, profile_type: entry.profileType, name: entry.name })),
    sent_at: now.toISOString(),
  };
}
