/**
 * Half-trickle: a first offer or answer waits a moment for the candidates ICE finds at once (host
 * candidates within milliseconds, server-reflexive ones after a STUN round trip), so that they
 * travel inside its SDP (`a=candidate:` lines of `pc.localDescription`) instead of in
 * `ice_candidate` messages of their own, each a billed message and an invocation. Only what is
 * found after the window trickles, as before.
 *
 * The window ends when gathering completes or after `HALF_TRICKLE_WINDOW_MS`, whichever comes
 * first: on a LAN or loopback gathering completes in a few milliseconds, so the wait is that; a
 * STUN server a continent away (or one that never answers) costs at most the bound.
 */
import type { IceCandidate } from '../../../shared/protocol';
import { END_OF_CANDIDATES } from './candidate-batcher';

/**
 * The bound: long enough for a STUN binding round trip to a server in the caller's region (tens
 * of milliseconds), short enough to pass unnoticed before a ring or a connected call; TURN
 * allocations (two round trips) that take longer trickle.
 */
export const HALF_TRICKLE_WINDOW_MS = 150;

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
  private timer: ReturnType<typeof setTimeout> | undefined;
  private finish: () => void = () => undefined;
  /** Resolves when gathering completes or the bound passes. */
  readonly over: Promise<void>;

  constructor(windowMs: number) {
    this.over = new Promise((resolve) => {
      this.finish = () => {
        clearTimeout(this.timer);
        resolve();
      };
    });
    this.timer = setTimeout(() => this.finish(), windowMs);
  }

  get held(): readonly IceCandidate[] {
    return this.heldCandidates;
  }

  /** A candidate found meanwhile (or the end marker, which closes the window at once). */
  hold(candidate: IceCandidate): void {
    this.heldCandidates.push(candidate);
    if (candidate.candidate === '') this.finish();
  }

  /** Ends the wait now (the call is over). */
  close(): void {
    this.finish();
  }
}
