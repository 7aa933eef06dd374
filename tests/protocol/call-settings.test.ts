/**
 * PROTOCOL.md "Call settings", over real WebSockets: a profile's own who-can-call setting and block
 * list, kept by the service and read on every invitation. A refused caller hears exactly what a
 * caller of an unknown profile hears; nothing rings, nothing about the callee leaks (online, busy,
 * devices), and the refused call never shows in the callee's history.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BLOCKED_PROFILES } from '../../shared/limits';
import type { ServerMessage, ServerMessageOf } from '../../shared/protocol';
import { CALL_LOGS_TABLE, CONNECTIONS_TABLE, lineItemKey } from '../../shared/tables';
import { profileKey } from '../../shared/profile';
import { answer, offer, startHarness, studentTutorGrant, type Harness } from '../support/harness';
import { callInvariantViolations } from '../support/invariants';
import type { TestSocket } from '../support/test-socket';

let h: Harness;
let nextId = 3000;
const id = () => nextId++;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  if (h) expect(await callInvariantViolations(h.db)).toEqual([]);
  await h?.close();
});

const invitation = (tutorId: number, extra: object = {}) => ({
  type: 'call_invitation',
  call_type: 'video',
  to_profile_id: tutorId,
  to_profile_type: 'tutor',
  conversation_id: 77,
  offer: offer(),
  ...extra,
});

/** Changes (or, with no fields, reads) the socket's settings; resolves with the answer it gets. */
async function settings(socket: TestSocket, change: object = {}): Promise<ServerMessageOf<'call_settings'>> {
  socket.send({ type: 'call_settings', ...change });
  return socket.next('call_settings');
}

/** A message as its bytes, less what differs between any two calls (their id and clock). */
function withoutCallIdAndTime(message: ServerMessage): string {
  const { call_id: _id, sent_at: _at, ...rest } = message as ServerMessage & { call_id?: string; sent_at?: string };
  return JSON.stringify(rest);
}

/** Calls the tutor; the declined answer the caller gets. */
async function declinedCall(caller: TestSocket, tutorId: number, extra: object = {}): Promise<ServerMessageOf<'call_declined'>> {
  caller.send(invitation(tutorId, extra));
  return caller.next('call_declined');
}

const invitationsAt = (socket: TestSocket) => socket.received.filter((message) => message.type === 'call_invitation');

const grant = (studentId: number, tutorId: number): Promise<string> => studentTutorGrant(h, studentId, tutorId, 77);

async function lineOf(profileType: string, profileId: number): Promise<Record<string, unknown> | undefined> {
  const { Item } = await h.db.send(
    new GetCommand({ TableName: CONNECTIONS_TABLE.localName, Key: { pk: lineItemKey(profileKey(profileType, profileId)) } }),
  );
  return Item;
}

async function historyOf(socket: TestSocket) {
  socket.send({ type: 'call_history' });
  return (await socket.next('call_history')).items;
}

describe('reading and changing one’s settings', () => {
  it('starts at everyone with nobody blocked, and answers a read to the asking socket only', async () => {
    const tutorId = id();
    const [tab, otherTab] = [await h.connect('tutor', tutorId), await h.connect('tutor', tutorId)];
    const read = await settings(tab);
    expect(read).toMatchObject({ type: 'call_settings', who_can_call: 'everyone', blocked: [] });
    expect(Date.parse(read.sent_at)).not.toBeNaN();
    expect(await otherTab.quietFor(150, ['call_settings'])).toEqual([]);
  });

  it('lists blocked profiles newest first, with the names given (null when none), ids as sent', async () => {
    const tutorId = id();
    const tab = await h.connect('tutor', tutorId);
    await settings(tab, { block: [{ profile_id: 11, profile_type: 'student', name: 'Sam' }] });
    await settings(tab, { block: [{ profile_id: 'p-12', profile_type: 'parent' }] });
    const listed = await settings(tab, {
      block: [
        { profile_id: 13, profile_type: 'student' },
        { profile_id: 14, profile_type: 'advertiser', name: 'Ads Inc' },
      ],
    });
    expect(listed.blocked).toEqual([
      { profile_id: 13, profile_type: 'student', name: null },
      { profile_id: 14, profile_type: 'advertiser', name: 'Ads Inc' },
      { profile_id: 'p-12', profile_type: 'parent', name: null },
      { profile_id: 11, profile_type: 'student', name: 'Sam' },
    ]);

    // Blocking again keeps the place (and takes a new name); "11" is the same profile as 11.
    const again = await settings(tab, { block: [{ profile_id: '11', profile_type: 'student', name: 'Sam Smith' }] });
    expect(again.blocked.at(-1)).toEqual({ profile_id: 11, profile_type: 'student', name: 'Sam Smith' });
    expect(again.blocked).toHaveLength(4);

    const unblocked = await settings(tab, { unblock: [{ profile_id: '13', profile_type: 'student' }], who_can_call: 'conversations' });
    expect(unblocked.who_can_call).toBe('conversations');
    expect(unblocked.blocked.map((entry) => entry.profile_id)).toEqual([14, 'p-12', 11]);
    expect(await settings(tab)).toMatchObject({ who_can_call: 'conversations', blocked: unblocked.blocked });
  });

  it('tells every socket of the profile when the settings change, and no one else', async () => {
    const tutorId = id();
    const [tab, otherTab] = [await h.connect('tutor', tutorId), await h.connect('tutor', tutorId)];
    const stranger = await h.connect('student', id());
    const changed = await settings(tab, { who_can_call: 'nobody', block: [{ profile_id: 21, profile_type: 'student' }] });
    const heard = await otherTab.next('call_settings');
    expect(withoutCallIdAndTime(heard)).toBe(withoutCallIdAndTime(changed));
    expect(heard).toMatchObject({ who_can_call: 'nobody', blocked: [{ profile_id: 21, profile_type: 'student', name: null }] });
    expect(await stranger.quietFor(100, ['call_settings'])).toEqual([]);
  });

  it('keeps both of two changes made at once from two tabs', async () => {
    const tutorId = id();
    const [tab, otherTab] = [await h.connect('tutor', tutorId), await h.connect('tutor', tutorId)];
    // Four each: with the read at the end, within the profile's burst of settings changes and lookups.
    const fromTab = Array.from({ length: 4 }, (_, index) => 100 + index);
    const fromOtherTab = Array.from({ length: 4 }, (_, index) => 200 + index);
    for (let index = 0; index < fromTab.length; index++) {
      tab.send({ type: 'call_settings', block: [{ profile_id: fromTab[index], profile_type: 'student' }] });
      otherTab.send({ type: 'call_settings', block: [{ profile_id: fromOtherTab[index], profile_type: 'student' }] });
    }
    // Each tab hears every change: its own four and the other tab's.
    for (let index = 0; index < fromTab.length * 2; index++) await Promise.all([tab.next('call_settings'), otherTab.next('call_settings')]);
    const blocked = (await settings(tab)).blocked.map((entry) => entry.profile_id);
    expect([...blocked].sort()).toEqual([...fromTab, ...fromOtherTab].sort());
  });

  it('ignores blocking oneself: one cannot call oneself anyway', async () => {
    const tutorId = id();
    const tab = await h.connect('tutor', tutorId);
    expect((await settings(tab, { block: [{ profile_id: tutorId, profile_type: 'tutor' }] })).blocked).toEqual([]);
  });

  it('refuses a setting it does not know, a profile type the deployment does not have, and changes nothing', async () => {
    const tutorId = id();
    const tab = await h.connect('tutor', tutorId);
    tab.send({ type: 'call_settings', who_can_call: 'friends' });
    expect(await tab.next('error')).toMatchObject({ code: 'invalid_message', request_type: 'call_settings' });
    tab.send({ type: 'call_settings', block: [{ profile_id: 1, profile_type: 'robot' }], who_can_call: 'nobody' });
    expect(await tab.next('error')).toMatchObject({ code: 'invalid_message', message: 'Unknown profile type "robot"' });
    expect(await settings(tab)).toMatchObject({ who_can_call: 'everyone', blocked: [] });
  });

  it(`blocks at most ${MAX_BLOCKED_PROFILES} profiles, saying so plainly, and still swaps one for another`, async () => {
    const tutorId = id();
    const tab = await h.connect('tutor', tutorId);
    const students = (from: number, count: number) =>
      Array.from({ length: count }, (_, index) => ({ profile_id: from + index, profile_type: 'student' }));

    tab.send({ type: 'call_settings', block: students(10_000, MAX_BLOCKED_PROFILES + 1) });
    expect(await tab.next('error')).toMatchObject({
      code: 'invalid_message',
      message: `block: at most ${MAX_BLOCKED_PROFILES} profiles at once`,
    });

    expect((await settings(tab, { block: students(10_000, MAX_BLOCKED_PROFILES) })).blocked).toHaveLength(MAX_BLOCKED_PROFILES);
    tab.send({ type: 'call_settings', block: students(20_000, 1) });
    expect(await tab.next('error')).toMatchObject({
      code: 'invalid_message',
      request_type: 'call_settings',
      message: `You can block at most ${MAX_BLOCKED_PROFILES} profiles; unblock some before blocking more`,
    });
    const swapped = await settings(tab, { unblock: students(10_000, 1), block: students(20_000, 1) });
    expect(swapped.blocked).toHaveLength(MAX_BLOCKED_PROFILES);
    expect(swapped.blocked[0]).toEqual({ profile_id: 20_000, profile_type: 'student', name: null });
    expect(swapped.blocked.some((entry) => entry.profile_id === 10_000)).toBe(false);
  });
});

describe('a refused caller', () => {
  it('hears, from a block, byte for byte what it hears from a profile that does not exist, and nothing rings', async () => {
    const [studentId, tutorId] = [id(), id()];
    const caller = await h.connect('student', studentId, 'John Doe');
    const unknown = await declinedCall(caller, tutorId);

    const tabs = [await h.connect('tutor', tutorId, 'Ada Tutor'), await h.connect('tutor', tutorId, 'Ada Tutor')];
    await settings(tabs[0]!, { block: [{ profile_id: studentId, profile_type: 'student', name: 'John Doe' }] });
    const blocked = await declinedCall(caller, tutorId);

    expect(unknown).toMatchObject({ reason: 'offline', from_profile_id: tutorId, from_name: null });
    expect(withoutCallIdAndTime(blocked)).toBe(withoutCallIdAndTime(unknown));
    expect(caller.received.map((message) => message.type)).not.toContain('call_ringing');
    expect(await tabs[1]!.quietFor(150, ['call_invitation'])).toEqual([]);
    expect(invitationsAt(tabs[0]!)).toEqual([]);
  });

  it('hears the same from a profile that takes no calls, online or not', async () => {
    const [studentId, tutorId] = [id(), id()];
    const caller = await h.connect('student', studentId);
    const unknown = await declinedCall(caller, tutorId);
    const tab = await h.connect('tutor', tutorId);
    await settings(tab, { who_can_call: 'nobody' });
    const online = await declinedCall(caller, tutorId);
    // Even the platform's grant does not ring a profile that takes no calls.
    const granted = await declinedCall(caller, tutorId, { call_grant: await grant(studentId, tutorId) });
    expect(withoutCallIdAndTime(online)).toBe(withoutCallIdAndTime(unknown));
    expect(withoutCallIdAndTime(granted)).toBe(withoutCallIdAndTime(unknown));
    expect(await tab.quietFor(100, ['call_invitation'])).toEqual([]);
  });

  it('finds the refused call in its own history just as a call to an unknown profile, and the callee never sees it', async () => {
    const [studentId, tutorId] = [id(), id()];
    const caller = await h.connect('student', studentId);
    const unknownCall = (await declinedCall(caller, tutorId)).call_id;
    const tab = await h.connect('tutor', tutorId);
    await settings(tab, { block: [{ profile_id: studentId, profile_type: 'student' }] });
    const refusedCall = (await declinedCall(caller, tutorId)).call_id;

    const [refused, unknown] = await historyOf(caller);
    expect([refused?.call_id, unknown?.call_id]).toEqual([refusedCall, unknownCall]);
    const { call_id: _a, started_at: _b, ended_at: _c, created_at: _d, ...refusedColumns } = refused!;
    const { call_id: _e, started_at: _f, ended_at: _g, created_at: _h, ...unknownColumns } = unknown!;
    expect(refusedColumns).toEqual(unknownColumns);
    expect(refusedColumns).toMatchObject({ status: 'declined', end_reason: 'offline' });

    expect((await historyOf(tab)).map((item) => item.call_id)).toEqual([unknownCall]);
    const { Item } = await h.db.send(new GetCommand({ TableName: CALL_LOGS_TABLE.localName, Key: { call_id: refusedCall } }));
    expect(Item).not.toHaveProperty('callee_key');
  });

  it('rings again once unblocked', async () => {
    const [studentId, tutorId] = [id(), id()];
    const caller = await h.connect('student', studentId);
    const tab = await h.connect('tutor', tutorId);
    await settings(tab, { block: [{ profile_id: studentId, profile_type: 'student' }] });
    expect((await declinedCall(caller, tutorId)).reason).toBe('offline');
    await settings(tab, { unblock: [{ profile_id: studentId, profile_type: 'student' }] });
    caller.send(invitation(tutorId));
    const ringing = await caller.next('call_ringing');
    expect((await tab.next('call_invitation')).call_id).toBe(ringing.call_id);
    caller.send({ type: 'call_ended', call_id: ringing.call_id });
    await tab.next('call_ended');
  });

  it('is rung through by a profile that takes calls from its conversations only when the platform vouches for the pair', async () => {
    const [studentId, tutorId] = [id(), id()];
    const [otherTutorId] = [id()];
    const caller = await h.connect('student', studentId);
    const tab = await h.connect('tutor', tutorId);
    await settings(tab, { who_can_call: 'conversations' });

    const unvouched = await declinedCall(caller, tutorId);
    expect(unvouched.reason).toBe('offline');
    expect(await tab.quietFor(100, ['call_invitation'])).toEqual([]);

    caller.send(invitation(tutorId, { call_grant: await grant(studentId, tutorId) }));
    const ringing = await caller.next('call_ringing');
    expect((await tab.next('call_invitation')).call_id).toBe(ringing.call_id);
    caller.send({ type: 'call_ended', call_id: ringing.call_id });
    await tab.next('call_ended');

    // A grant for another callee is not this pair's: the policy refuses it before the settings are read.
    caller.send(invitation(tutorId, { call_grant: await grant(studentId, otherTutorId) }));
    expect(await caller.next('error')).toMatchObject({ code: 'forbidden' });
  });

  it('never learns busy, nor how many devices ring, nor holds the callee’s line', async () => {
    const [blockedId, tutorId] = [id(), id()];
    const [otherStudentId, inCallStudentId] = [id(), id()];
    const blockedCaller = await h.connect('student', blockedId);
    const otherCaller = await h.connect('student', otherStudentId);
    const tabs = [await h.connect('tutor', tutorId), await h.connect('tutor', tutorId)];
    await settings(tabs[0]!, { block: [{ profile_id: blockedId, profile_type: 'student' }] });

    // Two devices ringable: only a caller who may call hears how many rang.
    expect((await declinedCall(blockedCaller, tutorId)).reason).toBe('offline');
    expect(blockedCaller.received.map((message) => message.type)).not.toContain('call_ringing');
    expect(await lineOf('tutor', tutorId)).toBeUndefined();
    expect(await lineOf('student', blockedId)).toBeUndefined();

    // In a call: a caller who may call hears busy; the blocked one hears offline, as ever.
    const inCall = await h.connect('student', inCallStudentId);
    inCall.send(invitation(tutorId));
    const { call_id: callId } = await tabs[0]!.next('call_invitation');
    tabs[0]!.send({ type: 'call_answer', call_id: callId, answer: answer() });
    await inCall.next('call_answer');
    expect((await declinedCall(otherCaller, tutorId)).reason).toBe('busy');
    expect((await declinedCall(blockedCaller, tutorId)).reason).toBe('offline');
    expect(await lineOf('tutor', tutorId)).toMatchObject({ call_id: callId });

    inCall.send({ type: 'call_ended', call_id: callId });
    await tabs[0]!.next('call_ended');
    otherCaller.send(invitation(tutorId));
    const ringing = await otherCaller.next('call_ringing');
    expect(ringing.devices).toBe(2);
    otherCaller.send({ type: 'call_ended', call_id: ringing.call_id });
    await tabs[1]!.next('call_ended', (ended) => ended.call_id === ringing.call_id);
  });
});

describe('presence', () => {
  const asked = async (asker: TestSocket, tutorId: number, extra: object = {}) => {
    asker.send({ type: 'presence_query', profiles: [{ profile_id: tutorId, profile_type: 'tutor', ...extra }] });
    return (await asker.next('presence')).profiles;
  };

  it('shows a profile offline, exactly as an absent one, to those it blocked and to everyone when it takes no calls', async () => {
    const [blockedId, otherId] = [id(), id()];
    const [tutorId, absentTutorId] = [id(), id()];
    const blocked = await h.connect('student', blockedId);
    const other = await h.connect('student', otherId);
    const tab = await h.connect('tutor', tutorId);
    const absent = (await asked(blocked, absentTutorId))[0];

    expect(await asked(blocked, tutorId)).toEqual([{ profile_id: tutorId, profile_type: 'tutor', online: true }]);
    await settings(tab, { block: [{ profile_id: blockedId, profile_type: 'student' }] });
    expect(await asked(blocked, tutorId)).toEqual([{ ...absent, profile_id: tutorId }]);
    expect(await asked(other, tutorId)).toEqual([{ profile_id: tutorId, profile_type: 'tutor', online: true }]);

    await settings(tab, { who_can_call: 'nobody' });
    expect(await asked(other, tutorId)).toEqual([{ ...absent, profile_id: tutorId }]);
  });

  it('shows a profile that takes calls from its conversations only to an asker with a grant for the pair', async () => {
    const [studentId, tutorId] = [id(), id()];
    const [otherTutorId] = [id()];
    const asker = await h.connect('student', studentId);
    const tab = await h.connect('tutor', tutorId);
    await settings(tab, { who_can_call: 'conversations' });

    expect((await asked(asker, tutorId))[0]?.online).toBe(false);
    expect((await asked(asker, tutorId, { call_grant: await grant(studentId, tutorId) }))[0]?.online).toBe(true);
    expect((await asked(asker, tutorId, { call_grant: await grant(studentId, otherTutorId) }))[0]?.online).toBe(false);
    expect((await asked(asker, tutorId, { call_grant: 'not-a-grant' }))[0]?.online).toBe(false);
    // The grant is the asker's own: another student's grant for this tutor shows nothing.
    expect((await asked(asker, tutorId, { call_grant: await grant(studentId + 1, tutorId) }))[0]?.online).toBe(false);
  });

  it('shows oneself offline: one cannot call oneself', async () => {
    const tutorId = id();
    const tab = await h.connect('tutor', tutorId);
    await h.connect('tutor', tutorId);
    expect((await asked(tab, tutorId))[0]?.online).toBe(false);
  });
});
