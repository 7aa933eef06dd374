/** The bare relay's clients: `{to, kind, tag, body}`, one frame per candidate, like PeerJS. */
import { BenchSocket } from '../workload/bench-socket';
import type { Inbound } from '../workload/inbox';
import { candidateTagOf, type Side } from '../workload/session-content';
import { stringField, type CallState, type Dialect, type OutboundFrame, type Party } from './dialect';

const KINDS = new Set(['invite', 'answer', 'candidate', 'end']);

export function bareDialect(port: number): Dialect {
  const frame = (to: Party, kind: string, tag: string, body: unknown): OutboundFrame => ({
    frame: JSON.stringify({ to: to.id, kind, tag, body }),
    tag,
  });
  const other = (call: CallState, from: Side): Party => (from === 'caller' ? call.callee : call.caller);

  const dialect: Dialect = {
    relay: 'bare',
    connect: (party) =>
      BenchSocket.open(`ws://127.0.0.1:${port}/?id=${encodeURIComponent(party.id)}`, (message) => dialect.classify(message)),
    classify(message): Inbound | undefined {
      const kind = stringField(message, 'kind');
      const tag = stringField(message, 'tag');
      if (!kind || !tag || !KINDS.has(kind)) return undefined;
      return { kind: kind as Inbound['kind'], tag };
    },
    invite: (call) => frame(call.callee, 'invite', `${call.tag}.offer`, { type: 'offer', sdp: call.offerSdp }),
    answer: (call) => frame(call.caller, 'answer', `${call.tag}.answer`, { type: 'answer', sdp: call.answerSdp }),
    candidates: (call, from, burst) => (call.candidates[from][burst] ?? []).map((candidate) => dialect.candidate(call, from, candidate)),
    candidate: (call, from, candidate) => frame(other(call, from), 'candidate', candidateTagOf(candidate.candidate) ?? '', candidate),
    end: (call) => frame(call.callee, 'end', `${call.tag}.end`, { reason: 'hangup' }),
    learn: () => undefined,
    extras: () => [],
    abandon: () => undefined,
  };
  return dialect;
}
