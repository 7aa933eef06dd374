/**
 * PROTOCOL.md `call_quality`: each party's end-of-call summary joins the call's log once, shows in
 * both parties' `call_history`, and is refused to anyone outside the call or too long after its
 * end. Real gateway (source or as deployed: the function's own IAM), real sockets, real store.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CallQualitySummary } from '../../shared/call-quality';
import { CALL_QUALITY_WINDOW_SECONDS } from '../../shared/limits';
import { CALL_LOGS_TABLE } from '../../shared/tables';
import { answer, offer, startHarness, type Harness } from '../support/harness';
import { captureRoutingLines, type RoutingLog } from '../support/routing-lines';
import type { TestSocket } from '../support/test-socket';

let h: Harness;
let log: RoutingLog;
let nextId = 8000;
const ids = () => [nextId++, nextId++] as const;

/** Long enough for a container's cold start as deployed on a busy machine (waits, not speed goals). */
const COLD_START_MS = 30_000;

beforeAll(async () => {
  log = captureRoutingLines();
  h = await startHarness({ quiet: false });
  // One call through every route the tests use, so that no test waits on a container booting.
  const [studentId, tutorId] = ids();
  const caller = await h.connect('student', studentId);
  const callee = await h.connect('tutor', tutorId);
  caller.send({ type: 'call_invitation', call_type: 'voice', to_profile_id: tutorId, to_profile_type: 'tutor', offer: offer() });
  const { call_id: callId } = await callee.next('call_invitation', undefined, COLD_START_MS);
  callee.send({ type: 'call_answer', call_id: callId, answer: answer() });
  await caller.next('call_answer', undefined, COLD_START_MS);
  caller.send({ type: 'call_ended', call_id: callId });
  await callee.next('call_ended', undefined, COLD_START_MS);
  caller.send({ type: 'call_history' });
  await caller.next('call_history', undefined, COLD_START_MS);
  caller.send({ type: 'call_quality', call_id: '01J0000000000000000000ZZZZ', summary: summary() });
  await caller.next('error', undefined, COLD_START_MS);
});
afterAll(async () => {
  await h?.close();
  log?.restore();
});

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

async function endedCall(): Promise<{ caller: TestSocket; callee: TestSocket; callId: string; studentId: number; tutorId: number }> {
  const [studentId, tutorId] = ids();
  const { caller, callee, callId } = await h.answeredCall(studentId, tutorId);
  caller.send({ type: 'call_ended', call_id: callId });
  await callee.next('call_ended');
  await h.settledLog(callId, (call) => call.status === 'ended');
  return { caller, callee, callId, studentId, tutorId };
}

async function historyItem(socket: TestSocket, callId: string) {
  socket.send({ type: 'call_history' });
  const { items } = await socket.next('call_history');
  return items.find((item) => item.call_id === callId);
}

/** Waits for the call's log to hold what was sent (the handler writes, and sends nothing back). */
const settledQuality = (callId: string, sides: number) =>
  h.settledLog(callId, (call) => Object.keys(call).filter((name) => name.endsWith('_quality')).length >= sides);

describe('call_quality', () => {
  it("keeps each side's summary on the call's log, shown in both parties' history, and answers nothing", async () => {
    const { caller, callee, callId } = await endedCall();
    caller.send({ type: 'call_quality', call_id: callId, summary: summary() });
    callee.send({
      type: 'call_quality',
      call_id: callId,
      summary: summary({ rating: 'poor', relayed: true, local_candidate_type: 'relay' }),
    });
    await settledQuality(callId, 2);
    expect(await caller.quietFor(100)).toEqual([]);
    expect(await callee.quietFor(0)).toEqual([]);

    const expected = { caller: summary(), callee: summary({ rating: 'poor', relayed: true, local_candidate_type: 'relay' }) };
    expect((await historyItem(caller, callId))?.quality).toEqual(expected);
    expect((await historyItem(callee, callId))?.quality).toEqual(expected);
  });

  it("writes a routing line with the summary's rating and relay use, which the CloudWatch metrics count", async () => {
    const { callee, callId } = await endedCall();
    callee.send({ type: 'call_quality', call_id: callId, summary: summary({ rating: 'fair', relayed: true }) });
    await vi.waitFor(() =>
      expect(log.lines().filter((line) => line.call_id === callId && line.route === 'call_quality')).toEqual([
        expect.objectContaining({ outcome: 'recorded', reason: 'callee', rating: 'fair', relayed: true, sockets_reached: 0 }),
      ]),
    );
  });

  it('keeps the first summary of a side: a second one from that side changes nothing', async () => {
    const { caller, callId } = await endedCall();
    caller.send({ type: 'call_quality', call_id: callId, summary: summary() });
    await settledQuality(callId, 1);
    caller.send({ type: 'call_quality', call_id: callId, summary: summary({ rating: 'poor' }) });
    await vi.waitFor(() =>
      expect(
        log
          .lines()
          .filter((line) => line.call_id === callId && line.route === 'call_quality')
          .map((line) => line.outcome),
      ).toEqual(['recorded', 'ignored']),
    );
    expect(await historyItem(caller, callId)).toMatchObject({ quality: { caller: summary() } });
    expect((await historyItem(caller, callId))?.quality).not.toHaveProperty('callee');
  });

  it("takes a party's summary from another of its sockets, and while the call still lasts", async () => {
    const [studentId, tutorId] = ids();
    const { callId } = await h.answeredCall(studentId, tutorId);
    const otherTab = await h.connect('tutor', tutorId);
    otherTab.send({ type: 'call_quality', call_id: callId, summary: summary({ rating: 'fair' }) });
    const stored = await settledQuality(callId, 1);
    expect(stored.status).toBe('answered');
    expect(await historyItem(otherTab, callId)).toMatchObject({ quality: { callee: summary({ rating: 'fair' }) } });
  });

  it('refuses a summary from outside the call, or for a call id that names no call, the same way', async () => {
    const { callId } = await endedCall();
    const stranger = await h.connect('parent', nextId++);
    stranger.send({ type: 'call_quality', call_id: callId, summary: summary() });
    expect(await stranger.next('error')).toMatchObject({ code: 'not_a_participant', request_type: 'call_quality', call_id: callId });
    const unknownId = '01J0000000000000000000ZZZZ';
    stranger.send({ type: 'call_quality', call_id: unknownId, summary: summary() });
    expect(await stranger.next('error')).toMatchObject({ code: 'not_a_participant', call_id: unknownId });
    expect(await h.callLog(callId)).not.toHaveProperty('caller_quality');
  });

  it('refuses a summary sent longer than the window after the end', async () => {
    const { caller, callId } = await endedCall();
    const longAgo = new Date(Date.now() - (CALL_QUALITY_WINDOW_SECONDS + 60) * 1000).toISOString();
    await h.db.send(
      new UpdateCommand({
        TableName: CALL_LOGS_TABLE.localName,
        Key: { call_id: callId },
        UpdateExpression: 'SET ended_at = :at',
        ExpressionAttributeValues: { ':at': longAgo },
      }),
    );
    caller.send({ type: 'call_quality', call_id: callId, summary: summary() });
    expect(await caller.next('error')).toMatchObject({ code: 'call_not_found', request_type: 'call_quality', call_id: callId });
    expect(await h.callLog(callId)).not.toHaveProperty('caller_quality');
  });

  it('refuses a summary that does not match the schema, and keeps nothing of it', async () => {
    const { caller, callId } = await endedCall();
    caller.send({ type: 'call_quality', call_id: callId, summary: { ...summary(), rating: 'excellent' } });
    expect(await caller.next('error')).toMatchObject({ code: 'invalid_message', request_type: 'call_quality' });
    expect(await h.callLog(callId)).not.toHaveProperty('caller_quality');
  });
});
