/**
 * The microphone, camera and speaker picked last, and the voice processing switches, kept per
 * browser (localStorage): the next call opens the same devices. Unreadable or old entries give the
 * defaults (every device the system's default, noise suppression and echo cancellation on).
 */
import * as v from 'valibot';
import { Emitter } from './emitter';

export const DEVICE_PREFERENCES_KEY = 'callsignal.devices';

const DevicePreferencesSchema = v.object({
  microphone: v.optional(v.string()),
  camera: v.optional(v.string()),
  speaker: v.optional(v.string()),
  noiseSuppression: v.optional(v.boolean(), true),
  echoCancellation: v.optional(v.boolean(), true),
});

export type DevicePreferences = v.InferOutput<typeof DevicePreferencesSchema>;

export const DEFAULT_DEVICE_PREFERENCES: DevicePreferences = { noiseSuppression: true, echoCancellation: true };

export function parseDevicePreferences(text: string | null): DevicePreferences {
  if (text === null) return { ...DEFAULT_DEVICE_PREFERENCES };
  try {
    const parsed = v.safeParse(DevicePreferencesSchema, JSON.parse(text));
    return parsed.success ? parsed.output : { ...DEFAULT_DEVICE_PREFERENCES };
  } catch {
    return { ...DEFAULT_DEVICE_PREFERENCES };
  }
}

type PreferenceStorage = Pick<Storage, 'getItem' | 'setItem'>;

export class DevicePreferenceStore extends Emitter<{ changed: DevicePreferences }> {
  private value: DevicePreferences;

  /** Without storage (private mode may refuse it) the choices last for the page only. */
  constructor(private readonly storage: PreferenceStorage | undefined = safeLocalStorage()) {
    super();
    this.value = parseDevicePreferences(read(storage));
  }

  get current(): DevicePreferences {
    return { ...this.value };
  }

  update(change: Partial<DevicePreferences>): void {
    this.value = { ...this.value, ...change };
    try {
      this.storage?.setItem(DEVICE_PREFERENCES_KEY, JSON.stringify(this.value));
    } catch {
      // A full or refused storage keeps the choice for this page only.
    }
    this.emit('changed', this.current);
  }
}

function read(storage: PreferenceStorage | undefined): string | null {
  try {
    return storage?.getItem(DEVICE_PREFERENCES_KEY) ?? null;
  } catch {
    return null;
  }
}

function safeLocalStorage(): PreferenceStorage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

let pageStore: DevicePreferenceStore | undefined;

/** The one store of this page: the call's media and every device picker read and change the same choices. */
export function pageDevicePreferences(): DevicePreferenceStore {
  pageStore ??= new DevicePreferenceStore();
  return pageStore;
}
