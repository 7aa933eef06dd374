/**
 * `session_quality`: a member's end-of-call summary joins the session call's log under its role,
 * once, as `call_quality` does on `call_logs`: from any of the member's whiteboard sockets, while the
 * call lasts and for `CALL_QUALITY_WINDOW_SECONDS` after its end. No reply on success.
 */
import type { RoutingDecision } from '../../../shared/routing-line';
import type { SessionClientMessageOf } from '../../../shared/session-protocol';
import { takesQuality } from '../call-quality';
import { ProtocolError } from '../errors';
import type { Sender } from '../model';
import type { SessionCallRecord, SessionStore } from './model';
import { roleOf } from './rules';

const decision = (call: SessionCallRecord, sender: Sender, outcome: 'recorded' | 'ignored', reason: string): RoutingDecision => ({
  call_id: call.call_id,
  session_id: call.session_id,
  from: sender.key,
  to: null,
  outcome,
  reason,
  sockets_reached: 0,
  gone_sockets: 0,
});

export async function recordSessionQuality(
  sessions: Pick<SessionStore, 'getCall' | 'recordQuality'>,
  sender: Sender,
  message: SessionClientMessageOf<'session_quality'>,
  now: Date,
): Promise<RoutingDecision[]> {
  const call = await sessions.getCall(message.call_id);
  const role = call ? roleOf(call, sender.key) : undefined;
  // The same refusal for an unknown call and another's: a call id reveals nothing.
  if (!call || !role) throw new ProtocolError('not_a_participant', 'You are not in this session call', message.call_id);
  if (!takesQuality(call, now)) {
    throw new ProtocolError('call_not_found', 'The call ended too long ago to take its quality summary', call.call_id);
  }
  const { summary } = message;
  if (!(await sessions.recordQuality(call.call_id, role, summary))) return [decision(call, sender, 'ignored', 'quality_already_recorded')];
  return [{ ...decision(call, sender, 'recorded', role), rating: summary.rating, relayed: summary.relayed }];
}
