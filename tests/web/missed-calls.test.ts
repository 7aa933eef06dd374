/** The missed-call badge's count: missed calls newer than the last look, kept per profile across pages of the same browser. */
import { describe, expect, it } from 'vitest';
import { MissedCalls } from '../../web/src/ui/missed-calls';

/** The browser's localStorage, which Node lacks: the same interface over a Map. */
class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  clear(): void {
    this.items.clear();
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

const SAM = { profileType: 'student', profileId: 456 };
const missedAt = (...times: string[]) => times.map((startedAt) => ({ startedAt }));

describe('missed calls not looked at yet', () => {
  it('counts every missed call until the history is looked at, then only newer ones', () => {
    const storage = new MemoryStorage();
    const counts: number[] = [];
    const missed = new MissedCalls(SAM, (count) => counts.push(count), storage);
    missed.update(missedAt('2026-11-21T10:00:00.000Z', '2026-11-21T09:00:00.000Z'));
    expect(missed.unseen).toBe(2);

    missed.markSeen();
    expect(missed.unseen).toBe(0);
    missed.update(missedAt('2026-11-21T11:00:00.000Z', '2026-11-21T10:00:00.000Z', '2026-11-21T09:00:00.000Z'));
    expect(missed.unseen).toBe(1);
    expect(counts).toEqual([2, 0, 1]);
  });

  it('remembers what was seen for the next page of the same profile, and not for another profile', () => {
    const storage = new MemoryStorage();
    const first = new MissedCalls(SAM, () => undefined, storage);
    first.update(missedAt('2026-11-21T10:00:00.000Z'));
    first.markSeen();

    const reloaded = new MissedCalls(SAM, () => undefined, storage);
    reloaded.update(missedAt('2026-11-21T10:00:00.000Z'));
    expect(reloaded.unseen).toBe(0);

    const otherProfile = new MissedCalls({ profileType: 'tutor', profileId: 456 }, () => undefined, storage);
    otherProfile.update(missedAt('2026-11-21T10:00:00.000Z'));
    expect(otherProfile.unseen).toBe(1);
  });

  it('looking at a history with nothing new changes nothing', () => {
    const storage = new MemoryStorage();
    const counts: number[] = [];
    const missed = new MissedCalls(SAM, (count) => counts.push(count), storage);
    missed.update([]);
    missed.markSeen();
    expect(storage.length).toBe(0);
    expect(counts).toEqual([0]);
  });
});
