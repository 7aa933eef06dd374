/**
 * Missed calls the person has not looked at yet, for the badge. Which calls count as missed is the
 * history's reading (`history-outcome.ts`). What was seen is kept per profile in localStorage: the
 * start of the newest missed call there was when the person last looked at the history, so the
 * count holds across reloads, and a look in one tab of the profile clears the badge in the others.
 */
import { profileKey, type ProfileId } from '../../../shared/profile';

const STORAGE_PREFIX = 'callsignal.missedSeen.';

export interface MissedCall {
  /** ISO time the call started (the server's clock, like every other time compared here). */
  startedAt: string;
}

export class MissedCalls {
  private readonly key: string;
  private missed: number[] = [];
  private seenUpTo: number;
  private readonly storageChanged = (event: StorageEvent) => {
    if (event.key !== this.key) return;
    this.seenUpTo = this.readSeen();
    this.onCount(this.unseen);
  };

  constructor(
    me: { profileType: string; profileId: ProfileId },
    private readonly onCount: (unseen: number) => void,
    private readonly storage: Storage | undefined = globalThis.localStorage,
  ) {
    this.key = `${STORAGE_PREFIX}${profileKey(me.profileType, me.profileId)}`;
    this.seenUpTo = this.readSeen();
    globalThis.addEventListener?.('storage', this.storageChanged);
  }

  /** Missed calls not looked at yet, among those the history has loaded. */
  get unseen(): number {
    return this.missed.filter((startedAt) => startedAt > this.seenUpTo).length;
  }

  /** The missed calls of the history as now loaded. */
  update(missed: readonly MissedCall[]): void {
    this.missed = missed.map((call) => Date.parse(call.startedAt)).filter(Number.isFinite);
    this.onCount(this.unseen);
  }

  /** The person has looked at the history: every missed call in it is seen. */
  markSeen(): void {
    if (this.unseen === 0) return;
    this.seenUpTo = Math.max(this.seenUpTo, ...this.missed);
    try {
      this.storage?.setItem(this.key, new Date(this.seenUpTo).toISOString());
    } catch {
      // Storage full or disabled: seen for this page only.
    }
    this.onCount(0);
  }

  dispose(): void {
    globalThis.removeEventListener?.('storage', this.storageChanged);
  }

  private readSeen(): number {
    const stored = Date.parse(this.storage?.getItem(this.key) ?? '');
    return Number.isFinite(stored) ? stored : Number.NEGATIVE_INFINITY;
  }
}

/** What shows the person is at the page, not only that it is open: their own input. */
const ATTENTION_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

/**
 * Calls `onViewed` when the person acts in the page (a click, a key, a scroll) while `onScreen()`
 * says the history is in front of them. The history of a desktop page is always on screen, so its
 * merely being visible would clear the badge before anyone came back to the tab to see it.
 */
export function watchHistoryViewed(onScreen: () => boolean, onViewed: () => void): () => void {
  const check = () => {
    if (document.visibilityState === 'visible' && onScreen()) onViewed();
  };
  for (const type of ATTENTION_EVENTS) document.addEventListener(type, check, { capture: true, passive: true });
  addEventListener('scroll', check, { passive: true });
  return () => {
    for (const type of ATTENTION_EVENTS) document.removeEventListener(type, check, { capture: true });
    removeEventListener('scroll', check);
  };
}
