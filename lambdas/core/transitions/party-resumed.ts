/**
 * A party resumed: `call_resume` re-binds a participant's new socket to its answered call (after a
 * drop, or to replace a socket before the 2 h cap). Both parties get `call_resumed`; a resumer whose
 * peer is still away also hears `peer_reconnecting` with the grace left, since the peer's drop was
 * announced to the resumer's old socket. A resumer who missed the end hears how the call ended.
 *
 * A party that had not dropped still has its previous socket open: another device of the party
 * took the call over, so that socket hears `call_ended` `resumed_elsewhere`. A client replacing its
 * own socket before the 2 h cap hears it too, on the socket it is retiring, and ignores it there
 * (the server cannot tell the two apart: both sockets carry the same profile).
 */
import { ProtocolError } from '../errors';
import { endedMessage, envelope, stampOfParty, stampOfSender } from '../envelope';
import type { CallChanges, CallRecord, CallSettings, Dropped, Party, Sender } from '../model';
import { otherParty, participantOf, socketsOfParty } from '../rules';
import { livenessDeadline, settled, type Send, type Step } from './transition';

/** Who is still waiting to resume once `party` is back. */
export function afterResume(dropped: Dropped | undefined, party: Party): Dropped | undefined {
  if (dropped === 'both') return otherParty(party);
  return dropped === party ? undefined : dropped;
}

export function resume(call: CallRecord, resumer: Sender, now: Date, settings: Pick<CallSettings, 'livenessCheckSeconds'>): Step {
  const party = participantOf(call, resumer);
  const peer = otherParty(party);
  if (call.status === 'ended') {
    const message = {
      type: 'call_ended',
      ...envelope(call, stampOfParty(call, peer), now),
      reason: call.end_reason === 'disconnected' ? 'disconnected' : 'hangup',
    } as const;
    return settled(call, {
      sends: [{ to: [resumer.connectionId], message, counted: true }],
      line: { outcome: 'ignored', reason: 'already_final' },
    });
  }
  if (call.status !== 'answered') throw new ProtocolError('call_not_found', 'Only an answered call can be resumed', call.call_id);

  const stillDropped = afterResume(call.disconnected_party, party);
  const partyWasAway = call.disconnected_party === party || call.disconnected_party === 'both';
  const replaced = partyWasAway ? [] : socketsOfParty(call, party).filter((id) => id !== resumer.connectionId);
  const rebinding: CallChanges =
    party === 'caller' ? { caller_connection_id: resumer.connectionId } : { callee_connection_ids: [resumer.connectionId] };
  const waiting: CallChanges =
    stillDropped === call.disconnected_party
      ? {}
      : {
          disconnected_party: stillDropped ?? null,
          // Whole again: the grace timer becomes the next liveness check.
          ...(stillDropped ? {} : { deadline_at: livenessDeadline(now, settings.livenessCheckSeconds) }),
        };
  return {
    kind: 'write',
    callId: call.call_id,
    guard: {
      status: 'answered',
      dropped: call.disconnected_party ?? 'nobody',
      // Two devices resuming at once: only one may take over from the socket as read; the other's
      // retry then finds the winner bound and tells it `resumed_elsewhere` in its turn.
      ...(partyWasAway ? {} : { boundSockets: socketsOfParty(call, party).map((connectionId) => ({ party, connectionId })) }),
    },
    changes: { ...rebinding, ...waiting },
    image: 'after',
    announce(resumed) {
      const sends: Send[] = [
        {
          to: [resumer.connectionId, ...socketsOfParty(resumed, peer)],
          message: { type: 'call_resumed', ...envelope(resumed, stampOfSender(resumer), now) },
          counted: true,
        },
      ];
      if (replaced.length > 0) {
        sends.push({ to: replaced, message: endedMessage(resumed, 'resumed_elsewhere', party, now) });
      }
      if (stillDropped === peer && resumed.deadline_at) {
        const remainingMs = Date.parse(resumed.deadline_at) - now.getTime();
        sends.push({
          to: [resumer.connectionId],
          message: {
            type: 'peer_reconnecting',
            ...envelope(resumed, stampOfParty(resumed, peer), now),
            grace_seconds: Math.max(0, Math.round(remainingMs / 1000)),
          },
        });
      }
      return { sends, line: { outcome: 'resumed', reason: null } };
    },
  };
}
