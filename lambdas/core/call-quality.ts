/**
 * `call_quality`: a party's end-of-call summary joins the call's log under its side, once. Either
 * side may send it, from any of its profile's sockets (the call's socket may be gone by then), while
 * the call lasts and for `CALL_QUALITY_WINDOW_SECONDS` after its end. The sender hears nothing on
 * success: the summary is for history and metrics, not for the client.
 */
import { CALL_QUALITY_WINDOW_SECONDS } from '../../shared/limits';
import type { ClientMessageOf } from '../../shared/protocol';
import type { RoutingDecision } from '../../shared/routing-line';
import { ProtocolError } from './errors';
import type { CallRecord, CallStore, Sender } from './model';
import { callDecision } from './routing';
import { notAParticipant, partyOf } from './rules';

/** Whether a summary for the call is still taken at `now`: a call not over, or over for less than the window. */
export function takesQuality(call: Pick<CallRecord, 'ended_at'>, now: Date): boolean {
  if (call.ended_at === null) return true;
  return now.getTime() - Date.parse(call.ended_at) <= CALL_QUALITY_WINDOW_SECONDS * 1000;
}

export async function recordCallQuality(
  store: Pick<CallStore, 'getCall' | 'recordQuality'>,
  sender: Sender,
  message: ClientMessageOf<'call_quality'>,
  now: Date,
): Promise<RoutingDecision[]> {
  const call = await store.getCall(message.call_id);
  const party = call ? partyOf(call, sender.key) : undefined;
  if (!call || !party) throw notAParticipant(message.call_id);
  // `ended_at` is written once, when the call ends: what was read cannot turn too late under us.
  if (!takesQuality(call, now)) {
    throw new ProtocolError('call_not_found', 'The call ended too long ago to take its quality summary', call.call_id);
  }
  const { summary } = message;
  const recorded = await store.recordQuality(call.call_id, party, summary);
  // A second summary from the same side (a retry, another tab) changes nothing and needs no reply.
  if (!recorded) return [callDecision(call, 'ignored', 'quality_already_recorded')];
  return [{ ...callDecision(call, 'recorded', party), rating: summary.rating, relayed: summary.relayed }];
}
