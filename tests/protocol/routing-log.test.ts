/** "Why did this call not ring?" is answered by the routing lines of one call id. */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { RoutingLine } from '../../shared/routing-line';
import { answer, candidate, offer, startHarness, type Harness } from '../support/harness';
import { captureRoutingLines, type RoutingLog } from '../support/routing-lines';

let h: Harness;
let log: RoutingLog;

beforeAll(async () => {
  log = captureRoutingLines();
  h = await startHarness({ quiet: false });
});
afterAll(async () => {
  await h?.close();
  log?.restore();
});

/** The routing lines of a call, once `count` of them are written (each is written after its replies). */
async function routingLines(callId: string, count: number): Promise<RoutingLine[]> {
  await vi.waitFor(() => expect(linesOf(callId).length).toBeGreaterThanOrEqual(count));
  return linesOf(callId);
}

function linesOf(callId: string): RoutingLine[] {
  return log.lines().filter((line) => line.call_id === callId);
}

it('follows one call from invitation to end by its call id', async () => {
  const caller = await h.connect('student', 1, 'John Doe');
  const callee = await h.connect('tutor', 2, 'Ada Tutor');
  caller.send({ type: 'call_invitation', call_type: 'video', to_profile_id: 2, to_profile_type: 'tutor', offer: offer() });
  const { call_id: callId } = await callee.next('call_invitation');
  callee.send({ type: 'call_answer', call_id: callId, answer: answer() });
  await caller.next('call_answer');
  caller.send({ type: 'ice_candidate', call_id: callId, candidate: candidate(5000) });
  await callee.next('ice_candidate');
  callee.send({ type: 'call_ended', call_id: callId });
  await caller.next('call_ended');
  await h.settledLog(callId, (call) => call.status === 'ended');

  const route = await routingLines(callId, 4);
  expect(route.map((line) => [line.route, line.outcome])).toEqual([
    ['call_invitation', 'ringing'],
    ['call_answer', 'answered'],
    ['ice_candidate', 'forwarded'],
    ['call_ended', 'ended'],
  ]);
  for (const line of route) {
    expect(line).toMatchObject({ from: 'student_1', to: 'tutor_2', sockets_reached: 1, gone_sockets: 0 });
    expect(line.ms).toBeGreaterThanOrEqual(0);
    expect(line.request_id).toBeTruthy();
  }
});

it('says why a call did not ring', async () => {
  const caller = await h.connect('student', 3);
  caller.send({ type: 'call_invitation', call_type: 'voice', to_profile_id: 4, to_profile_type: 'tutor', offer: offer() });
  const { call_id: callId } = await caller.next('call_declined');
  expect(await routingLines(callId, 1)).toEqual([
    expect.objectContaining({ route: 'call_invitation', outcome: 'declined', reason: 'offline', to: 'tutor_4', sockets_reached: 0 }),
  ]);
});

it('tells the operator which of the callee’s settings refused a call its caller heard as offline', async () => {
  const caller = await h.connect('student', 5);
  const callee = await h.connect('tutor', 6);
  const reasons: (string | null)[] = [];
  for (const change of [
    { block: [{ profile_id: 5, profile_type: 'student' }] },
    { unblock: [{ profile_id: 5, profile_type: 'student' }], who_can_call: 'nobody' },
    { who_can_call: 'conversations' },
  ]) {
    callee.send({ type: 'call_settings', ...change });
    await callee.next('call_settings');
    caller.send({ type: 'call_invitation', call_type: 'voice', to_profile_id: 6, to_profile_type: 'tutor', offer: offer() });
    const { call_id: callId, reason } = await caller.next('call_declined');
    expect(reason).toBe('offline');
    const [line] = await routingLines(callId, 1);
    expect(line).toMatchObject({ route: 'call_invitation', outcome: 'declined', from: 'student_5', to: 'tutor_6', sockets_reached: 0 });
    reasons.push(line!.reason);
  }
  expect(reasons).toEqual(['callee_settings_blocked', 'callee_settings_nobody', 'callee_settings_conversations']);
});
