/**
 * What each party reads in its history, from the call logs the real gateway and store write for
 * each way a call goes: the busy or offline callee missed the call (never "declined"), the one who
 * declined reads "You declined", the caller reads what the other side did.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer, startHarness, type Harness } from '../support/harness';
import { historyReader, type HistoryReader, type Person } from './history-reading';

let h: Harness;
let person: HistoryReader['person'];
let invite: HistoryReader['invite'];
let readsAs: HistoryReader['readsAs'];
let freshId: HistoryReader['freshId'];

describe('history words, from each side of a real call log', () => {
  beforeAll(async () => {
    h = await startHarness();
    ({ person, invite, readsAs, freshId } = historyReader(h));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a callee who was in another call missed it; the caller reads that they were busy', async () => {
    const hana = await person('student', 'Hana Sato');
    const ivan = await person('tutor', 'Ivan Petrov');
    const jo = await person('parent', 'Jo Kim');
    invite(hana, ivan);
    const { call_id: first } = await ivan.socket.next('call_invitation');
    ivan.socket.send({ type: 'call_answer', call_id: first, answer: answer() });
    await hana.socket.next('call_answer');

    invite(jo, ivan);
    const { call_id: busyCall } = await jo.socket.next('call_declined', (m) => m.reason === 'busy');

    expect(await readsAs(ivan, busyCall)).toEqual({
      outcome: 'missed_while_busy',
      missed: true,
      summary: 'Missed while you were in a call · voice',
    });
    // Jo never heard Ivan's name (he did not answer), so the page names the profile.
    expect(await readsAs(jo, busyCall)).toMatchObject({
      outcome: 'busy',
      missed: false,
      summary: `Tutor ${ivan.id} was busy · voice call`,
    });
    hana.socket.send({ type: 'call_ended', call_id: first });
  });

  it('a call to an offline profile is a missed call for it, and "couldn’t be reached" for the caller', async () => {
    const kofi = await person('student', 'Kofi Mensah');
    const lea = { type: 'tutor', id: freshId() };
    invite(kofi, lea);
    const { call_id: callId } = await kofi.socket.next('call_declined', (m) => m.reason === 'offline');
    expect(await readsAs(kofi, callId)).toMatchObject({
      outcome: 'unreachable',
      summary: `Tutor ${lea.id} couldn't be reached · voice call`,
    });

    const leaOnline: Person = { socket: await h.connect(lea.type, lea.id, 'Lea Dubois'), ...lea };
    expect(await readsAs(leaOnline, callId)).toEqual({
      outcome: 'missed_while_offline',
      missed: true,
      summary: 'Missed while you were offline · voice',
    });
  });

  it('a declined call: "You declined" for the callee, declined by name for the caller; a refusal, not a missed call', async () => {
    const mia = await person('student', 'Mia Novak');
    const noah = await person('tutor', 'Noah Berg');
    invite(mia, noah);
    const { call_id: callId } = await noah.socket.next('call_invitation');
    noah.socket.send({ type: 'call_declined', call_id: callId });
    await mia.socket.next('call_declined');
    expect(await readsAs(noah, callId)).toEqual({ outcome: 'declined_by_me', missed: false, summary: 'You declined · voice call' });
    expect(await readsAs(mia, callId)).toEqual({ outcome: 'declined_by_them', missed: false, summary: 'Noah Berg declined · voice call' });
  });

  it('a call the caller gave up on: cancelled for the caller, missed for the callee', async () => {
    const olga = await person('student', 'Olga Ivanova');
    const paul = await person('tutor', 'Paul Smith');
    invite(olga, paul);
    const { call_id: callId } = await paul.socket.next('call_invitation');
    olga.socket.send({ type: 'call_ended', call_id: callId });
    await paul.socket.next('call_ended');
    expect(await readsAs(olga, callId)).toMatchObject({ outcome: 'cancelled', missed: false, summary: 'Cancelled · voice call' });
    expect(await readsAs(paul, callId)).toEqual({ outcome: 'missed', missed: true, summary: 'Missed voice call' });
  });

  it('a call the callee blocked the caller for reads as unreachable to the caller, and is not in the callee’s history', async () => {
    const rita = await person('student', 'Rita Gomez');
    const sol = await person('tutor', 'Sol Park');
    sol.socket.send({ type: 'call_settings', block: [{ profile_id: rita.id, profile_type: rita.type }] });
    await sol.socket.next('call_settings');
    invite(rita, sol);
    const { call_id: callId } = await rita.socket.next('call_declined');
    expect(await readsAs(rita, callId)).toMatchObject({ outcome: 'unreachable' });
    expect(await readsAs(sol, callId)).toBeUndefined();
  });

  it('an answered call reads as outgoing or incoming with its length, for each side', async () => {
    const uma = await person('student', 'Uma Rao');
    const vic = await person('tutor', 'Vic Hale');
    invite(uma, vic);
    const { call_id: callId } = await vic.socket.next('call_invitation');
    vic.socket.send({ type: 'call_answer', call_id: callId, answer: answer() });
    await uma.socket.next('call_answer');
    vic.socket.send({ type: 'call_ended', call_id: callId });
    await uma.socket.next('call_ended');
    expect(await readsAs(uma, callId)).toMatchObject({
      outcome: 'completed',
      missed: false,
      summary: expect.stringMatching(/^Outgoing voice · \d+:\d\d$/),
    });
    expect(await readsAs(vic, callId)).toMatchObject({
      outcome: 'completed',
      missed: false,
      summary: expect.stringMatching(/^Incoming voice · \d+:\d\d$/),
    });
  });
});
