/**
 * Candidate forwarding: to the other party, by the call as stored when the batch arrives (another
 * container may have ended it or moved it to a new socket a moment ago). Candidates trickling in
 * after the end are expected and harmless: they are dropped quietly. A peer of an answered call
 * found gone by them counts as dropped.
 */
import type { ClientMessageOf } from '../../shared/protocol';
import { envelope, stampOfSender } from './envelope';
import type { CallRecord, Sender } from './model';
import { isFinal, otherParty, participantOf, socketsOfParty } from './rules';
import { settled, type Settled } from './transitions/transition';

export function forwardCandidates(call: CallRecord, sender: Sender, message: ClientMessageOf<'ice_candidate'>, now: Date): Settled {
  const party = participantOf(call, sender);
  const peer = otherParty(party);
  if (isFinal(call.status)) return settled(call, { sends: [], line: { outcome: 'dropped', reason: call.status } });
  // Only from a socket the call is bound to: another device of the party (answered elsewhere, or
  // taken over by a resume) has a peer connection of its own, and its candidates would confuse the peer's.
  if (!socketsOfParty(call, party).includes(sender.connectionId)) {
    return settled(call, { sends: [], line: { outcome: 'dropped', reason: 'not_bound' } });
  }
  const forwarded = {
    type: 'ice_candidate',
    ...envelope(call, stampOfSender(sender), now),
    ...(message.candidate !== undefined ? { candidate: message.candidate } : { candidates: message.candidates }),
  } as const;
  return settled(call, {
    sends: [{ to: socketsOfParty(call, peer), message: forwarded, counted: true, ...(call.status === 'answered' ? { party: peer } : {}) }],
    line: { outcome: 'forwarded', reason: null },
  });
}
