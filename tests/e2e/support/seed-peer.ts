/**
 * A call client written for the seed's message formats only (`../shared/seeds/chat-voice-video-calls.md`),
 * with werift for its media: it connects without `features`, never sends or reads `call_id`,
 * sends one `candidate` per `ice_candidate`, and reads only `candidate`. Run inside the gateway's
 * namespace (`IsolatedGateway.inNamespace`); it exits on its own once the call ends, or after
 * `LIFETIME_MS` whatever happens, and prints what it saw as one JSON line.
 *
 *   seed-peer.ts answer WEBSOCKET_URL TOKEN
 *   seed-peer.ts call WEBSOCKET_URL TOKEN CALLEE_TYPE CALLEE_ID
 */
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, type RTCIceCandidate, type RTCRtpSender } from 'werift';
import WebSocket from 'ws';

/** Bounds the process: a test that dies leaves nothing running for long. */
const LIFETIME_MS = 50_000;
/** An Opus frame of silence (TOC 0xf8: 20 ms, mono), sent every 20 ms so the browser has audio to receive. */
const OPUS_SILENCE = Buffer.from([0xf8, 0xff, 0xfe]);
const OPUS_PAYLOAD_TYPE_FALLBACK = 111;

export interface SeedPeerReport {
  /** The peer connection reached `connected`. */
  connected: boolean;
  /** RTP packets that arrived from the browser. */
  rtpReceived: number;
  /** `ice_candidate` messages received with `candidate` (the seed's shape), and of those the end markers. */
  singleCandidates: number;
  endMarkers: number;
  /** `ice_candidate` messages carrying `candidates`, which a seed client cannot read. */
  batches: number;
  /** The call ended by the other side's `call_ended` (or was declined). */
  ended: boolean;
  errors: string[];
}

interface SeedCandidate {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
}

interface Incoming {
  type?: string;
  from_profile_id?: string | number;
  from_profile_type?: string;
  conversation_id?: string | number | null;
  offer?: { type: 'offer'; sdp: string };
  answer?: { type: 'answer'; sdp: string };
  candidate?: SeedCandidate;
  candidates?: unknown;
  code?: string;
  message?: string;
}

async function main(): Promise<void> {
  const [mode, websocketUrl, token, calleeType, calleeId] = process.argv.slice(2);
  if ((mode !== 'answer' && mode !== 'call') || !websocketUrl || !token)
    throw new Error('usage: seed-peer.ts answer|call URL TOKEN [TYPE ID]');
  const report: SeedPeerReport = {
    connected: false,
    rtpReceived: 0,
    singleCandidates: 0,
    endMarkers: 0,
    batches: 0,
    ended: false,
    errors: [],
  };
  const finish = (code: number) => {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    clearInterval(sending);
    void pc.close();
    ws.close();
    setTimeout(() => process.exit(code), 100);
  };
  const lifetime = setTimeout(() => finish(1), LIFETIME_MS);

  const pc = new RTCPeerConnection({ iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false });
  const microphone = new MediaStreamTrack({ kind: 'audio' });
  // The caller offers its audio; the callee answers on the audio m-line of the offer it got.
  let audioSender: RTCRtpSender | undefined = mode === 'call' ? pc.addTransceiver(microphone, { direction: 'sendrecv' }).sender : undefined;
  pc.connectionStateChange.subscribe((state) => {
    if (state === 'connected') report.connected = true;
  });
  pc.onTrack.subscribe((track) => track.onReceiveRtp.subscribe(() => report.rtpReceived++));

  let sequenceNumber = 0;
  let timestamp = 0;
  const sending = setInterval(() => {
    if (!report.connected || !audioSender) return;
    const payloadType = audioSender.codec?.payloadType ?? OPUS_PAYLOAD_TYPE_FALLBACK;
    sequenceNumber = (sequenceNumber + 1) & 0xffff;
    timestamp = (timestamp + 960) >>> 0;
    microphone.writeRtp(new RtpPacket(new RtpHeader({ payloadType, sequenceNumber, timestamp, marker: false }), OPUS_SILENCE));
  }, 20);

  const localSdp = (): string => {
    const sdp = pc.localDescription?.sdp;
    if (!sdp) throw new Error('no local description');
    return sdp;
  };

  const ws = new WebSocket(`${websocketUrl}?token=${encodeURIComponent(token)}`);
  const send = (message: object) => ws.send(JSON.stringify(message));
  /** The other party, as the seed addresses it: by profile, never by call id. */
  let peer: { to_profile_id: string | number; to_profile_type: string; conversation_id: string | number | null } | undefined;
  let remoteDescriptionSet = false;
  const early: SeedCandidate[] = [];

  const addRemote = async (candidate: SeedCandidate) => {
    try {
      await pc.addIceCandidate(candidate);
    } catch (error) {
      report.errors.push(`addIceCandidate: ${String(error)}`);
    }
  };
  const sendCandidate = (candidate: RTCIceCandidate | undefined) => {
    if (!candidate || !peer) return;
    const { candidate: line, sdpMid, sdpMLineIndex } = candidate.toJSON();
    send({ type: 'ice_candidate', ...peer, candidate: { candidate: line, sdpMid, sdpMLineIndex } });
  };
  const pendingLocal: (RTCIceCandidate | undefined)[] = [];
  pc.onIceCandidate.subscribe((candidate) => (peer ? sendCandidate(candidate) : pendingLocal.push(candidate)));
  const learnPeer = (message: Incoming) => {
    if (peer || message.from_profile_id === undefined || !message.from_profile_type) return;
    peer = {
      to_profile_id: message.from_profile_id,
      to_profile_type: message.from_profile_type,
      conversation_id: message.conversation_id ?? null,
    };
    for (const candidate of pendingLocal.splice(0)) sendCandidate(candidate);
  };
  const remoteDescribed = async () => {
    remoteDescriptionSet = true;
    for (const candidate of early.splice(0)) await addRemote(candidate);
  };

  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as Incoming;
    void (async () => {
      switch (message.type) {
        case 'call_invitation': {
          if (mode !== 'answer' || !message.offer) return;
          learnPeer(message);
          await pc.setRemoteDescription(message.offer);
          const audio = pc.getTransceivers().find((transceiver) => transceiver.kind === 'audio');
          if (audio) {
            audio.setDirection('sendrecv');
            await audio.sender.replaceTrack(microphone);
            audioSender = audio.sender;
          }
          await remoteDescribed();
          await pc.setLocalDescription(await pc.createAnswer());
          send({ type: 'call_answer', ...peer, answer: { type: 'answer', sdp: localSdp() } });
          return;
        }
        case 'call_answer': {
          if (!message.answer) return;
          learnPeer(message);
          await pc.setRemoteDescription(message.answer);
          await remoteDescribed();
          return;
        }
        case 'ice_candidate': {
          if (message.candidates !== undefined) report.batches++;
          if (!message.candidate) return;
          report.singleCandidates++;
          if (message.candidate.candidate === '') {
            report.endMarkers++;
            return;
          }
          if (remoteDescriptionSet) await addRemote(message.candidate);
          else early.push(message.candidate);
          return;
        }
        case 'call_ended':
        case 'call_declined':
          report.ended = true;
          clearTimeout(lifetime);
          finish(report.connected ? 0 : 1);
          return;
        case 'error':
          report.errors.push(`${message.code ?? '?'}: ${message.message ?? ''}`);
          return;
      }
    })().catch((error: unknown) => report.errors.push(String(error)));
  });
  ws.once('error', (error) => {
    report.errors.push(`socket: ${String(error)}`);
    finish(1);
  });
  await new Promise<void>((resolveOpen) => ws.once('open', () => resolveOpen()));

  if (mode === 'call') {
    if (!calleeType || !calleeId) throw new Error('call needs the callee profile type and id');
    await pc.setLocalDescription(await pc.createOffer());
    // The seed's invitation: addressed by profile; its candidates go out once the answer names the peer.
    send({
      type: 'call_invitation',
      call_type: 'voice',
      conversation_id: null,
      to_profile_id: Number(calleeId),
      to_profile_type: calleeType,
      offer: { type: 'offer', sdp: localSdp() },
    });
    peer = { to_profile_id: Number(calleeId), to_profile_type: calleeType, conversation_id: null };
    for (const candidate of pendingLocal.splice(0)) sendCandidate(candidate);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(2);
});
