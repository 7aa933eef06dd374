/**
 * PROTOCOL.md "Calls": a callee device the call was ringing on comes back on a new socket
 * (`call_resume` with `ringing`), as after the service restarted. What was said while it was away
 * reaches it now, a caller gone without `$disconnect` cancels the call, and an answered call is
 * never taken over by a device that only rang.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_LOGS_TABLE } from '../../shared/tables';
import { answer, offer, startHarness, type Harness } from '../support/harness';
import { callInvariantViolations } from '../support/invariants';
import type { TestSocket } from '../support/test-socket';
import { deadConnectionId } from './dead-sockets';

let h: Harness;
let nextId = 9500;
const ids = () => [nextId++, nextId++] as const;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  if (h) expect(await callInvariantViolations(h.db)).toEqual([]);
  await h?.close();
});

async function ringingCall(studentId: number, tutorId: number): Promise<{ caller: TestSocket; rung: TestSocket; callId: string }> {
  const caller = await h.connect('student', studentId, 'John Doe');
  const rung = await h.connect('tutor', tutorId, 'Ada Tutor');
  caller.send({ type: 'call_invitation', call_type: 'video', to_profile_id: tutorId, to_profile_type: 'tutor', offer: offer() });
  const { call_id: callId } = await rung.next('call_invitation');
  await caller.next('call_ringing');
  return { caller, rung, callId };
}

/** What a crashed gateway leaves: the caller's socket gone, and no `$disconnect` for it ever. */
async function callerLeftWithoutDisconnect(callId: string): Promise<void> {
  await h.db.send(
    new UpdateCommand({
      TableName: CALL_LOGS_TABLE.localName,
      Key: { call_id: callId },
      UpdateExpression: 'SET caller_connection_id = :gone',
      ConditionExpression: '#status = :initiated',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':gone': deadConnectionId(), ':initiated': 'initiated' },
    }),
  );
}

describe('a ringing callee device back on a new socket', () => {
  it('is bound to the ringing: the caller’s cancel reaches the new socket', async () => {
    const [studentId, tutorId] = ids();
    const { caller, callId } = await ringingCall(studentId, tutorId);
    const back = await h.connect('tutor', tutorId, 'Ada Tutor');

    back.send({ type: 'call_resume', call_id: callId, ringing: true });
    await back.next('call_resumed');
    caller.send({ type: 'call_ended', call_id: callId });
    expect(await back.next('call_ended')).toMatchObject({ call_id: callId, reason: 'cancelled', from_profile_id: studentId });
  });

  it('binds two devices that come back at once: both hear the answer elsewhere', async () => {
    const [studentId, tutorId] = ids();
    const { caller, rung, callId } = await ringingCall(studentId, tutorId);
    const [first, second] = await Promise.all([h.connect('tutor', tutorId), h.connect('tutor', tutorId)]);

    first.send({ type: 'call_resume', call_id: callId, ringing: true });
    second.send({ type: 'call_resume', call_id: callId, ringing: true });
    await Promise.all([first.next('call_resumed'), second.next('call_resumed')]);
    rung.send({ type: 'call_answer', call_id: callId, answer: answer() });
    await caller.next('call_answer');
    for (const device of [first, second]) {
      expect(await device.next('call_ended')).toMatchObject({ call_id: callId, reason: 'answered_elsewhere' });
    }
    caller.send({ type: 'call_ended', call_id: callId });
  });

  it('cancels the call when the caller’s socket is gone without $disconnect, and tells every callee device', async () => {
    const [studentId, tutorId] = ids();
    const { rung, callId } = await ringingCall(studentId, tutorId);
    await callerLeftWithoutDisconnect(callId);
    const back = await h.connect('tutor', tutorId);

    back.send({ type: 'call_resume', call_id: callId, ringing: true });
    expect(await back.next('call_ended')).toMatchObject({ call_id: callId, reason: 'cancelled', from_profile_id: studentId });
    expect(await rung.next('call_ended')).toMatchObject({ call_id: callId, reason: 'cancelled' });
    expect(await h.settledLog(callId, (call) => call.status !== 'initiated')).toMatchObject({ status: 'missed', end_reason: 'cancelled' });
  });

  it('hears how a call that ended while it was away ended: cancelled, or answered elsewhere', async () => {
    const [studentId, tutorId] = ids();
    const cancelled = await ringingCall(studentId, tutorId);
    cancelled.caller.send({ type: 'call_ended', call_id: cancelled.callId });
    await cancelled.rung.next('call_ended');
    const back = await h.connect('tutor', tutorId);
    back.send({ type: 'call_resume', call_id: cancelled.callId, ringing: true });
    expect(await back.next('call_ended')).toMatchObject({ call_id: cancelled.callId, reason: 'cancelled' });

    const answered = await ringingCall(studentId, tutorId);
    answered.rung.send({ type: 'call_answer', call_id: answered.callId, answer: answer() });
    await answered.caller.next('call_answer');
    back.send({ type: 'call_resume', call_id: answered.callId, ringing: true });
    expect(await back.next('call_ended', (m) => m.call_id === answered.callId)).toMatchObject({ reason: 'answered_elsewhere' });
    // The device that only rang took nothing over: the answering socket is still in the call.
    answered.caller.send({ type: 'call_ended', call_id: answered.callId });
    expect(await answered.rung.next('call_ended', (m) => m.call_id === answered.callId)).toMatchObject({ reason: 'hangup' });
  });
});
