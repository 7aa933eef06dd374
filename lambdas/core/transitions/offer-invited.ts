/**
 * Offer: the caller's client sends its `call_invitation` with the `call_id` of a platform-started
 * call the callee accepted. The first caller socket to offer wins (a conditional write binds it);
 * the offer goes to the accepting callee socket only, and from then on the call is like any other
 * (the usual `call_answer`, candidates, end). No call grant is needed: the platform vouched when it
 * started the call.
 */
import type { ClientMessageOf } from '../../../shared/protocol';
import { envelope, stampOfSender } from '../envelope';
import type { CallRecord, Sender } from '../model';
import { restoreId } from '../rules';
import type { Transition } from './transition';

export function offerInvited(call: CallRecord, caller: Sender, offer: ClientMessageOf<'call_invitation'>['offer'], now: Date): Transition {
  const { name, avatar } = caller.identity;
  return {
    kind: 'write',
    callId: call.call_id,
    guard: { status: 'initiated', notExpiredAt: now.toISOString(), callerSocket: 'unbound', acceptedBy: call.accepted_by ?? null },
    changes: { caller_connection_id: caller.connectionId, caller_name: name, caller_avatar: avatar, caller_participant_name: name },
    image: 'after',
    announce: (offered) => ({
      sends: [
        {
          to: offered.callee_connection_ids,
          message: {
            type: 'call_invitation',
            ...envelope(offered, stampOfSender(caller), now),
            call_type: offered.call_type,
            to_profile_id: restoreId(offered.callee_profile_id, offered.callee_id_kind),
            to_profile_type: offered.callee_profile_type,
            offer,
            expires_at: offered.expires_at,
          },
          counted: true,
        },
      ],
      // The call started (and was counted) when the platform invited; this forwards its offer.
      line: { outcome: 'forwarded', reason: 'offer' },
    }),
  };
}
