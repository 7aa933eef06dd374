/**
 * PROTOCOL.md "Whiteboard session calls", over real sockets of the whiteboard API against the real
 * gateway and store (and, as deployed, the bundles with the template's IAM): who may join, the
 * later member, a rejoin, the window's end, the wait limit, the history, and busy across systems.
 * Short timers come from the gateway's settings; nothing asserts how long anything took.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSessionGrant } from '../../lambdas/auth/session-grant';
import { signToken } from '../../lambdas/auth/token';
import type { CallQualitySummary } from '../../shared/call-quality';
import type { SessionCallLog, SessionServerMessageOf } from '../../shared/session-protocol';
import { WHITEBOARD_CALL_HISTORY_TABLE } from '../../shared/tables';
import { answer, offer, startHarness, type Harness } from '../support/harness';
import { PlatformClient } from '../support/platform-client';
import { SessionSocket } from '../support/session-socket';
import { PLATFORM_ROUTES, type SessionGrantResponse } from '../../shared/platform-api';
import { DEV_SESSION_GRANT_PATH } from '../../shared/client-config';

const WAIT_LIMIT_SECONDS = 2;
const REJOIN_GRACE_SECONDS = 1;
/** Sockets per profile: chat and whiteboard sockets are each capped at this many, counted apart. */
const SOCKETS_PER_PROFILE = 3;
let h: Harness;
let nextId = 9100;
const sockets: SessionSocket[] = [];

beforeAll(async () => {
  h = await startHarness({
    abuseLimits: { socketsPerProfile: SOCKETS_PER_PROFILE },
    sessionWaitLimitSeconds: WAIT_LIMIT_SECONDS,
    sessionRejoinGraceSeconds: REJOIN_GRACE_SECONDS,
    sweepIntervalMs: 100,
  });
});
afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await h?.close();
});

interface Session {
  sessionId: string;
  grant: string;
  tutorId: number;
  studentId: number;
}

async function newSession(windowSeconds = 600): Promise<Session> {
  const tutorId = nextId++;
  const studentId = nextId++;
  const sessionId = `s-${nextId++}`;
  const now = new Date();
  const { grant } = await signSessionGrant(
    h.gateway.secret,
    {
      session_id: sessionId,
      tutor: { profile_type: 'tutor', profile_id: tutorId },
      student: { profile_type: 'student', profile_id: studentId },
    },
    { startsAt: now, endsAt: new Date(now.getTime() + windowSeconds * 1000), earlyJoinSeconds: 60 },
  );
  return { sessionId, grant, tutorId, studentId };
}

async function whiteboard(profileType: string, profileId: number): Promise<SessionSocket> {
  const { token } = await signToken(h.gateway.secret, {
    profile_type: profileType,
    profile_id: profileId,
    name: `${profileType} ${profileId}`,
  });
  const socket = await SessionSocket.open(h.gateway.whiteboardWebsocketUrl, token);
  sockets.push(socket);
  return socket;
}

const join = (socket: SessionSocket, session: Session) =>
  socket.send({ type: 'session_join', session_id: session.sessionId, session_grant: session.grant, call_type: 'video' });

type CallMessage = SessionServerMessageOf<'session_call'>;
const withStatus = (status: string) => (message: CallMessage) => message.call?.status === status;

async function historyOf(socket: SessionSocket, session: Session): Promise<SessionCallLog[]> {
  socket.send({ type: 'session_history', session_id: session.sessionId, session_grant: session.grant });
  return (await socket.next('session_history')).items;
}

/** The stored item, once it satisfies `done` (the last write may land just after the announcement). */
async function storedCall(callId: string, done: (item: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const until = Date.now() + 5_000;
  for (;;) {
    const { Item } = await h.db.send(new GetCommand({ TableName: WHITEBOARD_CALL_HISTORY_TABLE.localName, Key: { call_id: callId } }));
    if (Item && done(Item)) return Item;
    if (Date.now() > until) throw new Error(`call ${callId} did not settle: ${JSON.stringify(Item)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('who may join a session call', () => {
  it('refuses an outsider presenting the grant with forbidden, telling it nothing about the call or its members', async () => {
    const session = await newSession();
    const tutor = await whiteboard('tutor', session.tutorId);
    join(tutor, session);
    const { call } = await tutor.next('session_call');
    expect(call?.status).toBe('waiting');

    const outsider = await whiteboard('student', nextId++);
    join(outsider, session);
    const refused = await outsider.next('error');
    expect(refused.code).toBe('forbidden');
    expect(Object.keys(refused).sort()).toEqual(['code', 'message', 'request_type', 'type']);
    expect(JSON.stringify(refused)).not.toContain(call?.call_id ?? 'none');
    expect(JSON.stringify(refused)).not.toContain(String(session.tutorId));
    outsider.send({ type: 'session_state', session_id: session.sessionId, session_grant: session.grant });
    expect((await outsider.next('error')).code).toBe('forbidden');
    outsider.send({ type: 'session_history', session_id: session.sessionId, session_grant: session.grant });
    expect((await outsider.next('error')).code).toBe('forbidden');
    // Nor can it speak into the call by its id.
    outsider.send({ type: 'session_signal', call_id: call?.call_id, description: offer() });
    expect((await outsider.next('error')).code).toBe('not_a_participant');
    expect(outsider.received.filter((message) => message.type !== 'error')).toEqual([]);
  });

  it('refuses a member whose grant is for another session, or not signed by the platform', async () => {
    const session = await newSession();
    const other = await newSession();
    const tutor = await whiteboard('tutor', session.tutorId);
    tutor.send({ type: 'session_join', session_id: session.sessionId, session_grant: other.grant });
    expect((await tutor.next('error')).code).toBe('forbidden');
    const forged = (
      await signSessionGrant(
        'not-the-secret',
        {
          session_id: session.sessionId,
          tutor: { profile_type: 'tutor', profile_id: session.tutorId },
          student: { profile_type: 'student', profile_id: session.studentId },
        },
        { startsAt: new Date(), endsAt: new Date(Date.now() + 60_000), earlyJoinSeconds: 0 },
      )
    ).grant;
    tutor.send({ type: 'session_join', session_id: session.sessionId, session_grant: forged });
    expect((await tutor.next('error')).code).toBe('forbidden');
  });

  it('does not route chat call messages on the whiteboard API', async () => {
    const session = await newSession();
    const tutor = await whiteboard('tutor', session.tutorId);
    tutor.send({
      type: 'call_invitation',
      call_type: 'voice',
      to_profile_id: session.studentId,
      to_profile_type: 'student',
      offer: offer(),
    });
    expect((await tutor.next('error')).code).toBe('unknown_type');
  });
});

describe('joining the session call', () => {
  it('rings the member who joins later, who then gets the same call and makes the offer', async () => {
    const session = await newSession();
    const tutor = await whiteboard('tutor', session.tutorId);
    const student = await whiteboard('student', session.studentId);
    join(tutor, session);
    const waiting = (await tutor.next('session_call')).call;
    expect(waiting).toMatchObject({ status: 'waiting', started_by: 'tutor', generation: 1, offerer: null });
    expect(waiting?.members.tutor.present).toBe(true);
    expect(waiting?.members.student.present).toBe(false);
    // The student's whiteboard rings with it before the student joins.
    expect((await student.next('session_call')).call?.call_id).toBe(waiting?.call_id);

    join(student, session);
    const active = (await student.next('session_call', withStatus('active'))).call;
    expect(active).toMatchObject({ call_id: waiting?.call_id, offerer: 'student', generation: 2 });
    expect((await tutor.next('session_call', withStatus('active'))).call?.offerer).toBe('student');

    student.send({ type: 'session_signal', call_id: active?.call_id, description: offer('student') });
    const forwarded = await tutor.next('session_signal');
    expect(forwarded).toMatchObject({
      call_id: active?.call_id,
      session_id: session.sessionId,
      from_role: 'student',
      from_profile_id: session.studentId,
      generation: 2,
    });
    expect(forwarded.description).toEqual(offer('student'));
    tutor.send({ type: 'session_signal', call_id: active?.call_id, description: answer('tutor') });
    expect((await student.next('session_signal')).description).toEqual(answer('tutor'));

    // A member asking afterwards sees the open call.
    const late = await whiteboard('student', session.studentId);
    late.send({ type: 'session_state', session_id: session.sessionId, session_grant: session.grant });
    expect((await late.next('session_call')).call?.call_id).toBe(active?.call_id);
  });

  it('returns a member who dropped to the same call, as a new generation', async () => {
    const session = await newSession();
    const tutor = await whiteboard('tutor', session.tutorId);
    const student = await whiteboard('student', session.studentId);
    join(tutor, session);
    await tutor.next('session_call');
    join(student, session);
    const active = (await tutor.next('session_call', withStatus('active'))).call;

    student.terminate();
    const dropped = (await tutor.next('session_call', (message) => message.call?.members.student.present === false)).call;
    expect(dropped).toMatchObject({ call_id: active?.call_id, status: 'waiting' });

    const back = await whiteboard('student', session.studentId);
    back.send({ type: 'session_state', session_id: session.sessionId, session_grant: session.grant });
    expect((await back.next('session_call')).call?.call_id).toBe(active?.call_id);
    join(back, session);
    const rejoined = (await back.next('session_call', withStatus('active'))).call;
    expect(rejoined?.call_id).toBe(active?.call_id);
    expect(rejoined?.generation).toBeGreaterThan(active?.generation ?? 0);
    expect(rejoined?.offerer).toBe('student');

    tutor.send({ type: 'session_end', call_id: active?.call_id });
    await back.next('session_call', withStatus('ended'));
    const [item] = await historyOf(tutor, session);
    expect(item?.events.map((event) => `${event.member} ${event.event}`)).toEqual([
      'tutor joined',
      'student joined',
      'student dropped',
      'student rejoined',
    ]);
  });
});

describe('how a session call ends', () => {
  it('ends when the window closes', async () => {
    const session = await newSession(2);
    const tutor = await whiteboard('tutor', session.tutorId);
    const student = await whiteboard('student', session.studentId);
    join(tutor, session);
    await tutor.next('session_call');
    join(student, session);
    await student.next('session_call', withStatus('active'));
    const ended = (await tutor.next('session_call', withStatus('ended'), 10_000)).call;
    expect(ended?.end_reason).toBe('window_closed');
    expect((await student.next('session_call', withStatus('ended'))).call?.end_reason).toBe('window_closed');
  });

  it('ends when the other member never comes within the wait limit', async () => {
    const session = await newSession();
    const tutor = await whiteboard('tutor', session.tutorId);
    join(tutor, session);
    await tutor.next('session_call');
    const ended = (await tutor.next('session_call', withStatus('ended'), 10_000)).call;
    expect(ended?.end_reason).toBe('wait_limit');
    const [item] = await historyOf(tutor, session);
    expect(item).toMatchObject({ status: 'ended', end_reason: 'wait_limit', connected_at: null, duration_seconds: null });
  });

  it('ends everyone_left once both members are gone past the rejoin grace', async () => {
    const session = await newSession();
    const tutor = await whiteboard('tutor', session.tutorId);
    const student = await whiteboard('student', session.studentId);
    join(tutor, session);
    await tutor.next('session_call');
    join(student, session);
    const { call } = await tutor.next('session_call', withStatus('active'));
    tutor.terminate();
    student.terminate();
    const item = await storedCall(call?.call_id ?? '', (stored) => stored.status === 'ended');
    expect(item.end_reason).toBe('everyone_left');
  });

  it('logs each call once, with its final state and its duration from when both were there', async () => {
    const session = await newSession();
    const tutor = await whiteboard('tutor', session.tutorId);
    const student = await whiteboard('student', session.studentId);
    join(tutor, session);
    await tutor.next('session_call');
    join(student, session);
    const { call } = await tutor.next('session_call', withStatus('active'));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    student.send({ type: 'session_end', call_id: call?.call_id });
    await tutor.next('session_call', withStatus('ended'));

    // A second call in the same session is a call of its own.
    join(tutor, session);
    const second = (await tutor.next('session_call', withStatus('waiting'))).call;
    expect(second?.call_id).not.toBe(call?.call_id);
    tutor.send({ type: 'session_leave', call_id: second?.call_id });
    await tutor.next('session_call', withStatus('ended'));

    const items = await historyOf(student, session);
    expect(items.map((item) => item.call_id)).toEqual([second?.call_id, call?.call_id]);
    const [last, first] = items;
    expect(first).toMatchObject({ status: 'ended', end_reason: 'ended_by_member', started_by: 'tutor' });
    expect(first?.connected_at).not.toBeNull();
    const expected = (Date.parse(first?.ended_at ?? '') - Date.parse(first?.connected_at ?? '')) / 1000;
    expect(first?.duration_seconds).toBeCloseTo(expected, 0);
    expect(first?.duration_seconds).toBeGreaterThanOrEqual(1);
    expect(last).toMatchObject({ status: 'ended', end_reason: 'everyone_left', duration_seconds: null });
  });
});

describe('busy across the two call systems', () => {
  it('declines a chat call busy to a profile in a whiteboard call, and rings it again once it left', async () => {
    const session = await newSession();
    const tutorBoard = await whiteboard('tutor', session.tutorId);
    const studentBoard = await whiteboard('student', session.studentId);
    const tutorChat = await h.connect('tutor', session.tutorId);
    join(tutorBoard, session);
    await tutorBoard.next('session_call');
    // Both there: the call is connected, so no wait limit ends it while the chat call is placed.
    join(studentBoard, session);
    const { call } = await tutorBoard.next('session_call', withStatus('active'));

    const caller = await h.connect('student', nextId++);
    caller.send({ type: 'call_invitation', call_type: 'voice', to_profile_id: session.tutorId, to_profile_type: 'tutor', offer: offer() });
    expect((await caller.next('call_declined')).reason).toBe('busy');

    // The tutor leaves: the call stays open for the student, and the tutor's line is free again.
    tutorBoard.send({ type: 'session_leave', call_id: call?.call_id });
    expect((await studentBoard.next('session_call', (message) => message.call?.members.tutor.present === false)).call?.status).toBe(
      'waiting',
    );
    caller.send({ type: 'call_invitation', call_type: 'voice', to_profile_id: session.tutorId, to_profile_type: 'tutor', offer: offer() });
    expect((await tutorChat.next('call_invitation')).from_profile_type).toBe('student');
  });

  it('refuses a member in a chat call who joins the session call with already_in_call', async () => {
    const session = await newSession();
    const tutorChat = await h.connect('tutor', session.tutorId);
    const caller = await h.connect('parent', nextId++);
    caller.send({ type: 'call_invitation', call_type: 'voice', to_profile_id: session.tutorId, to_profile_type: 'tutor', offer: offer() });
    const { call_id: chatCallId } = await tutorChat.next('call_invitation');
    tutorChat.send({ type: 'call_answer', call_id: chatCallId, answer: answer() });
    await caller.next('call_answer');

    const tutorBoard = await whiteboard('tutor', session.tutorId);
    join(tutorBoard, session);
    expect((await tutorBoard.next('error')).code).toBe('already_in_call');
    tutorBoard.send({ type: 'session_state', session_id: session.sessionId, session_grant: session.grant });
    expect((await tutorBoard.next('session_call')).call).toBeNull();
  });
});

describe('where session grants come from', () => {
  const members = (tutorId: number, studentId: number) => ({
    tutor: { profile_type: 'tutor', profile_id: tutorId },
    student: { profile_type: 'student', profile_id: studentId },
  });

  it("the platform's POST /v1/session-grants mints one both members join with", async () => {
    const platform = new PlatformClient(h.gateway.platformApiUrl, h.gateway.platformKey);
    const [tutorId, studentId] = [nextId++, nextId++];
    const sessionId = `s-${nextId++}`;
    const now = Date.now();
    const minted = await platform.call<SessionGrantResponse>(PLATFORM_ROUTES.sessionGrants, {
      session_id: sessionId,
      ...members(tutorId, studentId),
      starts_at: new Date(now).toISOString(),
      ends_at: new Date(now + 3_600_000).toISOString(),
    });
    expect(minted.status).toBe(200);
    expect(minted.body.expires_at).toBe(new Date(Math.floor((now + 3_600_000) / 1000) * 1000).toISOString());
    const session: Session = { sessionId, grant: minted.body.grant, tutorId, studentId };
    const tutor = await whiteboard('tutor', tutorId);
    const student = await whiteboard('student', studentId);
    join(tutor, session);
    await tutor.next('session_call');
    join(student, session);
    expect((await student.next('session_call', withStatus('active'))).call?.window_ends_at).toBe(minted.body.expires_at);

    const same = await platform.call(PLATFORM_ROUTES.sessionGrants, {
      session_id: sessionId,
      // One profile as both members is no session.
      tutor: { profile_type: 'tutor', profile_id: tutorId },
      student: { profile_type: 'tutor', profile_id: tutorId },
      starts_at: new Date(now).toISOString(),
      ends_at: new Date(now + 60_000).toISOString(),
    });
    expect(same.status).toBe(400);
  });

  it('POST /dev/session-grant mints one for a signed-in member only', async () => {
    const [tutorId, studentId] = [nextId++, nextId++];
    const ask = async (profileType: string, profileId: number) => {
      const { token } = await signToken(h.gateway.secret, { profile_type: profileType, profile_id: profileId, name: 'x' });
      return fetch(new URL(DEV_SESSION_GRANT_PATH, h.gateway.httpUrl), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ session_id: 'dev-lesson', ...members(tutorId, studentId) }),
      });
    };
    expect((await ask('parent', nextId++)).status).toBe(403);
    const answer = await ask('student', studentId);
    expect(answer.status).toBe(200);
    const { grant } = (await answer.json()) as SessionGrantResponse;
    const student = await whiteboard('student', studentId);
    student.send({ type: 'session_state', session_id: 'dev-lesson', session_grant: grant });
    expect((await student.next('session_call')).call).toBeNull();
  });
});

describe('whiteboard sockets', () => {
  it('are capped per profile apart from its chat sockets: the oldest beyond the cap is told and closed', async () => {
    const tutorId = nextId++;
    const chat = await Promise.all(Array.from({ length: SOCKETS_PER_PROFILE }, () => h.connect('tutor', tutorId)));
    const boards: SessionSocket[] = [];
    for (let index = 0; index < SOCKETS_PER_PROFILE; index++) boards.push(await whiteboard('tutor', tutorId));
    // As many whiteboard sockets as the cap leave every chat socket open.
    expect(chat.every((socket) => socket.ws.readyState === socket.ws.OPEN)).toBe(true);
    await whiteboard('tutor', tutorId);
    expect((await boards[0]!.next('error')).code).toBe('too_many_sockets');
    await boards[0]!.closed;
    expect(chat.every((socket) => socket.ws.readyState === socket.ws.OPEN)).toBe(true);
  });
});

describe('session call quality', () => {
  const summary = (overrides: Partial<CallQualitySummary> = {}): CallQualitySummary => ({
    rating: 'good',
    round_trip_ms_median: 42,
    loss_percent_median: 0.5,
    kbps_sent_median: 48,
    kbps_received_median: 51,
    relayed: false,
    local_candidate_type: 'host',
    remote_candidate_type: 'srflx',
    samples: 30,
    ...overrides,
  });

  async function endedSessionCall(): Promise<{ session: Session; tutor: SessionSocket; student: SessionSocket; callId: string }> {
    const session = await newSession();
    const tutor = await whiteboard('tutor', session.tutorId);
    const student = await whiteboard('student', session.studentId);
    join(tutor, session);
    await tutor.next('session_call');
    join(student, session);
    const { call } = await tutor.next('session_call', withStatus('active'));
    const callId = call?.call_id ?? '';
    tutor.send({ type: 'session_end', call_id: callId });
    await student.next('session_call', withStatus('ended'));
    return { session, tutor, student, callId };
  }

  it("keeps each member's summary once on the session call's log, shown in session_history, and answers nothing", async () => {
    const { session, tutor, student, callId } = await endedSessionCall();
    tutor.send({ type: 'session_quality', call_id: callId, summary: summary() });
    await storedCall(callId, (item) => item.tutor_quality !== undefined);
    // A second one from the tutor (a retry, another tab) changes nothing.
    tutor.send({ type: 'session_quality', call_id: callId, summary: summary({ rating: 'fair' }) });
    student.send({ type: 'session_quality', call_id: callId, summary: summary({ rating: 'poor', relayed: true }) });
    const stored = await storedCall(callId, (item) => item.tutor_quality !== undefined && item.student_quality !== undefined);
    expect(stored.tutor_quality).toEqual(summary());
    const [item] = await historyOf(student, session);
    expect(item?.quality).toEqual({ tutor: summary(), student: summary({ rating: 'poor', relayed: true }) });
    expect(tutor.received.filter((message) => message.type === 'error')).toEqual([]);
  });

  it('refuses a summary from a profile that is not a member of the call, and stores nothing', async () => {
    const { callId } = await endedSessionCall();
    const outsider = await whiteboard('student', nextId++);
    outsider.send({ type: 'session_quality', call_id: callId, summary: summary() });
    expect(await outsider.next('error')).toMatchObject({ code: 'not_a_participant', request_type: 'session_quality' });
    const stored = await storedCall(callId, () => true);
    expect(stored.tutor_quality).toBeUndefined();
    expect(stored.student_quality).toBeUndefined();
  });
});
