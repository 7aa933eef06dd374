/**
 * `call_settings`: reads the sender's settings, and changes them when the message says so. A change
 * is one write guarded by the version it was read at; a refused write means another change came
 * first (another tab), so the change is made again on top of that one, and neither is lost. Every
 * socket of the profile hears settings that changed; a read is answered to the sender only.
 */
import type { ClientMessageOf } from '../../shared/protocol';
import type { RoutingDecision } from '../../shared/routing-line';
import type { Delivery, Messenger } from './messenger';
import type { CallSettings, CallStore, Clock, OutboundMessage, Sender } from './model';
import {
  changeSettings,
  DEFAULT_PROFILE_SETTINGS,
  isSettingsChange,
  sameSettings,
  settingsMessage,
  type ProfileSettings,
  type ProfileSettingsStore,
} from './profile-settings';

/**
 * Writes refused by a concurrent change before giving up. Each refusal means another change was
 * saved, so of n changes at once the last is through within n attempts; a short random wait
 * between attempts keeps the writers from meeting again and again.
 */
const MAX_WRITE_ATTEMPTS = 32;
const MAX_RETRY_WAIT_MS = 20;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface SettingsUpdateDeps {
  profileSettings: ProfileSettingsStore;
  store: Pick<CallStore, 'socketsOf'>;
  messenger: Messenger;
  settings: Pick<CallSettings, 'profileTypes'>;
  clock: Clock;
  sleep?: (ms: number) => Promise<void>;
  /** Told when a saved change could not be told to the profile's other sockets (the sender still hears it). */
  onFanOutFailed?: (error: unknown) => void;
}

export async function updateProfileSettings(
  deps: SettingsUpdateDeps,
  sender: Sender,
  request: ClientMessageOf<'call_settings'>,
): Promise<RoutingDecision[]> {
  const { profileSettings, messenger, clock } = deps;
  if (!isSettingsChange(request)) {
    const current = (await profileSettings.settingsOf(sender.key)) ?? DEFAULT_PROFILE_SETTINGS;
    return [decision(sender, null, (await messenger.reply(sender.connectionId, settingsMessage(current, clock.now()))).reached.length)];
  }
  const sleep = deps.sleep ?? defaultSleep;
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    if (attempt > 0) await sleep(Math.random() * MAX_RETRY_WAIT_MS);
    const stored = await profileSettings.settingsOf(sender.key);
    const current: ProfileSettings = stored ?? DEFAULT_PROFILE_SETTINGS;
    const next = changeSettings(current, request, sender.key, clock.now(), deps.settings.profileTypes);
    if (sameSettings(current, next)) {
      const delivery = await messenger.reply(sender.connectionId, settingsMessage(current, clock.now()));
      return [decision(sender, 'unchanged', delivery.reached.length)];
    }
    if (await profileSettings.saveSettings(sender.key, next, stored?.version)) {
      const message = settingsMessage(next, clock.now());
      const [own, others] = await Promise.all([messenger.reply(sender.connectionId, message), tellOtherSockets(deps, sender, message)]);
      return [decision(sender, 'changed', own.reached.length + others.reached.length, others.gone.length)];
    }
  }
  throw new Error(`The call settings of ${sender.key} kept changing under ${MAX_WRITE_ATTEMPTS} attempts to change them`);
}

/**
 * The profile's other sockets hear the change too. The change is saved by then: a failure here is
 * reported, never turned into an error for the sender, who would think the change did not happen.
 */
async function tellOtherSockets(deps: SettingsUpdateDeps, sender: Sender, message: OutboundMessage): Promise<Delivery> {
  try {
    const sockets = await deps.store.socketsOf(sender.key);
    const others = sockets.map((socket) => socket.connectionId).filter((id) => id !== sender.connectionId);
    return await deps.messenger.send(others, message);
  } catch (error) {
    deps.onFanOutFailed?.(error);
    return { reached: [], gone: [] };
  }
}

function decision(sender: Sender, reason: 'changed' | 'unchanged' | null, reached: number, gone = 0): RoutingDecision {
  return { call_id: null, from: sender.key, to: null, outcome: 'replied', reason, sockets_reached: reached, gone_sockets: gone };
}
