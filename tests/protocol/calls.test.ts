/**
 * PROTOCOL.md "Calls", over real WebSockets against the real local gateway and store.
 * Each test uses its own profiles, so calls of one test never make another's profiles busy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayMode } from '../support/gateway-mode';
import { answer, candidate, offer, startHarness, type Harness } from '../support/harness';
import { callInvariantViolations } from '../support/invariants';
import type { TestSocket } from '../support/test-socket';

let h: Harness;
let nextId = 1000;
/** A fresh pair of profile ids for each test. */
const ids = () => [nextId++, nextId++] as const;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  if (h) expect(await callInvariantViolations(h.db)).toEqual([]);
  await h?.close();
});

/** The seed's own invitation, sent unchanged: no call_id, and `from_*` that the server must ignore. */
function seedInvitation(toId: number | string, toType = 'tutor', callType: 'voice' | 'video' = 'video') {
  return {
    type: 'call_invitation',
    call_type: callType,
    conversation_id: 123,
    from_profile_id: 666,
    from_profile_type: 'advertiser',
    from_name: 'Spoofed Name',
    from_avatar: 'https://spoof.invalid/a.png',
    to_profile_id: toId,
    to_profile_type: toType,
    offer: offer(),
  };
}

/** Caller (a student) rings callee (a tutor); resolves once the callee's first socket rings. */
async function ring(caller: TestSocket, callees: TestSocket[], toId: number) {
  caller.send(seedInvitation(toId));
  const invitations = await Promise.all(callees.map((socket) => socket.next('call_invitation')));
  const ringing = await caller.next('call_ringing');
  return { callId: ringing.call_id, invitations, ringing };
}

describe('a seed-format call from invitation to end', () => {
  it('rings every socket of the callee with stamped sender fields and a call id', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId, 'John Doe');
    const tab1 = await h.connect('tutor', tutorId, 'Ada Tutor');
    const tab2 = await h.connect('tutor', tutorId, 'Ada Tutor');

    const { callId, invitations, ringing } = await ring(caller, [tab1, tab2], tutorId);

    expect(ringing).toMatchObject({ devices: 2, to_profile_id: tutorId, to_profile_type: 'tutor' });
    for (const invitation of invitations) {
      expect(invitation).toMatchObject({
        call_id: callId,
        conversation_id: 123,
        call_type: 'video',
        from_profile_id: studentId,
        from_profile_type: 'student',
        from_name: 'John Doe',
        from_avatar: null,
        offer: offer(),
      });
      expect(Date.parse(invitation.expires_at) - Date.parse(invitation.sent_at)).toBeGreaterThan(40_000);
    }
    const log = await h.callLog(callId);
    expect(log).toMatchObject({ status: 'initiated', caller_profile_id: String(studentId), callee_profile_id: String(tutorId) });
  });

  it('carries answer, candidates and end both ways, and logs the call ended with its duration', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId, 'John Doe');
    const tab1 = await h.connect('tutor', tutorId, 'Ada Tutor');
    const tab2 = await h.connect('tutor', tutorId, 'Ada Tutor');
    const { callId } = await ring(caller, [tab1, tab2], tutorId);

    // Seed format: no call_id anywhere; the server matches each socket to its one call.
    tab1.send({
      type: 'call_answer',
      conversation_id: 123,
      from_profile_id: 1,
      to_profile_id: studentId,
      to_profile_type: 'student',
      answer: answer(),
    });
    const answered = await caller.next('call_answer');
    expect(answered).toMatchObject({ call_id: callId, answer: answer(), from_profile_id: tutorId, from_name: 'Ada Tutor' });
    expect(await tab2.next('call_ended')).toMatchObject({ call_id: callId, reason: 'answered_elsewhere' });

    caller.send({
      type: 'ice_candidate',
      conversation_id: 123,
      to_profile_id: tutorId,
      to_profile_type: 'tutor',
      candidate: candidate(5000),
    });
    expect(await tab1.next('ice_candidate')).toMatchObject({ call_id: callId, candidate: candidate(5000), from_profile_id: studentId });
    tab1.send({
      type: 'ice_candidate',
      call_id: callId,
      candidates: [candidate(6000), candidate(6001), { candidate: '', sdpMid: '0', sdpMLineIndex: 0 }],
    });
    // The caller declared no `candidate_batches`: the batch reaches it one seed-format candidate at a time.
    const split = [await caller.next('ice_candidate'), await caller.next('ice_candidate'), await caller.next('ice_candidate')];
    expect(split.map((message) => message.candidate?.candidate)).toEqual([candidate(6000).candidate, candidate(6001).candidate, '']);
    expect(split.every((message) => message.candidates === undefined && message.call_id === callId)).toBe(true);

    await new Promise((resolve) => setTimeout(resolve, 1100));
    caller.send({ type: 'call_ended', conversation_id: 123, to_profile_id: tutorId, to_profile_type: 'tutor' });
    expect(await tab1.next('call_ended')).toMatchObject({ call_id: callId, reason: 'hangup', from_profile_id: studentId });

    const log = await h.settledLog(callId, (call) => call.status === 'ended');
    expect(log).toMatchObject({ status: 'ended', end_reason: 'hangup', conversation_id: 123, call_type: 'video' });
    expect(log.duration_seconds).toBeGreaterThanOrEqual(1);
    expect(log.participants).toEqual([
      { profile_id: String(studentId), profile_type: 'student', name: 'John Doe' },
      { profile_id: String(tutorId), profile_type: 'tutor', name: 'Ada Tutor' },
    ]);
    // The answering tab was the only other one; the second tab heard nothing after answered_elsewhere.
    expect(await tab2.quietFor(150, ['ice_candidate', 'call_ended'])).toEqual([]);
  });

  it('lets the callee end the call, and ending twice changes nothing', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId);
    const callee = await h.connect('tutor', tutorId);
    const { callId } = await ring(caller, [callee], tutorId);
    callee.send({ type: 'call_answer', call_id: callId, answer: answer() });
    await caller.next('call_answer');

    callee.send({ type: 'call_ended', call_id: callId });
    expect(await caller.next('call_ended')).toMatchObject({ reason: 'hangup', from_profile_id: tutorId });
    callee.send({ type: 'call_ended', call_id: callId });
    caller.send({ type: 'call_ended' });
    expect(await callee.quietFor(200, ['error', 'call_ended'])).toEqual([]);
    expect(await caller.quietFor(0, ['error'])).toEqual([]);
    await h.settledLog(callId, (call) => call.status === 'ended');
  });
});

describe('calls that never connect', () => {
  it('declines a call to an offline profile at once and logs it declined/offline', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId);
    caller.send(seedInvitation(tutorId));
    const declined = await caller.next('call_declined');
    expect(declined).toMatchObject({ reason: 'offline', conversation_id: 123, from_profile_id: tutorId, from_profile_type: 'tutor' });
    const log = await h.settledLog(declined.call_id, () => true);
    expect(log).toMatchObject({ status: 'declined', end_reason: 'offline', answered_at: null, duration_seconds: null });
  });

  it('counts a socket the gateway reports gone as absent, and removes its record', async () => {
    const [studentId, tutorId] = ids();
    await h.plantDeadSocket(`tutor_${tutorId}`, 'GoneSocketAAAA=');
    const caller = await h.connect('student', studentId);
    caller.send(seedInvitation(tutorId));
    const declined = await caller.next('call_declined');
    expect(declined.reason).toBe('offline');
    expect(await h.socketItem('GoneSocketAAAA=')).toBeUndefined();
  });

  it('rings only the live sockets when some of the callee sockets are gone', async () => {
    const [studentId, tutorId] = ids();
    await h.plantDeadSocket(`tutor_${tutorId}`, 'GoneSocketBBBB=');
    const callee = await h.connect('tutor', tutorId);
    const caller = await h.connect('student', studentId);
    const { ringing } = await ring(caller, [callee], tutorId);
    expect(ringing.devices).toBe(1);
    expect(await h.socketItem('GoneSocketBBBB=')).toBeUndefined();
  });

  it('declines on every device when one device declines', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId);
    const tab1 = await h.connect('tutor', tutorId, 'Ada Tutor');
    const tab2 = await h.connect('tutor', tutorId, 'Ada Tutor');
    const { callId } = await ring(caller, [tab1, tab2], tutorId);

    tab1.send({ type: 'call_declined', conversation_id: 123 });
    expect(await caller.next('call_declined')).toMatchObject({ call_id: callId, reason: 'rejected', from_name: 'Ada Tutor' });
    expect(await tab2.next('call_ended')).toMatchObject({ call_id: callId, reason: 'declined_elsewhere' });
    expect(await h.settledLog(callId, (call) => call.status !== 'initiated')).toMatchObject({ status: 'declined', end_reason: 'rejected' });
  });

  it('passes on a busy decline from the callee', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId);
    const callee = await h.connect('tutor', tutorId);
    const { callId } = await ring(caller, [callee], tutorId);
    callee.send({ type: 'call_declined', call_id: callId, reason: 'busy' });
    expect(await caller.next('call_declined')).toMatchObject({ reason: 'busy' });
    expect(await h.settledLog(callId, (call) => call.status === 'declined')).toMatchObject({ end_reason: 'busy' });
  });

  it('treats the caller ending a ringing call as a cancel, logged missed/cancelled', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId);
    const tab1 = await h.connect('tutor', tutorId);
    const tab2 = await h.connect('tutor', tutorId);
    const { callId } = await ring(caller, [tab1, tab2], tutorId);

    caller.send({ type: 'call_ended', conversation_id: 123 });
    for (const tab of [tab1, tab2]) expect(await tab.next('call_ended')).toMatchObject({ call_id: callId, reason: 'cancelled' });
    expect(await h.settledLog(callId, (call) => call.status === 'missed')).toMatchObject({ end_reason: 'cancelled' });

    tab1.send({ type: 'call_answer', call_id: callId, answer: answer() });
    expect(await tab1.next('error')).toMatchObject({ code: 'call_not_ringing', call_id: callId });
  });

  it('declines busy when the callee is already in a call, and refuses a second call from a caller in one', async () => {
    const [studentId, tutorId] = ids();
    const [otherId, thirdId] = ids();
    const caller = await h.connect('student', studentId);
    const callee = await h.connect('tutor', tutorId);
    const { callId } = await ring(caller, [callee], tutorId);
    callee.send({ type: 'call_answer', call_id: callId, answer: answer() });
    await caller.next('call_answer');

    const other = await h.connect('student', otherId);
    other.send(seedInvitation(tutorId));
    const busy = await other.next('call_declined');
    expect(busy.reason).toBe('busy');
    expect(await h.settledLog(busy.call_id, () => true)).toMatchObject({ status: 'declined', end_reason: 'busy' });
    expect(await callee.quietFor(150, ['call_invitation'])).toEqual([]);

    await h.connect('tutor', thirdId);
    caller.send(seedInvitation(thirdId));
    expect(await caller.next('error')).toMatchObject({ code: 'already_in_call', request_type: 'call_invitation' });
  });

  it('refuses a call to oneself, comparing ids by their string form', async () => {
    const [studentId] = ids();
    const me = await h.connect('student', studentId);
    me.send({ type: 'call_invitation', call_type: 'voice', to_profile_id: String(studentId), to_profile_type: 'student', offer: offer() });
    expect(await me.next('error')).toMatchObject({ code: 'cannot_call_self' });
  });

  it('finds the callee whether its id is sent as a number or a string', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId);
    const callee = await h.connect('tutor', tutorId);
    caller.send({ ...seedInvitation(String(tutorId)) });
    const invitation = await callee.next('call_invitation');
    expect(invitation.to_profile_id).toBe(String(tutorId));
    expect(invitation.from_profile_id).toBe(studentId);
  });
});

describe('races settled by conditional writes', () => {
  it('lets exactly one of two simultaneous answers win', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId);
    const tab1 = await h.connect('tutor', tutorId);
    const tab2 = await h.connect('tutor', tutorId);
    const { callId } = await ring(caller, [tab1, tab2], tutorId);

    tab1.send({ type: 'call_answer', call_id: callId, answer: answer('tab1') });
    tab2.send({ type: 'call_answer', call_id: callId, answer: answer('tab2') });
    const winner = await caller.next('call_answer');
    const loser = winner.answer.sdp.includes('tab1') ? tab2 : tab1;
    // The loser hears it was answered elsewhere, and its own answer is refused as late.
    const heard = await Promise.all([loser.next('call_ended'), loser.next('error')]);
    expect(heard[0].reason).toBe('answered_elsewhere');
    expect(heard[1].code).toBe('call_not_ringing');
    expect(await caller.quietFor(200, ['call_answer'])).toEqual([]);
  });

  it('turns glare into one call: the smaller call id rings, the other is declined busy and never rings', async () => {
    for (let round = 0; round < 5; round++) {
      const [studentId, tutorId] = ids();
      const student = await h.connect('student', studentId);
      const tutor = await h.connect('tutor', tutorId);
      student.send({ type: 'call_invitation', call_type: 'voice', to_profile_id: tutorId, to_profile_type: 'tutor', offer: offer() });
      tutor.send({ type: 'call_invitation', call_type: 'voice', to_profile_id: studentId, to_profile_type: 'student', offer: offer() });

      const outcome = async (socket: TestSocket) => {
        const first = await Promise.race([socket.next('call_ringing'), socket.next('call_declined')]);
        return first;
      };
      const [studentOutcome, tutorOutcome] = await Promise.all([outcome(student), outcome(tutor)]);
      const outcomes = [studentOutcome, tutorOutcome];
      const rang = outcomes.filter((message) => message.type === 'call_ringing');
      const declined = outcomes.filter((message) => message.type === 'call_declined');
      expect(rang, `round ${round}`).toHaveLength(1);
      expect(declined, `round ${round}`).toHaveLength(1);
      expect(declined[0]).toMatchObject({ reason: 'busy' });
      expect(rang[0]!.call_id < declined[0]!.call_id).toBe(true);

      // Only the standing call rings, on the other side.
      const ringer = rang[0] === studentOutcome ? tutor : student;
      const invitation = await ringer.next('call_invitation');
      expect(invitation.call_id).toBe(rang[0]!.call_id);
      expect(await ringer.quietFor(100, ['call_invitation'])).toEqual([]);
      await student.close();
      await tutor.close();
    }
  });
});

describe('only participants act on a call', () => {
  it('refuses the caller answering or declining its own call', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId);
    const callee = await h.connect('tutor', tutorId);
    const { callId } = await ring(caller, [callee], tutorId);
    caller.send({ type: 'call_answer', call_id: callId, answer: answer() });
    expect(await caller.next('error')).toMatchObject({ code: 'forbidden' });
    caller.send({ type: 'call_declined', call_id: callId });
    expect(await caller.next('error')).toMatchObject({ code: 'forbidden' });
  });

  it('refuses answers, candidates, declines, ends and resumes from outsiders, forwards nothing, and answers an unknown call id the same', async () => {
    const [studentId, tutorId] = ids();
    const [outsiderId] = ids();
    const caller = await h.connect('student', studentId);
    const callee = await h.connect('tutor', tutorId);
    const { callId } = await ring(caller, [callee], tutorId);
    const outsider = await h.connect('parent', outsiderId);
    const unknownId = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

    const attempts = (target: string) => [
      { type: 'call_answer', call_id: target, answer: answer() },
      { type: 'ice_candidate', call_id: target, candidate: candidate(7000) },
      { type: 'call_declined', call_id: target },
      { type: 'call_ended', call_id: target },
      { type: 'call_resume', call_id: target },
    ];
    const refusals = async (target: string) => {
      const answers = [];
      for (const attempt of attempts(target)) {
        outsider.send(attempt);
        const refusal = await outsider.next('error');
        expect(refusal).toEqual({
          type: 'error',
          code: 'not_a_participant',
          message: 'You are not a participant of this call',
          request_type: attempt.type,
          call_id: target,
        });
        answers.push({ ...refusal, call_id: 'the call id sent' });
      }
      return answers;
    };
    const aboutExisting = await refusals(callId);
    expect(await refusals(unknownId)).toEqual(aboutExisting);
    expect(await caller.quietFor(150, ['call_answer', 'ice_candidate', 'call_declined', 'call_ended'])).toEqual([]);
    expect(await callee.quietFor(0, ['ice_candidate', 'call_ended'])).toEqual([]);
    expect(await h.callLog(callId)).toMatchObject({ status: 'initiated' });
  });

  it('answers a message without call_id from a socket in no call with call_not_found', async () => {
    const [studentId] = ids();
    const socket = await h.connect('student', studentId);
    socket.send({ type: 'ice_candidate', candidate: candidate(1) });
    expect(await socket.next('error')).toMatchObject({ code: 'call_not_found', message: 'You are not in a call' });
    socket.send({ type: 'call_answer', answer: answer() });
    expect(await socket.next('error')).toMatchObject({ code: 'call_not_found' });
  });
});

describe('bad frames', () => {
  it('answers invalid JSON, unknown types and invalid messages with error, forwards nothing, and keeps the socket usable', async () => {
    const [studentId, tutorId] = ids();
    const sender = await h.connect('student', studentId);
    const bystander = await h.connect('tutor', tutorId);

    sender.sendRaw('{"type": "call_invitation", oops');
    expect(await sender.next('error')).toMatchObject({ code: 'invalid_json' });
    sender.send({ type: 'warp_drive' });
    expect(await sender.next('error')).toMatchObject({ code: 'unknown_type', request_type: 'warp_drive' });
    sender.send({ call_type: 'video' });
    expect(await sender.next('error')).toMatchObject({ code: 'invalid_message' });
    sender.send({
      type: 'call_invitation',
      call_type: 'video',
      to_profile_id: tutorId,
      to_profile_type: 'tutor',
      offer: { type: 'answer', sdp: 'x' },
    });
    expect(await sender.next('error')).toMatchObject({ code: 'invalid_message', request_type: 'call_invitation' });
    sender.send({ type: 'call_invitation', call_type: 'video', to_profile_id: tutorId, to_profile_type: 'wizard', offer: offer() });
    expect(await sender.next('error')).toMatchObject({ code: 'invalid_message' });
    sender.sendRaw(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    expect(await sender.next('error')).toMatchObject({ code: 'invalid_json' });

    expect(await bystander.quietFor(150)).toEqual([]);
    sender.send({ type: 'ping', ts: 42 });
    expect(await sender.next('pong')).toMatchObject({ ts: 42 });
  });
});

describe('rate limits', () => {
  it('refuses offers over 5 a second from one socket with rate_limited (told once), and leaves other sockets alone', async () => {
    const [studentId, otherId] = ids();
    const flooder = await h.connect('student', studentId);
    const other = await h.connect('student', otherId);
    const selfCall = (id: number) => ({
      type: 'call_invitation',
      call_type: 'voice',
      to_profile_id: id,
      to_profile_type: 'student',
      offer: offer(),
    });
    for (let i = 0; i < 8; i++) flooder.send(selfCall(studentId));
    other.send(selfCall(otherId));

    // Five are let through (each then refused as a self call); the rest are refused by the limit,
    // answered once per episode (see the refused-frames tests in profile-rate-limits.test.ts).
    const handled = await Promise.all(Array.from({ length: 5 }, () => flooder.next('error', (error) => error.code === 'cannot_call_self')));
    expect(handled).toHaveLength(5);
    expect(await flooder.next('error', (error) => error.code === 'rate_limited')).toMatchObject({ request_type: 'call_invitation' });
    expect(await other.next('error')).toMatchObject({ code: 'cannot_call_self' });
  });
});

describe('queries', () => {
  it('answers ping with pong', async () => {
    const [studentId] = ids();
    const socket = await h.connect('student', studentId);
    socket.send({ type: 'ping', ts: 'abc' });
    expect(await socket.next('pong')).toMatchObject({ type: 'pong', ts: 'abc' });
  });

  it('tells which profiles are online', async () => {
    const [studentId, tutorId] = ids();
    const socket = await h.connect('student', studentId);
    await h.connect('tutor', tutorId);
    socket.send({
      type: 'presence_query',
      profiles: [
        { profile_id: tutorId, profile_type: 'tutor' },
        { profile_id: '999999', profile_type: 'tutor' },
      ],
    });
    expect(await socket.next('presence')).toEqual({
      type: 'presence',
      profiles: [
        { profile_id: tutorId, profile_type: 'tutor', online: true },
        { profile_id: '999999', profile_type: 'tutor', online: false },
      ],
    });
  });

  it('shows a profile offline once its last socket closes', async () => {
    const [studentId, tutorId] = ids();
    const socket = await h.connect('student', studentId);
    const tutor = await h.connect('tutor', tutorId);
    await tutor.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.send({ type: 'presence_query', profiles: [{ profile_id: tutorId, profile_type: 'tutor' }] });
    expect((await socket.next('presence')).profiles[0]?.online).toBe(false);
  });

  it('lists only the calls one took part in, newest first, a page at a time', async () => {
    const [studentId, tutorId] = ids();
    const [strangerId] = ids();
    const student = await h.connect('student', studentId);
    const stranger = await h.connect('parent', strangerId);
    const callIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      student.send(seedInvitation(tutorId)); // offline: logged and declined at once
      callIds.push((await student.next('call_declined')).call_id);
    }
    const tutor = await h.connect('tutor', tutorId);
    tutor.send({ type: 'call_invitation', call_type: 'voice', to_profile_id: studentId, to_profile_type: 'student', offer: offer() });
    callIds.push((await tutor.next('call_ringing')).call_id);
    await student.next('call_invitation');
    student.send({ type: 'call_declined' });
    await tutor.next('call_declined');
    stranger.send(seedInvitation(tutorId + 100_000));
    await stranger.next('call_declined');

    student.send({ type: 'call_history', limit: 3 });
    const first = await student.next('call_history');
    expect(first.items.map((item) => item.call_id)).toEqual(callIds.slice().reverse().slice(0, 3));
    expect(first.items[0]).toMatchObject({ status: 'declined', end_reason: 'rejected', caller_profile_id: String(tutorId) });
    expect(first.items[0]).not.toHaveProperty('caller_connection_id');
    expect(first.next).toBe(callIds[1]);

    student.send({ type: 'call_history', limit: 3, before: first.next });
    const second = await student.next('call_history');
    expect(second.items.map((item) => item.call_id)).toEqual([callIds[0]]);
    expect(second.next).toBeUndefined();
  });

  it('offers the configured ICE servers with a lifetime (none locally; as deployed, the stack’s default STUN)', async () => {
    const [studentId] = ids();
    const socket = await h.connect('student', studentId);
    socket.send({ type: 'ice_servers' });
    const servers = await socket.next('ice_servers');
    const deployedStun = [{ urls: [expect.stringMatching(/^stun:stun\.kinesisvideo\.[a-z0-9-]+\.amazonaws\.com:443$/)] }];
    expect(servers.ice_servers).toEqual(gatewayMode() === 'as-deployed' ? deployedStun : []);
    expect(servers.ttl).toBeGreaterThan(0);
  });
});
