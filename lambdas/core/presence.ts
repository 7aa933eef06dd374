/**
 * `presence_query`, with no oracle in it: a profile is reported online only if the asker may call
 * it right now (the deployment's policy, with the grant the entry carries, and the profile's own
 * settings) and it has a live socket. Anything else is `online: false`, exactly as an offline or
 * unknown profile is, so a blocked or refused asker learns nothing. Oneself is never online here:
 * one cannot call oneself.
 */
import type { CallPolicy } from '../../shared/call-policy';
import { profileKey, type ProfileKey } from '../../shared/profile';
import type { ClientMessageOf, ServerMessageOf } from '../../shared/protocol';
import { decideReach, type GrantCheck } from './call-policy';
import type { CallStore, Sender } from './model';
import { DEFAULT_PROFILE_SETTINGS, type ProfileSettingsStore } from './profile-settings';
import { calleeRefusal } from './who-may-call';

export interface PresenceDeps {
  store: Pick<CallStore, 'isOnline'>;
  profileSettings: Pick<ProfileSettingsStore, 'settingsOfMany'>;
  policy: CallPolicy;
}

const NO_GRANT: GrantCheck = { kind: 'absent' };

/** `grants[i]` is the verified (or not) `call_grant` of `message.profiles[i]`. */
export async function presence(
  deps: PresenceDeps,
  sender: Sender,
  message: ClientMessageOf<'presence_query'>,
  grants: readonly GrantCheck[],
): Promise<ServerMessageOf<'presence'>> {
  const entries = message.profiles.map((profile, index) => {
    const key = profileKey(profile.profile_type, profile.profile_id);
    const grant = grants[index] ?? NO_GRANT;
    const allowedByPolicy = key !== sender.key && decideReach(deps.policy, grant, sender, profile).allowed;
    return { profile, key, allowedByPolicy, vouched: allowedByPolicy && grant.kind === 'verified' };
  });
  // Only profiles the policy lets the asker call are looked up: the rest are offline to it whatever they are.
  const keys = [...new Set(entries.filter((entry) => entry.allowedByPolicy).map((entry) => entry.key))];
  const [settings, online] = await Promise.all([deps.profileSettings.settingsOfMany(keys), onlineOf(deps.store, keys)]);
  return {
    type: 'presence',
    profiles: entries.map(({ profile, key, allowedByPolicy, vouched }) => ({
      profile_id: profile.profile_id,
      profile_type: profile.profile_type,
      online:
        allowedByPolicy &&
        online.has(key) &&
        calleeRefusal(settings.get(key) ?? DEFAULT_PROFILE_SETTINGS, sender.key, vouched) === undefined,
    })),
  };
}

async function onlineOf(store: Pick<CallStore, 'isOnline'>, keys: readonly ProfileKey[]): Promise<Set<ProfileKey>> {
  const checked = await Promise.all(keys.map(async (key) => ({ key, online: await store.isOnline(key) })));
  return new Set(checked.filter((entry) => entry.online).map((entry) => entry.key));
}
