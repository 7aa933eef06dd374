/**
 * Names of profiles this browser has met, by profile key. The server only stamps a callee's name
 * on its answer or decline, so without this a declined or unanswered call would show "Tutor 42"
 * in the history even when we know perfectly well who that is.
 */
import { profileKey, type ProfileId } from '../../../shared/profile';

const STORAGE_KEY = 'callsignal.names';
const MAX_NAMES = 300;

export class KnownNames {
  private readonly names: Map<string, string>;

  constructor(private readonly storage: Storage | undefined = globalThis.localStorage) {
    let entries: [string, string][] = [];
    try {
      const parsed: unknown = JSON.parse(storage?.getItem(STORAGE_KEY) ?? '[]');
      if (Array.isArray(parsed))
        entries = parsed.filter((e): e is [string, string] => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'string');
    } catch {
      // A damaged entry only costs us the names.
    }
    this.names = new Map(entries);
  }

  get(profileType: string, profileId: ProfileId): string | undefined {
    return this.names.get(profileKey(profileType, profileId));
  }

  remember(profileType: string, profileId: ProfileId, name: string | null | undefined): void {
    const trimmed = name?.trim();
    if (!trimmed) return;
    const key = profileKey(profileType, profileId);
    if (this.names.get(key) === trimmed) return;
    this.names.delete(key); // re-insert as the newest
    this.names.set(key, trimmed);
    while (this.names.size > MAX_NAMES) {
      const oldest = this.names.keys().next().value;
      if (oldest === undefined) break;
      this.names.delete(oldest);
    }
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify([...this.names]));
    } catch {
      // Storage full or disabled: the names live for this page only.
    }
  }
}
