/**
 * The platform's backend API (PROTOCOL.md, "The platform's backend API") over real HTTP, signed as a
 * Node backend signs (SigV4 with the SDK's signer), against the real gateway and store, with real
 * sockets for the profiles. The deployment requires conversations (`CALL_POLICY=conversation`): a
 * call the platform starts needs no grant, and a grant the API mints rings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../shared/env';
import { DEFAULT_PAIR_RING_LIMIT } from '../../shared/limits';
import { PLATFORM_ROUTES, routePath } from '../../shared/platform-api';
import { CALL_ID_PATTERN } from '../../shared/protocol';
import { answer, candidate, offer, startHarness, type Harness } from '../support/harness';
import { callInvariantViolations } from '../support/invariants';
import { PlatformClient } from '../support/platform-client';
import type { TestSocket } from '../support/test-socket';

let h: Harness;
let platform: PlatformClient;
let nextId = 9100;
const ids = () => [nextId++, nextId++] as const;
const CONVERSATION = 'conv-9001';

beforeAll(async () => {
  // The handlers read their settings once, so the policy is set before the gateway starts.
  process.env[ENV.callPolicy] = 'conversation';
  h = await startHarness();
  platform = new PlatformClient(h.gateway.platformApiUrl, h.gateway.platformKey);
});
afterAll(async () => {
  delete process.env[ENV.callPolicy];
  if (h) expect(await callInvariantViolations(h.db)).toEqual([]);
  await h?.close();
});

const inviteFrom = (studentId: number, tutorId: number, name = 'Patrick') => ({
  caller: { profile_type: 'student', profile_id: studentId, name, user_id: `user-${studentId}` },
  callee: { profile_type: 'tutor', profile_id: tutorId },
  conversation_id: CONVERSATION,
  call_type: 'voice' as const,
});

/** The caller's client offering into the accepted call, as `call_invite_accepted` asks it to. */
const offerInto = (callId: string, tutorId: number) => ({
  type: 'call_invitation',
  call_id: callId,
  call_type: 'voice',
  to_profile_id: tutorId,
  to_profile_type: 'tutor',
  conversation_id: CONVERSATION,
  offer: offer(),
});

async function historyOf(socket: TestSocket) {
  socket.send({ type: 'call_history' });
  return (await socket.next('call_history')).items;
}

describe('a call the platform starts, as seed 000 does', () => {
  it("rings every socket of the callee with call_invite carrying seed 000's fields, and once accepted is answered end to end as one call", async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId, 'Patrick');
    const tabs = [await h.connect('tutor', tutorId, 'Kesavan'), await h.connect('tutor', tutorId, 'Kesavan')];

    const started = await platform.invite(inviteFrom(studentId, tutorId));
    expect(started.status).toBe(200);
    expect(started.body).toEqual({ call_id: expect.stringMatching(CALL_ID_PATTERN), status: 'initiated' });
    const callId = started.body.call_id;

    for (const tab of tabs) {
      const invite = await tab.next('call_invite');
      // Seed 000's four fields, unchanged in name and kind, next to the protocol's usual ones.
      expect(invite).toMatchObject({
        type: 'call_invite',
        from_user_id: `user-${studentId}`,
        call_id: callId,
        caller_name: 'Patrick',
        from_profile_id: studentId,
        from_profile_type: 'student',
        conversation_id: CONVERSATION,
        call_type: 'voice',
      });
      expect(Number.isNaN(Date.parse(invite.timestamp))).toBe(false);
      expect(Date.parse(invite.expires_at)).toBeGreaterThan(Date.parse(invite.sent_at));
    }
    expect(caller.received).toEqual([]);

    tabs[0]!.send({ type: 'call_invite_accept', call_id: callId });
    expect(await tabs[1]!.next('call_ended')).toMatchObject({ call_id: callId, reason: 'answered_elsewhere' });
    const accepted = await caller.next('call_invite_accepted');
    expect(accepted).toMatchObject({ call_id: callId, from_profile_id: tutorId, from_profile_type: 'tutor', from_name: 'Kesavan' });

    // No call grant, under a conversation-required policy: the platform vouched when it invited.
    caller.send(offerInto(callId, tutorId));
    const invitation = await tabs[0]!.next('call_invitation');
    expect(invitation).toMatchObject({ call_id: callId, from_profile_id: studentId, from_name: 'Patrick', offer: offer() });
    expect(await caller.next('call_ringing')).toMatchObject({ call_id: callId, devices: 1 });

    tabs[0]!.send({ type: 'call_answer', call_id: callId, answer: answer() });
    expect(await caller.next('call_answer')).toMatchObject({ call_id: callId, answer: answer() });
    caller.send({ type: 'ice_candidate', call_id: callId, candidate: candidate(5000) });
    expect(await tabs[0]!.next('ice_candidate')).toMatchObject({ call_id: callId, candidate: candidate(5000) });
    tabs[0]!.send({ type: 'ice_candidate', call_id: callId, candidate: candidate(5001) });
    expect(await caller.next('ice_candidate')).toMatchObject({ call_id: callId, candidate: candidate(5001) });

    caller.send({ type: 'call_ended', call_id: callId });
    expect(await tabs[0]!.next('call_ended')).toMatchObject({ call_id: callId, reason: 'hangup' });
    const log = await h.settledLog(callId, (call) => call.status === 'ended');
    expect(log).toMatchObject({
      status: 'ended',
      end_reason: 'hangup',
      conversation_id: CONVERSATION,
      caller_user_id: `user-${studentId}`,
      participants: [
        { profile_id: String(studentId), profile_type: 'student', name: 'Patrick' },
        { profile_id: String(tutorId), profile_type: 'tutor', name: 'Kesavan' },
      ],
    });
    expect(tabs[1]!.received.map((message) => message.type)).toEqual(['call_invite', 'call_ended']);

    // One call in call_logs, whoever looks.
    expect((await historyOf(caller)).map((item) => item.call_id)).toEqual([callId]);
    expect((await historyOf(tabs[0]!)).map((item) => item.call_id)).toEqual([callId]);
    const logs = await platform.callLogs('tutor', tutorId);
    expect(logs.body.items.map((item) => [item.call_id, item.status])).toEqual([[callId, 'ended']]);
  });

  it('declines at once, and logs it, when the callee is offline or busy', async () => {
    const [studentId, offlineTutorId] = ids();
    const [otherStudentId, busyTutorId] = ids();
    await h.connect('student', studentId);
    const offline = await platform.invite(inviteFrom(studentId, offlineTutorId));
    expect(offline.body).toEqual({ call_id: expect.stringMatching(CALL_ID_PATTERN), status: 'declined', end_reason: 'offline' });
    expect(await h.settledLog(offline.body.call_id, (call) => call.status === 'declined')).toMatchObject({ end_reason: 'offline' });

    const busyTutor = await h.connect('tutor', busyTutorId);
    const first = await platform.invite(inviteFrom(otherStudentId, busyTutorId));
    await busyTutor.next('call_invite');
    const busy = await platform.invite(inviteFrom(studentId, busyTutorId));
    expect(busy.body).toEqual({ call_id: expect.stringMatching(CALL_ID_PATTERN), status: 'declined', end_reason: 'busy' });
    expect(await h.settledLog(busy.body.call_id, (call) => call.status === 'declined')).toMatchObject({ end_reason: 'busy' });
    expect(busyTutor.received.filter((message) => message.type === 'call_invite')).toHaveLength(1);

    const logs = await platform.callLogs('student', studentId);
    expect(logs.body.items.map((item) => [item.status, item.end_reason])).toEqual([
      ['declined', 'busy'],
      ['declined', 'offline'],
    ]);
    busyTutor.send({ type: 'call_declined', call_id: first.body.call_id });
    await h.settledLog(first.body.call_id, (call) => call.status === 'declined');
  });

  it('tells every socket of the caller when the callee rejects the call before accepting it', async () => {
    const [studentId, tutorId] = ids();
    const callerTabs = [await h.connect('student', studentId), await h.connect('student', studentId)];
    const callee = await h.connect('tutor', tutorId);
    const { body } = await platform.invite(inviteFrom(studentId, tutorId));
    await callee.next('call_invite');
    callee.send({ type: 'call_declined', call_id: body.call_id });
    for (const tab of callerTabs) expect(await tab.next('call_declined')).toMatchObject({ call_id: body.call_id, reason: 'rejected' });
    expect(await h.settledLog(body.call_id, (call) => call.status === 'declined')).toMatchObject({ end_reason: 'rejected' });
  });

  it("binds the call to the caller's first offer: another tab of the caller hears answered_elsewhere and the callee one offer", async () => {
    const [studentId, tutorId] = ids();
    const callerTabs = [await h.connect('student', studentId), await h.connect('student', studentId)];
    const callee = await h.connect('tutor', tutorId);
    const { body } = await platform.invite(inviteFrom(studentId, tutorId));
    await callee.next('call_invite');
    callee.send({ type: 'call_invite_accept', call_id: body.call_id });
    for (const tab of callerTabs) await tab.next('call_invite_accepted');

    callerTabs[0]!.send(offerInto(body.call_id, tutorId));
    await callerTabs[0]!.next('call_ringing');
    callerTabs[1]!.send(offerInto(body.call_id, tutorId));
    expect(await callerTabs[1]!.next('call_ended')).toMatchObject({ call_id: body.call_id, reason: 'answered_elsewhere' });
    await callee.next('call_invitation');
    expect(await callee.quietFor(200, ['call_invitation'])).toEqual([]);

    callerTabs[0]!.send({ type: 'call_ended', call_id: body.call_id });
    expect(await callee.next('call_ended')).toMatchObject({ reason: 'cancelled' });
  });

  it('lets exactly one of two callee sockets that accept at once take the call, and exactly one of two caller sockets that offer at once', async () => {
    const [studentId, tutorId] = ids();
    const callerTabs = [await h.connect('student', studentId), await h.connect('student', studentId)];
    const calleeTabs = [await h.connect('tutor', tutorId), await h.connect('tutor', tutorId)];
    const { body } = await platform.invite(inviteFrom(studentId, tutorId));
    for (const tab of calleeTabs) await tab.next('call_invite');

    for (const tab of calleeTabs) tab.send({ type: 'call_invite_accept', call_id: body.call_id });
    const lost = await Promise.race(
      calleeTabs.map(async (tab, index) => {
        await tab.next('call_ended', (message) => message.reason === 'answered_elsewhere');
        return index;
      }),
    );
    const winner = calleeTabs[1 - lost]!;
    for (const tab of callerTabs) expect(await tab.next('call_invite_accepted')).toMatchObject({ call_id: body.call_id });
    expect(callerTabs[0]!.received.filter((message) => message.type === 'call_invite_accepted')).toHaveLength(1);

    for (const tab of callerTabs) tab.send(offerInto(body.call_id, tutorId));
    const outcomes = await Promise.all(
      callerTabs.map((tab) =>
        Promise.race([
          tab.next('call_ringing').then(() => 'offered'),
          tab.next('call_ended', (message) => message.reason === 'answered_elsewhere').then(() => 'elsewhere'),
        ]),
      ),
    );
    expect([...outcomes].sort()).toEqual(['elsewhere', 'offered']);
    await winner.next('call_invitation');
    expect(await winner.quietFor(200, ['call_invitation'])).toEqual([]);
    expect(calleeTabs[lost]!.received.map((message) => message.type)).not.toContain('call_invitation');

    const offering = callerTabs[outcomes.indexOf('offered')]!;
    winner.send({ type: 'call_answer', call_id: body.call_id, answer: answer() });
    await offering.next('call_answer');
    winner.send({ type: 'call_ended', call_id: body.call_id });
    expect(await offering.next('call_ended')).toMatchObject({ reason: 'hangup' });
    expect(await h.settledLog(body.call_id, (call) => call.status === 'ended')).toMatchObject({ end_reason: 'hangup' });
  });

  it("lets no one but the call's caller offer into it: anyone else's call_id is ignored, and the grant is still required of them", async () => {
    const [studentId, tutorId] = ids();
    const [strangerId] = ids();
    const caller = await h.connect('student', studentId);
    const callee = await h.connect('tutor', tutorId);
    const stranger = await h.connect('student', strangerId);
    const { body } = await platform.invite(inviteFrom(studentId, tutorId));
    await callee.next('call_invite');
    callee.send({ type: 'call_invite_accept', call_id: body.call_id });
    await caller.next('call_invite_accepted');

    stranger.send(offerInto(body.call_id, tutorId));
    expect(await stranger.next('error')).toMatchObject({ code: 'forbidden', request_type: 'call_invitation' });
    expect(await callee.quietFor(200, ['call_invitation'])).toEqual([]);
    expect(await h.callLog(body.call_id)).toMatchObject({ status: 'initiated', caller_connection_id: '' });
  });

  it("applies the callee's own settings: a caller it blocked is declined offline, nothing rings, and the callee's history never shows it", async () => {
    const [studentId, tutorId] = ids();
    const callee = await h.connect('tutor', tutorId);
    callee.send({ type: 'call_settings', block: [{ profile_type: 'student', profile_id: studentId }] });
    await callee.next('call_settings');
    const refused = await platform.invite(inviteFrom(studentId, tutorId));
    expect(refused.body).toEqual({ call_id: expect.stringMatching(CALL_ID_PATTERN), status: 'declined', end_reason: 'offline' });
    expect(await callee.quietFor(200, ['call_invite'])).toEqual([]);
    expect((await platform.callLogs('tutor', tutorId)).body.items).toEqual([]);
    expect((await platform.callLogs('student', studentId)).body.items.map((item) => item.end_reason)).toEqual(['offline']);
  });

  it("counts the caller's unanswered rings to one callee as invitations do: beyond the limit, 429 and nothing rings", async () => {
    const [studentId, tutorId] = ids();
    for (let ring = 0; ring < DEFAULT_PAIR_RING_LIMIT; ring++) {
      expect((await platform.invite(inviteFrom(studentId, tutorId))).body).toMatchObject({ status: 'declined', end_reason: 'offline' });
    }
    expect(await platform.invite(inviteFrom(studentId, tutorId))).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
    expect((await platform.callLogs('student', studentId)).body.items).toHaveLength(DEFAULT_PAIR_RING_LIMIT);
  });

  it('refuses to ring a profile with itself, and a caller already in a call', async () => {
    const [studentId, tutorId] = ids();
    const self = await platform.invite({ ...inviteFrom(studentId, tutorId), callee: { profile_type: 'student', profile_id: studentId } });
    expect(self).toMatchObject({ status: 400, body: { error: 'cannot_call_self' } });

    const callee = await h.connect('tutor', tutorId);
    await platform.invite(inviteFrom(studentId, tutorId));
    await callee.next('call_invite');
    const [, otherTutorId] = ids();
    await h.connect('tutor', otherTutorId);
    const again = await platform.invite(inviteFrom(studentId, otherTutorId));
    expect(again).toMatchObject({ status: 409, body: { error: 'already_in_call' } });
  });
});

describe('presence and call logs for the platform', () => {
  it('answers is_online per profile, for any profile the platform asks about', async () => {
    const [onlineId, offlineId] = ids();
    await h.connect('tutor', onlineId);
    const { status, body } = await platform.presence({
      profiles: [
        { profile_type: 'tutor', profile_id: onlineId },
        { profile_type: 'tutor', profile_id: offlineId },
        { profile_type: 'tutor', profile_id: String(onlineId) },
      ],
    });
    expect(status).toBe(200);
    expect(body.profiles).toEqual([
      { profile_type: 'tutor', profile_id: onlineId, is_online: true },
      { profile_type: 'tutor', profile_id: offlineId, is_online: false },
      { profile_type: 'tutor', profile_id: String(onlineId), is_online: true },
    ]);
    expect((await platform.presence({ profiles: [] })).status).toBe(400);
  });

  it("pages through a profile's call logs, newest first", async () => {
    const [studentId] = ids();
    const tutors = [ids()[0], ids()[0], ids()[0]];
    const started: string[] = [];
    for (const tutorId of tutors) started.push((await platform.invite(inviteFrom(studentId, tutorId))).body.call_id);
    const first = await platform.callLogs('student', studentId, 'limit=2');
    expect(first.body.items.map((item) => item.call_id)).toEqual([started[2], started[1]]);
    expect(first.body.next).toBe(started[1]);
    const second = await platform.callLogs('student', studentId, `limit=2&before=${first.body.next}`);
    expect(second.body.items.map((item) => item.call_id)).toEqual([started[0]]);
    expect(second.body).not.toHaveProperty('next');
    expect((await platform.callLogs('student', studentId, 'limit=500')).status).toBe(400);
  });
});

describe('call grants the platform API mints', () => {
  it('rings under the conversation policy, for that caller, callee and conversation only', async () => {
    const [studentId, tutorId] = ids();
    const caller = await h.connect('student', studentId);
    const callee = await h.connect('tutor', tutorId);
    const minted = await platform.mintGrant({
      caller: { profile_type: 'student', profile_id: studentId },
      callee: { profile_type: 'tutor', profile_id: tutorId },
      conversation_id: CONVERSATION,
    });
    expect(minted.status).toBe(200);
    expect(Date.parse(minted.body.expires_at)).toBeGreaterThan(Date.now());
    const invitation = {
      type: 'call_invitation',
      call_type: 'video',
      to_profile_id: tutorId,
      to_profile_type: 'tutor',
      offer: offer(),
    };

    caller.send({ ...invitation, conversation_id: 'conv-other', call_grant: minted.body.call_grant });
    expect(await caller.next('error')).toMatchObject({ code: 'forbidden', request_type: 'call_invitation' });
    caller.send({ ...invitation, conversation_id: CONVERSATION, call_grant: minted.body.call_grant });
    const ringing = await caller.next('call_ringing');
    expect(await callee.next('call_invitation')).toMatchObject({ call_id: ringing.call_id, conversation_id: CONVERSATION });
    caller.send({ type: 'call_ended', call_id: ringing.call_id });
    await callee.next('call_ended');
  });

  it('refuses a lifetime longer than the deployment accepts', async () => {
    const refused = await platform.mintGrant({
      caller: { profile_type: 'student', profile_id: 1 },
      callee: { profile_type: 'tutor', profile_id: 2 },
      conversation_id: CONVERSATION,
      ttl_seconds: 3600,
    });
    expect(refused).toMatchObject({ status: 400, body: { error: 'ttl_too_long' } });
  });
});

describe('who the platform API lets in', () => {
  const presenceBody = { profiles: [{ profile_type: 'tutor', profile_id: 1 }] };

  it('refuses an unsigned request, a badly signed one and an unknown key with 403, and runs nothing', async () => {
    const path = routePath(PLATFORM_ROUTES.presence);
    const unsigned = await platform.send('POST', path, presenceBody, { unsigned: true });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');

    const wrongSecret = new PlatformClient(h.gateway.platformApiUrl, { ...h.gateway.platformKey, secretAccessKey: 'not-the-secret' });
    const forged = await wrongSecret.presence(presenceBody);
    expect(forged.status).toBe(403);
    expect(forged.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');

    const stranger = new PlatformClient(h.gateway.platformApiUrl, { accessKeyId: 'local', secretAccessKey: 'local' });
    expect((await stranger.presence(presenceBody)).status).toBe(403);
  });

  it('refuses what a browser sends, even signed: a request with Origin or Sec-Fetch-Site, and a preflight', async () => {
    const path = routePath(PLATFORM_ROUTES.presence);
    const fromPage = await platform.send('POST', path, presenceBody, { unsignedHeaders: { origin: 'https://evil.example' } });
    expect(fromPage.status).toBe(403);
    expect(fromPage.headers.get('access-control-allow-origin')).toBeNull();
    const fetched = await platform.send('POST', path, presenceBody, { unsignedHeaders: { 'sec-fetch-site': 'cross-site' } });
    expect(fetched.status).toBe(403);
    const preflight = await fetch(new URL(path, h.gateway.platformApiUrl), {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a signed request for a route it does not have with 404', async () => {
    expect((await platform.send('GET', '/v1/everything')).status).toBe(404);
    expect((await platform.send('GET', routePath(PLATFORM_ROUTES.presence))).status).toBe(404);
  });
});
