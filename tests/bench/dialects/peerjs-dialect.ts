/**
 * PeerJS's wire protocol, as its browser client speaks it to the PeerJS server: connect to
 * `/peerjs?key=peerjs&id=…&token=…`, wait for `OPEN`, then `OFFER` / `ANSWER` / one `CANDIDATE`
 * per candidate (no end-of-candidates marker) with `dst`, and `LEAVE`; a `HEARTBEAT` every 5 s.
 * The server adds `src` and relays the rest untouched.
 */
import { BenchSocket } from '../workload/bench-socket';
import type { Inbound } from '../workload/inbox';
import { candidateTagOf, sessionTagOf, type Side } from '../workload/session-content';
import { isRecord, stringField, type CallState, type Dialect, type OutboundFrame, type Party } from './dialect';

/** The PeerJS client's heartbeat period. */
const HEARTBEAT_MS = 5_000;
const OPEN_WAIT_MS = 15_000;

export function peerJsDialect(port: number): Dialect {
  const connectionId = (call: CallState): string => `mc_${call.tag}`;
  const frame = (type: string, dst: Party, payload: object, tag: string): OutboundFrame => ({
    frame: JSON.stringify({ type, dst: dst.id, payload }),
    tag,
  });
  const other = (call: CallState, from: Side): Party => (from === 'caller' ? call.callee : call.caller);

  const dialect: Dialect = {
    relay: 'peerjs',
    async connect(party) {
      const token = Math.random().toString(36).slice(2);
      const url = `ws://127.0.0.1:${port}/peerjs?key=peerjs&id=${encodeURIComponent(party.id)}&token=${token}&version=1.5.4`;
      const socket = await BenchSocket.open(url, (message) => dialect.classify(message));
      const opened = await socket.inbox.wait('open', performance.now() + OPEN_WAIT_MS);
      if (!opened) throw new Error(`PeerJS server did not open ${party.id}`);
      const heartbeat = setInterval(() => {
        if (socket.isOpen) socket.send(JSON.stringify({ type: 'HEARTBEAT' }));
        else clearInterval(heartbeat);
      }, HEARTBEAT_MS);
      heartbeat.unref();
      return socket;
    },
    classify(message): Inbound | undefined {
      const type = stringField(message, 'type');
      const payload = isRecord(message) ? message.payload : undefined;
      switch (type) {
        case 'OPEN':
          return { kind: 'open', tag: 'open' };
        case 'OFFER':
        case 'ANSWER': {
          const sdp = isRecord(payload) ? stringField(payload.sdp, 'sdp') : undefined;
          const tag = sdp ? sessionTagOf(sdp) : undefined;
          return tag ? { kind: type === 'OFFER' ? 'invite' : 'answer', tag } : undefined;
        }
        case 'CANDIDATE': {
          const line = isRecord(payload) ? stringField(payload.candidate, 'candidate') : undefined;
          const tag = line ? candidateTagOf(line) : undefined;
          return tag ? { kind: 'candidate', tag } : undefined;
        }
        case 'LEAVE': {
          const id = stringField(payload, 'connectionId');
          return id ? { kind: 'end', tag: `end:${id}` } : undefined;
        }
        case 'ERROR':
        case 'ID-TAKEN':
        case 'EXPIRE':
          return { kind: 'error', tag: `error:${type}`, detail: stringField(payload, 'msg') ?? type };
        default:
          return undefined;
      }
    },
    invite: (call) =>
      frame(
        'OFFER',
        call.callee,
        { sdp: { type: 'offer', sdp: call.offerSdp }, type: 'media', connectionId: connectionId(call), metadata: {}, browser: 'chrome' },
        `${call.tag}.offer`,
      ),
    answer: (call) =>
      frame(
        'ANSWER',
        call.caller,
        { sdp: { type: 'answer', sdp: call.answerSdp }, type: 'media', connectionId: connectionId(call), browser: 'chrome' },
        `${call.tag}.answer`,
      ),
    candidates: (call, from, burst) => (call.candidates[from][burst] ?? []).map((candidate) => dialect.candidate(call, from, candidate)),
    candidate: (call, from, candidate) =>
      frame(
        'CANDIDATE',
        other(call, from),
        { candidate, type: 'media', connectionId: connectionId(call) },
        candidateTagOf(candidate.candidate) ?? '',
      ),
    end: (call) => frame('LEAVE', call.callee, { connectionId: connectionId(call) }, `end:${connectionId(call)}`),
    learn: () => undefined,
    extras: () => [],
    abandon: () => undefined,
  };
  return dialect;
}
