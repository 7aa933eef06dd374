/**
 * Answer: the first `call_answer` wins. The guard is the whole rule (still ringing, not expired,
 * answered by the callee), so the write needs no read of the call; the callee's other devices stop
 * ringing with `call_ended` `answered_elsewhere`.
 */
import type { ClientMessageOf } from '../../../shared/protocol';
import { notRinging, ProtocolError } from '../errors';
import { envelope, endedMessage, stampOfSender } from '../envelope';
import type { CallRecord, CallSettings, Sender } from '../model';
import { participantOf } from '../rules';
import { livenessDeadline, type Transition } from './transition';

export function answer(
  callId: string,
  answerer: Sender,
  sdp: ClientMessageOf<'call_answer'>['answer'],
  now: Date,
  settings: Pick<CallSettings, 'livenessCheckSeconds'>,
): Transition {
  const { name, avatar } = answerer.identity;
  return {
    kind: 'write',
    callId,
    // A platform-started call is answerable once the caller has offered, from the socket that accepted it.
    guard: {
      status: 'initiated',
      notExpiredAt: now.toISOString(),
      calleeKey: answerer.key,
      callerSocket: 'bound',
      answerableBy: answerer.connectionId,
    },
    changes: {
      status: 'answered',
      answered_at: now.toISOString(),
      callee_connection_ids: [answerer.connectionId],
      callee_name: name,
      callee_avatar: avatar,
      callee_participant_name: name,
      deadline_at: livenessDeadline(now, settings.livenessCheckSeconds),
    },
    // The devices that rang are in the call as it was.
    image: 'before',
    announce(ringing) {
      const answered = answeredCall(ringing, answerer, now);
      return {
        call: answered,
        sends: [
          {
            to: [answered.caller_connection_id],
            message: { type: 'call_answer', ...envelope(answered, stampOfSender(answerer), now), answer: sdp },
            counted: true,
            party: 'caller',
          },
          {
            to: ringing.callee_connection_ids.filter((id) => id !== answerer.connectionId),
            message: endedMessage(answered, 'answered_elsewhere', 'callee', now),
          },
        ],
        line: { outcome: 'answered', reason: null },
      };
    },
  };
}

/** The call as the answer left it, from the call as it rang. */
function answeredCall(ringing: CallRecord, answerer: Sender, now: Date): CallRecord {
  const { deadline_at: _timer, deadline_shard: _shard, ...untimed } = ringing;
  const { name, avatar } = answerer.identity;
  return {
    ...untimed,
    status: 'answered',
    answered_at: now.toISOString(),
    callee_connection_ids: [answerer.connectionId],
    callee_name: name,
    callee_avatar: avatar,
    participants: ringing.participants.map((participant, index) => (index === 1 ? { ...participant, name } : participant)),
  };
}

/** Refuses an answer to `call` from anyone but its callee, or to a call that is not ringing. */
export function assertAnswerable(call: CallRecord, answerer: Sender): void {
  if (participantOf(call, answerer) === 'caller') throw new ProtocolError('forbidden', 'Only the callee can answer a call', call.call_id);
  if (call.status !== 'initiated') throw notRinging(call);
}
