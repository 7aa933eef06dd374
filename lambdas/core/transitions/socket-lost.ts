/**
 * A socket closed (`$disconnect`): a ringing caller's socket cancels its call; a party's socket in
 * an answered call is a drop (the party may resume). Anything else does not concern the call: a
 * callee device that merely rang, or a socket the call has already moved away from.
 */
import type { CallRecord, CallSettings, Sender } from '../model';
import { partyOf, socketsOfParty } from '../rules';
import { cancel } from './cancel';
import { partiesDropped } from './party-dropped';
import { nothing, type Step } from './transition';

export function socketLost(call: CallRecord, socket: Sender, now: Date, settings: Pick<CallSettings, 'resumeGraceSeconds'>): Step {
  if (call.status === 'initiated' && call.caller_connection_id === socket.connectionId) {
    return cancel(call, now, socket.connectionId);
  }
  const party = partyOf(call, socket.key);
  if (call.status === 'answered' && party && socketsOfParty(call, party).includes(socket.connectionId)) {
    return partiesDropped(call, [{ party, connectionId: socket.connectionId }], now, settings);
  }
  return nothing(call);
}
