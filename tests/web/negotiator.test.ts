/** The negotiator's ordering guarantees, over a fake RTCPeerConnection (Node has none). */
import { beforeEach, describe, expect, it } from 'vitest';
import { CallErrorCode, END_OF_CANDIDATES, Negotiator, type CallError, type CallType } from '../../web/src/client';
import type { IceCandidate } from '../../shared/protocol';
import { FakePeerConnection, fakeGetUserMedia, sleep } from './fakes';

const remoteCandidate = (port: number): IceCandidate => ({
  candidate: `candidate:1 1 udp 2122260223 127.0.0.1 ${port} typ host`,
  sdpMid: '0',
  sdpMLineIndex: 0,
});

function negotiator(callType: CallType = 'video', media = fakeGetUserMedia()) {
  const n = new Negotiator({
    callType,
    iceServers: [{ urls: 'stun:127.0.0.1:3478' }],
    createPeerConnection: FakePeerConnection.factory,
    getUserMedia: media.getUserMedia,
  });
  const local: IceCandidate[] = [];
  const warnings: CallError[] = [];
  n.on('candidate', (candidate) => local.push(candidate));
  n.on('warning', (warning) => warnings.push(warning));
  return { n, local, warnings, media };
}

beforeEach(() => {
  FakePeerConnection.created.length = 0;
});

describe('Negotiator', () => {
  it('buffers remote candidates that arrive before the answer, and applies them after it, in order', async () => {
    const { n } = negotiator();
    await n.createOffer();
    const pc = FakePeerConnection.last();
    n.addRemoteCandidates([remoteCandidate(1), remoteCandidate(2)]);
    n.addRemoteCandidates([END_OF_CANDIDATES]);
    expect(n.bufferedCandidates).toBe(3);
    expect(pc.addedCandidates).toEqual([]);

    await n.applyAnswer({ type: 'answer', sdp: 'v=0 answer' });
    expect(n.bufferedCandidates).toBe(0);
    expect(pc.addedCandidates.map((c) => c.candidate)).toEqual([remoteCandidate(1).candidate, remoteCandidate(2).candidate, '']);

    n.addRemoteCandidates([remoteCandidate(3)]); // after: straight through
    await sleep(0);
    expect(pc.addedCandidates).toHaveLength(4);
  });

  it('buffers candidates that race a slow setRemoteDescription on the answering side', async () => {
    const { n } = negotiator('voice');
    const accepting = n.acceptOffer({ type: 'offer', sdp: 'v=0 offer' });
    const pc = FakePeerConnection.last();
    pc.remoteDescriptionDelayMs = 30;
    n.addRemoteCandidates([remoteCandidate(7)]);
    const answer = await accepting;
    expect(answer).toEqual({ type: 'answer', sdp: 'v=0 answer' });
    expect(pc.addedCandidates.map((c) => c.candidate)).toEqual([remoteCandidate(7).candidate]);
  });

  it('offers audio and video with the configured ICE servers, and reports local candidates then the end marker', async () => {
    const { n, local } = negotiator();
    const offer = await n.createOffer();
    const pc = FakePeerConnection.last();
    expect(offer).toEqual({ type: 'offer', sdp: 'v=0 offer audio,video' });
    expect(pc.configuration.iceServers).toEqual([{ urls: 'stun:127.0.0.1:3478' }]);
    pc.gather('candidate:a');
    pc.gather('candidate:b');
    pc.endGathering();
    expect(local.map((c) => c.candidate)).toEqual(['candidate:a', 'candidate:b', '']);
  });

  it('continues a video call without a camera, still ready to receive video', async () => {
    const { n, warnings } = negotiator('video', fakeGetUserMedia({ noCamera: true }));
    const offer = await n.createOffer();
    const pc = FakePeerConnection.last();
    expect(offer.sdp).toBe('v=0 offer audio');
    expect(pc.transceivers.map((t) => `${t.receiver.track.kind}:${t.direction}`)).toEqual(['audio:sendrecv', 'video:recvonly']);
    expect(warnings.map((w) => w.code)).toEqual([CallErrorCode.NoDevice]);
  });

  it.each([
    ['NotAllowedError', CallErrorCode.PermissionDenied],
    ['NotFoundError', CallErrorCode.NoDevice],
    ['NotReadableError', CallErrorCode.DeviceBusy],
  ])('maps getUserMedia %s to %s', async (name, code) => {
    const { n } = negotiator('voice', fakeGetUserMedia({ failWith: name }));
    await expect(n.createOffer()).rejects.toMatchObject({ code });
  });

  it('reports a refused remote description as negotiation_failed', async () => {
    const { n } = negotiator('voice');
    await n.createOffer();
    await expect(n.applyAnswer({ type: 'answer', sdp: 'broken' })).rejects.toMatchObject({ code: CallErrorCode.NegotiationFailed });
  });

  it('toggles the local tracks, and stops them and the connection on close', async () => {
    const { n, media } = negotiator();
    await n.createOffer();
    const pc = FakePeerConnection.last();
    n.setTrackEnabled('audio', false);
    const tracks = pc.senders.map((sender) => sender.track!);
    expect(tracks.map((t) => `${t.kind}:${t.enabled}`)).toEqual(['audio:false', 'video:true']);
    n.close();
    expect(tracks.every((t) => t.stopped)).toBe(true);
    expect(pc.closed).toBe(true);
    expect(media.requests).toHaveLength(1);
  });
});

describe('Negotiator: half-trickle (candidates found at once ride in the first offer and answer)', () => {
  const host = 'candidate:1467250027 1 udp 2122260223 127.0.0.1 50713 typ host generation 0 ufrag u network-id 1';
  const srflx =
    'candidate:842163049 1 udp 1686052607 203.0.113.20 50713 typ srflx raddr 127.0.0.1 rport 50713 generation 0 ufrag u network-id 1';

  beforeEach(() => {
    FakePeerConnection.completesFirstGathering = false;
    return () => {
      FakePeerConnection.completesFirstGathering = true;
    };
  });

  function halfTrickling(windowMs: number) {
    const n = new Negotiator({
      callType: 'voice',
      iceServers: [],
      createPeerConnection: FakePeerConnection.factory,
      getUserMedia: fakeGetUserMedia().getUserMedia,
      halfTrickleWindowMs: windowMs,
    });
    const local: IceCandidate[] = [];
    n.on('candidate', (candidate) => local.push(candidate));
    return { n, local };
  }

  /** Waits until the offer or answer has been set locally (gathering starts there). */
  async function described(): Promise<FakePeerConnection> {
    await expect.poll(() => FakePeerConnection.created.at(-1)?.localDescription ?? null, { interval: 2 }).not.toBeNull();
    return FakePeerConnection.last();
  }

  it('sends the offer once gathering completes, with every candidate in its SDP and no candidate message at all', async () => {
    const { n, local } = halfTrickling(10_000);
    const offering = n.createOffer();
    const pc = await described();
    pc.gather(host);
    pc.endGathering();
    const offer = await offering;
    expect(offer.sdp).toContain('a=candidate:1467250027 1 udp 2122260223 127.0.0.1 50713 typ host');
    await sleep(20);
    expect(local).toEqual([]);
  });

  it('sends the answer when the window closes, and trickles only what came after, then the end marker', async () => {
    const { n, local } = halfTrickling(300);
    const answering = n.acceptOffer({ type: 'offer', sdp: 'v=0 offer' });
    const pc = await described();
    pc.gather(host);
    const answer = await answering; // the window passed: gathering is still going on
    expect(answer.sdp).toContain('typ host');
    expect(answer.sdp).not.toContain('typ srflx');
    pc.gather(srflx);
    pc.endGathering();
    expect(local.map((candidate) => candidate.candidate)).toEqual([srflx, '']);
  });

  it('trickles, after the description, a candidate reported in the window that its SDP does not carry', async () => {
    const { n, local } = halfTrickling(10_000);
    const offering = n.createOffer();
    const pc = await described();
    pc.onicecandidate?.({ candidate: { candidate: srflx, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' } });
    pc.endGathering();
    const offer = await offering;
    expect(offer.sdp).not.toContain('typ srflx');
    expect(local).toEqual([]); // not before the offer has gone out
    await sleep(0);
    expect(local.map((candidate) => candidate.candidate)).toEqual([srflx, '']);
  });

  it('with a window of 0, sends the offer at once and trickles every candidate (as a peer that does not half-trickle)', async () => {
    const { n, local } = halfTrickling(0);
    const offer = await n.createOffer();
    const pc = FakePeerConnection.last();
    pc.gather(host);
    pc.endGathering();
    expect(offer.sdp).not.toContain('a=candidate');
    expect(local.map((candidate) => candidate.candidate)).toEqual([host, '']);
  });

  it('after a description that carried candidates, sends no end marker alone (only after candidates that trickled)', async () => {
    const { n, local } = halfTrickling(30);
    const offering = n.createOffer();
    const pc = await described();
    pc.gather(host);
    const offer = await offering;
    expect(offer.sdp).toContain('typ host');
    pc.endGathering();
    await sleep(10);
    expect(local).toEqual([]);
  });

  it('past the bound, waits for the first candidate, so that a slow machine still sends it inside', async () => {
    const { n, local } = halfTrickling(20);
    const offering = n.createOffer();
    const pc = await described();
    await sleep(60); // the bound has passed with nothing found
    pc.gather(host);
    const offer = await offering;
    expect(offer.sdp).toContain('typ host');
    expect(local).toEqual([]);
  });

  it('stops waiting when the call ends meanwhile', async () => {
    const { n } = halfTrickling(10_000);
    const offering = n.createOffer();
    await described();
    n.close();
    await expect(offering).rejects.toMatchObject({ code: CallErrorCode.NegotiationFailed });
  });
});
