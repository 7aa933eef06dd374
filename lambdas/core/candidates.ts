/**
 * Candidate forwarding: to the other party, by the call as stored when the batch arrives (another
 * container may have ended it or moved it to a new socket a moment ago). Candidates trickling in
 * after the end are expected and harmless: they are dropped quietly. A peer of an answered call
 * found gone by them counts as dropped.
 *
 * A batch (`candidates`) goes as sent only to sockets that declared `candidate_batches` at
 * connect; every other socket gets one seed-format `ice_candidate` per candidate, in the batch's
 * order, the end-of-candidates marker (`candidate: ""`) last as the sender put it.
 */
import type { ClientMessageOf, IceCandidate } from '../../shared/protocol';
import { envelope, stampOfSender } from './envelope';
import type { CallRecord, Sender } from './model';
import { isFinal, otherParty, participantOf, socketsOfParty } from './rules';
import { settled, type Send, type Settled } from './transitions/transition';

/** The peer sockets a message's candidates would go to (none once the call is over). */
export function candidateRecipients(call: CallRecord, sender: Sender): string[] {
  return isFinal(call.status) ? [] : socketsOfParty(call, otherParty(participantOf(call, sender)));
}

export function forwardCandidates(
  call: CallRecord,
  sender: Sender,
  message: ClientMessageOf<'ice_candidate'>,
  now: Date,
  /** Peer sockets that declared `candidate_batches`. */
  batchReaders: ReadonlySet<string>,
): Settled {
  const party = participantOf(call, sender);
  const peer = otherParty(party);
  if (isFinal(call.status)) return settled(call, { sends: [], line: { outcome: 'dropped', reason: call.status } });
  // Only from a socket the call is bound to: another device of the party (answered elsewhere, or
  // taken over by a resume) has a peer connection of its own, and its candidates would confuse the peer's.
  if (!socketsOfParty(call, party).includes(sender.connectionId)) {
    return settled(call, { sends: [], line: { outcome: 'dropped', reason: 'not_bound' } });
  }
  const stamped = envelope(call, stampOfSender(sender), now);
  const single = (candidate: IceCandidate) => ({ type: 'ice_candidate', ...stamped, candidate }) as const;
  const peerSockets = socketsOfParty(call, peer);
  const lostMeans = call.status === 'answered' ? { party: peer } : {};
  const sends: Send[] = [];
  if (message.candidate !== undefined) {
    sends.push({ to: peerSockets, message: single(message.candidate), counted: true, ...lostMeans });
  } else {
    const batch = message.candidates ?? [];
    const readers = peerSockets.filter((id) => batchReaders.has(id));
    const seedSockets = peerSockets.filter((id) => !batchReaders.has(id));
    if (readers.length > 0) {
      sends.push({ to: readers, message: { type: 'ice_candidate', ...stamped, candidates: batch }, counted: true, ...lostMeans });
    }
    // The first message of the split counts for the routing line (and finds a gone socket); the
    // rest follow it to the same sockets, in order (see `apply.ts`).
    batch.forEach((candidate, index) => {
      if (seedSockets.length === 0) return;
      sends.push({ to: seedSockets, message: single(candidate), ...(index === 0 ? { counted: true, ...lostMeans } : {}) });
    });
  }
  return settled(call, { sends, line: { outcome: 'forwarded', reason: null } });
}
