/** How times, durations and profiles read in the UI. */
import type { ProfileId } from '../../../shared/profile';

/** `0:07`, `12:34`, `1:02:03`. */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const dayMonth = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });

/** `14:05` today, `Yesterday 09:12`, `Mon 18:40` this week, `3 Mar` before. */
export function formatWhen(iso: string, now = new Date()): string {
  const date = new Date(iso);
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const day = 24 * 60 * 60 * 1000;
  if (date.getTime() >= startOfToday) return timeOfDay.format(date);
  if (date.getTime() >= startOfToday - day) return `Yesterday ${timeOfDay.format(date)}`;
  if (date.getTime() >= startOfToday - 6 * day) return `${weekday.format(date)} ${timeOfDay.format(date)}`;
  return dayMonth.format(date);
}

export function formatFullDate(iso: string): string {
  return full.format(new Date(iso));
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** What to call a profile: its name, or `Tutor 42` when the name is unknown. */
export function displayName(name: string | null | undefined, profileType: string, profileId: ProfileId): string {
  return name?.trim() || `${capitalize(profileType)} ${String(profileId)}`;
}

/** `AL` for Ada Lovelace, `T4` for Tutor 42. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words.at(-1)!].map((word) => [...word][0]) : [...(words[0] ?? '?')].slice(0, 2);
  return letters.join('').toUpperCase();
}
