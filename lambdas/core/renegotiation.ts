/**
 * `call_renegotiate`: a later offer or answer of an answered call (an ICE restart, a screen or a
 * camera added), forwarded to the other party's bound socket by the call as stored now. Only a
 * party's bound socket may renegotiate: another device of the party has no peer connection in
 * this call, and its descriptions would tear the peer's down.
 */
import type { ClientMessageOf } from '../../shared/protocol';
import { envelope, stampOfSender } from './envelope';
import { ProtocolError } from './errors';
import type { CallRecord, Sender } from './model';
import { otherParty, participantOf, socketsOfParty } from './rules';
import { settled, type Settled } from './transitions/transition';

export function forwardRenegotiation(call: CallRecord, sender: Sender, message: ClientMessageOf<'call_renegotiate'>, now: Date): Settled {
  const party = participantOf(call, sender);
  // The first offer and answer travel in `call_invitation` and `call_answer`; an ended call has no media left.
  if (call.status !== 'answered') {
    throw new ProtocolError('call_not_found', `The call is ${call.status}, not answered: only an answered call renegotiates`, call.call_id);
  }
  if (!socketsOfParty(call, party).includes(sender.connectionId)) {
    throw new ProtocolError(
      'forbidden',
      'The call is bound to another socket of yours; send call_resume from this one first',
      call.call_id,
    );
  }
  const forwarded = { type: 'call_renegotiate', ...envelope(call, stampOfSender(sender), now), description: message.description } as const;
  // No `party` on the send: this function writes nothing, so a peer found gone is left to its own `$disconnect`.
  return settled(call, {
    sends: [{ to: socketsOfParty(call, otherParty(party)), message: forwarded, counted: true }],
    line: { outcome: 'forwarded', reason: null },
  });
}
