/**
 * A party dropped: a socket of an answered call was lost (its `$disconnect`, a message to it that
 * came back gone, or the liveness check finding it closed). The resume grace starts and the peer,
 * if still there, gets `peer_reconnecting`; with both gone at once there is nobody to tell.
 */
import { envelope, stampOfParty } from '../envelope';
import type { BoundSocket, CallRecord, CallSettings, Dropped, Party } from '../model';
import { otherParty, socketsOfParty } from '../rules';
import { nothing, type Step } from './transition';

/** Who is waiting to resume once `party` drops too; undefined when that drop is already known. */
export function afterDrop(dropped: Dropped | undefined, party: Party): Dropped | undefined {
  if (dropped === party || dropped === 'both') return undefined;
  return dropped ? 'both' : party;
}

/** Who is waiting to resume once all of `parties` dropped; undefined when none of those drops is news. */
export function afterDrops(dropped: Dropped | undefined, parties: readonly Party[]): Dropped | undefined {
  let result = dropped;
  let news = false;
  for (const party of parties) {
    const next = afterDrop(result, party);
    if (next === undefined) continue;
    result = next;
    news = true;
  }
  return news ? result : undefined;
}

export interface DropCause {
  /** The routing line's reason (`not_connected` for the liveness check). */
  reason: string | null;
  /** Guard on the timer the cause saw too (the liveness check's due one). */
  seenTimer?: string;
}

/** `lost`: the parties found gone, each on the socket the call has it on (still, says the guard). */
export function partiesDropped(
  call: CallRecord,
  lost: readonly BoundSocket[],
  now: Date,
  settings: Pick<CallSettings, 'resumeGraceSeconds'>,
  cause: DropCause = { reason: null },
): Step {
  const dropped = afterDrops(
    call.disconnected_party,
    lost.map((socket) => socket.party),
  );
  if (!dropped) return nothing(call); // already known, already announced
  const graceSeconds = settings.resumeGraceSeconds;
  const line = { outcome: 'peer_reconnecting', reason: cause.reason } as const;
  return {
    kind: 'write',
    callId: call.call_id,
    guard: {
      status: 'answered',
      boundSockets: lost,
      dropped: call.disconnected_party ?? 'nobody',
      ...(cause.seenTimer !== undefined ? { deadlineAt: cause.seenTimer } : {}),
    },
    changes: { disconnected_party: dropped, deadline_at: new Date(now.getTime() + graceSeconds * 1000).toISOString() },
    image: 'after',
    announce(updated) {
      const [only, ...others] = lost;
      if (!only || others.length > 0) return { sends: [], line };
      const message = {
        type: 'peer_reconnecting',
        ...envelope(updated, stampOfParty(updated, only.party), now),
        grace_seconds: graceSeconds,
      } as const;
      return { sends: [{ to: socketsOfParty(updated, otherParty(only.party)), message, counted: true }], line };
    },
  };
}
