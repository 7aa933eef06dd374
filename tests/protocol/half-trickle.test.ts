/**
 * PROTOCOL.md "Transport", half-trickle: an offer or answer whose SDP carries candidates reaches
 * the other side unchanged, whatever that side declared; the candidates found later still trickle;
 * and the caller still hears `call_ringing` (its call id, its ring deadline) before anything else.
 * A seed-format peer, which trickles every candidate and offers none, is served as before. Real
 * gateway, real sockets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer, candidate, offer, startHarness, type Harness } from '../support/harness';

let h: Harness;
let nextId = 7600;
const ids = () => [nextId++, nextId++] as const;
const BATCHES = 'candidate_batches';

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** A description as a browser sends it after the window: its host candidates inside. */
const withHostCandidates = <T extends { type: 'offer' | 'answer'; sdp: string }>(description: T, port: number): T => ({
  ...description,
  sdp: `${description.sdp}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=candidate:1 1 udp 2122260223 127.0.0.1 ${port} typ host generation 0\r\n`,
});
const END_OF_CANDIDATES = { candidate: '', sdpMid: '0', sdpMLineIndex: 0 };

describe('half-trickle through the gateway', () => {
  it('a half-trickling caller and callee: descriptions pass unchanged, the call is named by call_ringing, later candidates trickle', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId, undefined, BATCHES);
    const callee = await h.connect('tutor', tutorId, undefined, BATCHES);
    const sentOffer = withHostCandidates(offer(), 7601);
    caller.send({ type: 'call_invitation', call_type: 'voice', to_profile_id: tutorId, to_profile_type: 'tutor', offer: sentOffer });

    const [invitation, ringing] = await Promise.all([callee.next('call_invitation'), caller.next('call_ringing')]);
    expect(invitation.offer).toEqual(sentOffer);
    expect(ringing).toMatchObject({ call_id: invitation.call_id, devices: 1, expires_at: invitation.expires_at });

    // The caller's late server-reflexive candidate, sent before the answer, reaches the ringing callee.
    const late = { ...candidate(7602), candidate: 'candidate:2 1 udp 1686052607 203.0.113.7 7602 typ srflx raddr 127.0.0.1 rport 7601' };
    caller.send({ type: 'ice_candidate', call_id: ringing.call_id, candidates: [late, END_OF_CANDIDATES] });
    expect(await callee.next('ice_candidate')).toMatchObject({ call_id: ringing.call_id, candidates: [late, END_OF_CANDIDATES] });

    const sentAnswer = withHostCandidates(answer(), 7603);
    callee.send({ type: 'call_answer', call_id: ringing.call_id, answer: sentAnswer });
    expect((await caller.next('call_answer')).answer).toEqual(sentAnswer);
    // Gathering completed within the callee's window: nothing trickles from it.
    expect(await caller.quietFor(150, ['ice_candidate'])).toEqual([]);
    caller.send({ type: 'call_ended', call_id: ringing.call_id });
    expect(await callee.next('call_ended')).toMatchObject({ reason: 'hangup' });
  });

  it('a seed-format callee gets the offer with its candidates as sent, and its own trickled candidates reach the caller', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId, undefined, BATCHES);
    const seedCallee = await h.connect('tutor', tutorId);
    const sentOffer = withHostCandidates(offer(), 7611);
    caller.send({ type: 'call_invitation', call_type: 'video', to_profile_id: tutorId, to_profile_type: 'tutor', offer: sentOffer });
    const invitation = await seedCallee.next('call_invitation');
    expect(invitation.offer).toEqual(sentOffer);
    await caller.next('call_ringing');

    // The seed client answers with no candidates in its SDP and trickles them one by one, without call_id.
    seedCallee.send({ type: 'call_answer', answer: answer() });
    expect((await caller.next('call_answer')).answer).toEqual(answer());
    for (const port of [7612, 7613]) seedCallee.send({ type: 'ice_candidate', candidate: candidate(port) });
    const received = [await caller.next('ice_candidate'), await caller.next('ice_candidate')];
    expect(received.map((message) => message.candidate?.candidate ?? message.candidates?.[0]?.candidate).sort()).toEqual(
      [candidate(7612).candidate, candidate(7613).candidate].sort(),
    );
    seedCallee.send({ type: 'call_ended' });
    expect(await caller.next('call_ended')).toMatchObject({ reason: 'hangup' });
  });
});
