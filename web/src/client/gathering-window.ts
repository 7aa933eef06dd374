/**
 * Half-trickle: a first offer or answer waits a moment for the candidates ICE finds at once (host
 * candidates within milliseconds, server-reflexive ones after a STUN round trip), so that they
 * travel inside its SDP (`a=candidate:` lines of `pc.localDescription`) instead of in
 * `ice_candidate` messages of their own, each a billed message and an invocation. Only what is
 * found after the window trickles, as before.
 *
 * The window ends when gathering completes or after `HALF_TRICKLE_WINDOW_MS`, whichever comes
 * first, but never before the first candidate is found, nor while candidates are still coming
 * (`LATE_SETTLE_MS` apart), up to `MAX_WAIT_MS`: no media can flow before the peer has a candidate of ours, so
 * waiting for the first one costs a call nothing, and a loaded machine (Chromium took 220 ms for
 * its first host candidate here under load) still sends it inside. A STUN server a continent away,
 * or one that never answers, costs at most the bound; what it finds later trickles.
 */
import type { IceCandidate } from '../../../shared/protocol';
import { END_OF_CANDIDATES } from './candidate-batcher';

/**
 * The bound: long enough for a STUN binding round trip to a server in the caller's region (tens
 * of milliseconds), short enough to pass unnoticed before a ring or a connected call; TURN
 * allocations (two round trips) that take longer trickle.
 */
export const HALF_TRICKLE_WINDOW_MS = 150;
/** Past the bound, the window closes once no candidate has come for this long (Chromium finds its UDP and TCP host candidates a few ms apart). */
export const LATE_SETTLE_MS = 50;
/** A browser that has found no candidate by then sends its description anyway. */
export const MAX_WAIT_MS = 1_000;

/** The fields that name a candidate, whether written in an SDP line or in an `icecandidate` event (which adds `ufrag`). */
function candidateIdentity(line: string): string {
  // foundation, component, transport, priority, address, port, "typ", type
  return line.replace(/^a=/, '').trim().split(/\s+/).slice(0, 8).join(' ').toLowerCase();
}

/** The candidates a session description carries, by identity. */
export function candidatesInSdp(sdp: string): Set<string> {
  const found = new Set<string>();
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('a=candidate:')) found.add(candidateIdentity(line));
  }
  return found;
}

/**
 * What still has to trickle once a description is sent: the held candidates it does not carry, in
 * the order found. The end-of-candidates marker goes last only when something trickles; when
 * gathering completed within the window the description is complete, and nothing follows it.
 */
export function candidatesToTrickle(sdp: string, held: readonly IceCandidate[]): IceCandidate[] {
  const inSdp = candidatesInSdp(sdp);
  const missing = held.filter((candidate) => candidate.candidate !== '' && !inSdp.has(candidateIdentity(candidate.candidate)));
  const complete = held.some((candidate) => candidate.candidate === '');
  return complete && missing.length > 0 ? [...missing, END_OF_CANDIDATES] : missing;
}

/** Holds the local candidates found while a first description waits for them. */
export class GatheringWindow {
  private readonly heldCandidates: IceCandidate[] = [];
  private readonly timers: ReturnType<typeof setTimeout>[] = [];
  private boundPassed = false;
  private lastFoundAt: number | undefined;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  private finish: () => void = () => undefined;
  /** Resolves when gathering completes or the bound passes (with a candidate found). */
  readonly over: Promise<void>;

  constructor(windowMs: number) {
    this.over = new Promise((resolve) => {
      this.finish = () => {
        for (const timer of this.timers) clearTimeout(timer);
        resolve();
      };
    });
    this.timers.push(
      setTimeout(() => {
        this.boundPassed = true;
        const last = this.lastFoundAt;
        if (last !== undefined) {
          // Candidates found just now may have siblings a few ms behind: closes once they stop.
          this.settleTimer = setTimeout(() => this.finish(), Math.max(0, last + LATE_SETTLE_MS - Date.now()));
          this.timers.push(this.settleTimer);
        }
      }, windowMs),
      setTimeout(() => this.finish(), Math.max(windowMs, MAX_WAIT_MS)),
    );
  }

  get held(): readonly IceCandidate[] {
    return this.heldCandidates;
  }

  /** A candidate found meanwhile (or the end marker, which closes the window at once). */
  hold(candidate: IceCandidate): void {
    this.heldCandidates.push(candidate);
    if (candidate.candidate !== '') this.lastFoundAt = Date.now();
    if (candidate.candidate === '') {
      this.finish();
    } else if (this.boundPassed) {
      // Past the bound, the window closes once candidates stop coming for a moment.
      clearTimeout(this.settleTimer);
      this.settleTimer = setTimeout(() => this.finish(), LATE_SETTLE_MS);
      this.timers.push(this.settleTimer);
    }
  }

  /** Whether gathering completed while the window was open. */
  get complete(): boolean {
    return this.heldCandidates.some((candidate) => candidate.candidate === '');
  }

  /** Ends the wait now (the call is over). */
  close(): void {
    this.finish();
  }
}
