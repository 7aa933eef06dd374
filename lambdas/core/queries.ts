/** Read-only answers to a socket: call history (presence is `presence.ts`'s, ICE servers `ice-servers.ts`'s). */
import { DEFAULT_HISTORY_LIMIT } from '../../shared/limits';
import type { CallLog, ClientMessageOf, ServerMessageOf } from '../../shared/protocol';
import type { ProfileKey } from '../../shared/profile';
import type { CallRecord, CallStore, Sender } from './model';

export async function history(
  store: CallStore,
  sender: Sender,
  message: ClientMessageOf<'call_history'>,
): Promise<ServerMessageOf<'call_history'>> {
  return { type: 'call_history', ...(await callLogPage(store, sender.key, message.limit, message.before)) };
}

/** One page of a profile's calls, newest first; `next` is the `before` of the page after it. */
export async function callLogPage(
  store: CallStore,
  key: ProfileKey,
  limit: number = DEFAULT_HISTORY_LIMIT,
  before?: string,
): Promise<{ items: CallLog[]; next?: string }> {
  const page = await store.callsOf(key, limit, before);
  const items = page.items.map(toCallLog);
  const last = items.at(-1);
  return { items, ...(page.more && last ? { next: last.call_id } : {}) };
}

/** Only the protocol's call log columns leave the server, never the routing state. */
export function toCallLog(call: CallRecord): CallLog {
  return {
    call_id: call.call_id,
    conversation_id: call.conversation_id,
    caller_profile_id: call.caller_profile_id,
    caller_profile_type: call.caller_profile_type,
    caller_user_id: call.caller_user_id,
    callee_profile_id: call.callee_profile_id,
    callee_profile_type: call.callee_profile_type,
    call_type: call.call_type,
    status: call.status,
    end_reason: call.end_reason,
    started_at: call.started_at,
    answered_at: call.answered_at,
    ended_at: call.ended_at,
    duration_seconds: call.duration_seconds,
    participants: call.participants,
    created_at: call.created_at,
    ...(call.quality ? { quality: call.quality } : {}),
  };
}
