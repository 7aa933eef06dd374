/**
 * This project's protocol (shared/PROTOCOL.md) as its web client speaks it: a JWT on connect,
 * `call_invitation` / `call_answer` / `ice_candidate` / `call_ended` with the server's `call_id`,
 * half-trickle (each side's first burst of candidates inside its offer or answer, as
 * `web/src/client/gathering-window.ts` sends them), later bursts batched per burst with the
 * end-of-candidates marker last (the client's CandidateBatcher), and `ping` for keep-alive.
 */
import { signToken } from '../../../lambdas/auth/token';
import { CLIENT_FEATURES, FEATURES_QUERY_PARAMETER, featuresQueryValue } from '../../../shared/connect-features';
import type { ClientMessageInput } from '../../../shared/protocol';
import { BenchSocket } from '../workload/bench-socket';
import type { Inbound } from '../workload/inbox';
import { candidateTagOf, sessionTagOf, withCandidates, type Candidate } from '../workload/session-content';
import { isRecord, stringField, type CallState, type Dialect, type OutboundFrame } from './dialect';

const END_OF_CANDIDATES = { candidate: '' } as const;

/** Bursts of each side's candidates that ride in its offer or answer (found within the client's window) rather than trickle. */
export const BURSTS_IN_DESCRIPTION = 1;

const encode = (message: ClientMessageInput): string => JSON.stringify(message);

export function gatewayDialect(port: number, secret: string): Dialect {
  const requireCallId = (call: CallState): string => {
    if (!call.callId) throw new Error(`call ${call.tag} has no call id yet`);
    return call.callId;
  };
  const batch = (callId: string, candidates: readonly (Candidate | typeof END_OF_CANDIDATES)[]): string => {
    const [only] = candidates;
    // One candidate travels in the seed's single form, as the web client sends it.
    return candidates.length === 1 && only
      ? encode({ type: 'ice_candidate', call_id: callId, candidate: only })
      : encode({ type: 'ice_candidate', call_id: callId, candidates: [...candidates] });
  };

  const dialect: Dialect = {
    relay: 'gateway',
    async connect(party) {
      const { token } = await signToken(secret, {
        profile_type: party.profileType,
        profile_id: party.profileId,
        name: `Bench ${party.id}`,
      });
      // As the web client connects: it reads candidate batches (see `shared/connect-features.ts`).
      const features = `${FEATURES_QUERY_PARAMETER}=${featuresQueryValue(CLIENT_FEATURES)}`;
      return BenchSocket.open(`ws://127.0.0.1:${port}/?token=${encodeURIComponent(token)}&${features}`, (message) =>
        dialect.classify(message),
      );
    },
    classify(message): Inbound | undefined {
      if (!isRecord(message)) return undefined;
      const callId = stringField(message, 'call_id');
      switch (message.type) {
        case 'call_invitation':
        case 'call_answer': {
          const description = message.type === 'call_invitation' ? message.offer : message.answer;
          const tag = sessionTagOf(stringField(description, 'sdp') ?? '');
          return tag ? { kind: message.type === 'call_invitation' ? 'invite' : 'answer', tag, ...(callId ? { callId } : {}) } : undefined;
        }
        case 'ice_candidate': {
          const first: unknown = Array.isArray(message.candidates) ? message.candidates[0] : message.candidate;
          const tag = candidateTagOf(stringField(first, 'candidate') ?? '');
          return tag ? { kind: 'candidate', tag } : undefined;
        }
        case 'call_ended':
          return { kind: 'end', tag: `end:${callId ?? ''}`, detail: stringField(message, 'reason') };
        case 'call_ringing':
          return { kind: 'ringing', tag: `ringing:${callId ?? ''}` };
        case 'pong':
          return { kind: 'pong', tag: `pong:${String(message.ts)}` };
        case 'call_declined':
          return { kind: 'error', tag: `declined:${callId ?? ''}`, detail: `call_declined ${stringField(message, 'reason') ?? ''}` };
        case 'error':
          return {
            kind: 'error',
            tag: `error:${stringField(message, 'code') ?? ''}`,
            detail: `${stringField(message, 'code') ?? 'error'} (${stringField(message, 'request_type') ?? '?'}): ${stringField(message, 'message') ?? ''}`,
          };
        default: {
          // API Gateway's notice of a failed integration has no `type`, only a `message`.
          const notice = stringField(message, 'message');
          return { kind: 'other', tag: `other:${String(message.type)}`, ...(notice ? { detail: notice } : {}) };
        }
      }
    },
    invite: (call) => ({
      frame: encode({
        type: 'call_invitation',
        call_type: 'video',
        to_profile_id: call.callee.profileId,
        to_profile_type: call.callee.profileType,
        offer: { type: 'offer', sdp: withCandidates(call.offerSdp, call.candidates.caller.slice(0, BURSTS_IN_DESCRIPTION).flat()) },
      }),
      tag: sessionTagOf(call.offerSdp) ?? '',
    }),
    answer: (call) => ({
      frame: encode({
        type: 'call_answer',
        call_id: requireCallId(call),
        answer: { type: 'answer', sdp: withCandidates(call.answerSdp, call.candidates.callee.slice(0, BURSTS_IN_DESCRIPTION).flat()) },
      }),
      tag: sessionTagOf(call.answerSdp) ?? '',
    }),
    candidates(call, from, burst): OutboundFrame[] {
      const bursts = call.candidates[from];
      const candidates = bursts[burst];
      // The first bursts went in the offer or answer: never sent again.
      if (burst < BURSTS_IN_DESCRIPTION || !candidates || candidates.length === 0) return [];
      // The batcher sends what a burst gathered as one message; the last one ends with the marker.
      return [
        {
          frame: batch(requireCallId(call), burst === bursts.length - 1 ? [...candidates, END_OF_CANDIDATES] : candidates),
          tag: candidateTagOf(candidates[0]!.candidate) ?? '',
        },
      ];
    },
    candidate: (call, _from, candidate) => ({
      frame: encode({ type: 'ice_candidate', call_id: requireCallId(call), candidate }),
      tag: candidateTagOf(candidate.candidate) ?? '',
    }),
    end: (call) => ({ frame: encode({ type: 'call_ended', call_id: requireCallId(call) }), tag: `end:${requireCallId(call)}` }),
    learn(call, inbound) {
      call.callId ??= inbound.callId;
    },
    extras: (call) => [{ side: 'caller', tag: `ringing:${call.callId ?? ''}` }],
    ping: (sequence) => ({ frame: encode({ type: 'ping', ts: sequence }), tag: `pong:${sequence}` }),
    abandon(call, caller, callee) {
      const end = encode(call.callId ? { type: 'call_ended', call_id: call.callId } : { type: 'call_ended' });
      if (caller.isOpen) caller.send(end);
      if (call.callId && callee.isOpen) callee.send(end);
    },
  };
  return dialect;
}
