/**
 * The idle part of a soak: sockets of profiles in no call, which only keep their connection alive
 * with `ping`, as a signed-in client with nothing to do does. They load the gateway with connects
 * and pings while the calls run, and must receive nothing but their own pongs.
 */
import type { Dialect, Party } from '../bench/dialects/dialect';
import type { BenchSocket } from '../bench/workload/bench-socket';
import { keepAlive } from '../bench/workload/call-script';
import { OPEN_PARALLELISM } from '../bench/workload/rounds';

export interface IdleSocket {
  party: Party;
  socket: BenchSocket;
  /** The next ping's sequence number; unique per socket, so a pong answers exactly one ping. */
  nextSequence: number;
}

export interface KeepAliveTally {
  pings: number;
  pongs: number;
  /** Ping sent to pong received, per answered ping. */
  roundTripsMs: number[];
}

export interface KeepAliveTiming {
  intervalMs: number;
  pongTimeoutMs: number;
}

export interface KeepAliveLoop {
  /** Ends the loop once each socket's ping in flight (if any) is answered or timed out. */
  stop(): Promise<KeepAliveTally>;
}

/** Parents: the call pairs are students calling tutors, so no idle profile is ever called. */
export function idlePartyOf(index: number, firstId: number): Party {
  const id = firstId + index;
  return { profileType: 'parent', profileId: id, id: `parent_${id}` };
}

export async function openIdleSockets(dialect: Dialect, count: number, firstId: number): Promise<IdleSocket[]> {
  const opened: IdleSocket[] = [];
  // As many at once as the bench opens (each runs the authorizer and `$connect`).
  const perBatch = 2 * OPEN_PARALLELISM;
  for (let start = 0; start < count; start += perBatch) {
    const batch = Array.from({ length: Math.min(perBatch, count - start) }, async (_, offset) => {
      const party = idlePartyOf(start + offset, firstId);
      return { party, socket: await dialect.connect(party), nextSequence: 0 };
    });
    opened.push(...(await Promise.all(batch)));
  }
  return opened;
}

export const emptyKeepAliveTally = (): KeepAliveTally => ({ pings: 0, pongs: 0, roundTripsMs: [] });

async function pingOnce(dialect: Dialect, idle: IdleSocket, pongTimeoutMs: number, tally: KeepAliveTally): Promise<void> {
  if (!dialect.ping) throw new Error(`the ${dialect.relay} dialect has no keep-alive ping`);
  const sequence = idle.nextSequence++;
  tally.pings++;
  const sentAt = performance.now();
  if (await keepAlive(dialect, idle.socket, sequence, sentAt + pongTimeoutMs)) {
    tally.pongs++;
    tally.roundTripsMs.push(performance.now() - sentAt);
  }
}

/** Every idle socket pings once, all at once; the tally says which were answered. */
export async function pingEvery(dialect: Dialect, sockets: readonly IdleSocket[], pongTimeoutMs: number): Promise<KeepAliveTally> {
  const tally = emptyKeepAliveTally();
  await Promise.all(sockets.map((idle) => pingOnce(dialect, idle, pongTimeoutMs, tally)));
  return tally;
}

/** Far more pings than any run needs; the loop ends on `stop` long before. */
const MAX_PINGS_PER_SOCKET = 10_000;

/**
 * Each idle socket pings every `intervalMs` until stopped; the first pings are spread evenly over
 * one interval, as clients that connected at different times would send them.
 */
export function keepIdleSocketsAlive(dialect: Dialect, sockets: readonly IdleSocket[], timing: KeepAliveTiming): KeepAliveLoop {
  const tally = emptyKeepAliveTally();
  let stopped = false;
  let wake: () => void = () => undefined;
  const stopping = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      void stopping.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });

  const loops = sockets.map(async (idle, index) => {
    await pause((index / sockets.length) * timing.intervalMs);
    for (let round = 0; round < MAX_PINGS_PER_SOCKET && !stopped; round++) {
      await pingOnce(dialect, idle, timing.pongTimeoutMs, tally);
      await pause(timing.intervalMs);
    }
  });

  return {
    async stop() {
      stopped = true;
      wake();
      await Promise.all(loops);
      return tally;
    },
  };
}
