/**
 * How big a soak is and how long each thing in it may take. The deadlines grow with the number of
 * calls: every call is in flight at once, so each one waits behind all the others' handler
 * invocations, and the gateway completes about 30 calls a second on a 2-core machine.
 */

export interface SoakSize {
  /** Sockets opened in all: two per call, the rest idle profiles that only ping. */
  sockets: number;
  /** Calls placed at once, all in flight together. */
  calls: number;
}

export interface SoakDeadlines {
  /** Every message of a call must arrive within this of the call's start. */
  callTimeoutMs: number;
  /** How often each idle socket pings while the calls run. */
  pingIntervalMs: number;
  /** A pong must arrive within this of its ping. */
  pongTimeoutMs: number;
  /** After the calls, how long the store may take to show every call log final. */
  settleTimeoutMs: number;
}

/** `npm run soak`. */
export const FULL_SOAK: SoakSize = { sockets: 2_000, calls: 500 };
/** The reduced run in `npm test`. */
export const REDUCED_SOAK: SoakSize = { sockets: 200, calls: 50 };

/** What the gateway completes per second on a 2-core machine (the bench's figure at 200 in flight). */
const GATEWAY_CALLS_PER_SECOND = 30;
/** Headroom over that rate: another suite may share the machine's two cores. */
const SLOWDOWN_ALLOWED = 4;
/** Floor for any deadline, for the start of a run (cold handler modules, JIT). */
const BASE_TIMEOUT_MS = 30_000;

/**
 * 30 s plus four times what the gateway needs to complete all the calls at its usual rate: at 500
 * calls, 30 s + 4 × 16.7 s ≈ 97 s. The protocol's ring timeout (45 s from the invitation) still
 * bounds the gap between an invitation and its answer.
 */
function callTimeoutFor(calls: number): number {
  return Math.round(BASE_TIMEOUT_MS + (SLOWDOWN_ALLOWED * calls * 1000) / GATEWAY_CALLS_PER_SECOND);
}

export function defaultDeadlines(size: SoakSize): SoakDeadlines {
  const callTimeoutMs = callTimeoutFor(size.calls);
  return {
    callTimeoutMs,
    // Clients ping at least every 5 minutes; in a run of a minute or two that would be no load at all.
    pingIntervalMs: 30_000,
    // A ping queues behind the same invocations as the calls' messages.
    pongTimeoutMs: callTimeoutMs,
    settleTimeoutMs: 30_000,
  };
}
