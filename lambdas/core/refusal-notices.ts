/**
 * Which refusals by a rate limit are answered: per socket and class, the first refusal of an
 * episode (an episode lasts until that class admits the socket again), and at most one every
 * `intervalMs` however episodes come and go. The rest are dropped without a reply, so a flood over
 * the limit cannot buy a flood of `error` replies. Kept in the container's memory: a socket served
 * by n containers hears at most n.
 */
import type { RateClass } from './rate-limiter';

interface Episode {
  /** A refusal since the class last admitted the socket: the socket has been told, or stays untold. */
  open: boolean;
  lastNoticeMs: number;
}

/** Episodes last told this long ago can be forgotten: at worst their socket hears one more notice. */
const FORGET_AFTER_MS = 60_000;
const MAX_TRACKED_EPISODES = 50_000;

export class RefusalNotices {
  private readonly episodes = new Map<string, Episode>();
  private lastPruneMs = 0;

  constructor(private readonly intervalMs: number) {}

  /** The socket's class admitted a message: its episode is over. */
  admitted(connectionId: string, rateClass: RateClass): void {
    const episode = this.episodes.get(`${rateClass}:${connectionId}`);
    if (episode) episode.open = false;
  }

  /** The socket's class refused a message at `atMs`: whether to tell it (`rate_limited`) or drop the message silently. */
  refused(connectionId: string, rateClass: RateClass, atMs: number): 'tell' | 'drop' {
    this.prune(atMs);
    const key = `${rateClass}:${connectionId}`;
    const episode = this.episodes.get(key);
    const tell = !episode || (!episode.open && atMs - episode.lastNoticeMs >= this.intervalMs);
    this.episodes.set(key, { open: true, lastNoticeMs: tell ? atMs : (episode?.lastNoticeMs ?? atMs) });
    return tell ? 'tell' : 'drop';
  }

  private prune(nowMs: number): void {
    if (nowMs - this.lastPruneMs < FORGET_AFTER_MS && this.episodes.size < MAX_TRACKED_EPISODES) return;
    this.lastPruneMs = nowMs;
    for (const [key, episode] of this.episodes) {
      if (nowMs - episode.lastNoticeMs > FORGET_AFTER_MS) this.episodes.delete(key);
    }
  }
}
