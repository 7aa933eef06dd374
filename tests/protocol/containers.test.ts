/**
 * What must hold however the handlers are spread over Lambda containers (each function its own,
 * each container its own memory and only the access its function is granted), over real sockets.
 * In the gateway's as-deployed mode these messages land in separate containers.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ServerMessage } from '../../shared/protocol';
import { candidate, offer, startHarness, type Harness } from '../support/harness';
import { callInvariantViolations } from '../support/invariants';
import type { TestSocket } from '../support/test-socket';
import { bindToDeadSockets } from './dead-sockets';

const GRACE_SECONDS = 1.5;
let h: Harness;
let nextId = 7000;
const ids = () => [nextId++, nextId++] as const;

beforeAll(async () => {
  h = await startHarness({ resumeGraceSeconds: GRACE_SECONDS, sweepIntervalMs: 100 });
});
afterAll(async () => {
  if (h) expect(await callInvariantViolations(h.db)).toEqual([]);
  await h?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('candidates after the call changed elsewhere', () => {
  it('are dropped once the other party ended the call, though both sockets are still open', async () => {
    const [studentId, tutorId] = ids();
    const { caller, callee, callId } = await h.answeredCall(studentId, tutorId);
    caller.send({ type: 'ice_candidate', call_id: callId, candidate: candidate(1) });
    expect(await callee.next('ice_candidate')).toMatchObject({ candidate: candidate(1) });

    callee.send({ type: 'call_ended', call_id: callId });
    expect(await caller.next('call_ended')).toMatchObject({ reason: 'hangup' });
    caller.send({ type: 'ice_candidate', call_id: callId, candidate: candidate(2) });
    expect(await callee.quietFor(400, ['ice_candidate'])).toEqual([]);
    expect(await caller.quietFor(0, ['error'])).toEqual([]);
  });

  it('go only to the new socket of a call moved while the old socket is still open', async () => {
    const [studentId, tutorId] = ids();
    const { caller, callee, callId } = await h.answeredCall(studentId, tutorId);
    caller.send({ type: 'ice_candidate', call_id: callId, candidate: candidate(1) });
    await callee.next('ice_candidate');

    const replacement = await h.connect('tutor', tutorId, 'Ada Tutor');
    replacement.send({ type: 'call_resume', call_id: callId });
    await replacement.next('call_resumed');
    await caller.next('call_resumed');

    caller.send({ type: 'ice_candidate', call_id: callId, candidate: candidate(2) });
    expect(await replacement.next('ice_candidate')).toMatchObject({ candidate: candidate(2) });
    expect(await callee.quietFor(300, ['ice_candidate'])).toEqual([]);
    replacement.send({ type: 'call_ended', call_id: callId });
    await caller.next('call_ended');
  });
});

describe('a peer socket gone without $disconnect', () => {
  it('is found by the candidates sent to it: the sender hears peer_reconnecting, and the call ends disconnected after the grace', async () => {
    const [studentId, tutorId] = ids();
    const { caller, callee, callId } = await h.answeredCall(studentId, tutorId);
    await bindToDeadSockets(h.db, callId, { callee: true });
    // The tab the callee answered from is not bound to the call any more: closing it changes nothing.
    await callee.close();

    caller.send({ type: 'ice_candidate', call_id: callId, candidate: candidate(3) });
    expect(await caller.next('peer_reconnecting')).toMatchObject({
      call_id: callId,
      from_profile_id: tutorId,
      grace_seconds: GRACE_SECONDS,
    });
    expect(await caller.next('call_ended', undefined, GRACE_SECONDS * 1000 + 3_000)).toMatchObject({
      call_id: callId,
      reason: 'disconnected',
    });
    expect(await h.settledLog(callId, (call) => call.status === 'ended')).toMatchObject({ end_reason: 'disconnected' });
  });
});

/** Sends a frame, and drops the connection as soon as it is on its way (no close handshake). */
function sendAndDrop(socket: TestSocket, frame: string): Promise<void> {
  return new Promise((resolve) =>
    socket.ws.send(frame, () => {
      socket.terminate();
      resolve();
    }),
  );
}

describe('a client that sends a frame and drops at once', () => {
  it('leaves no failed invocation behind, and the gateway keeps serving', async () => {
    // In source mode the handlers log in this process; as deployed the gateway keeps their problem lines.
    const stderr = vi.spyOn(process.stderr, 'write');
    try {
      const frames = [
        JSON.stringify({ type: 'ping', ts: 1 }),
        '{"type": "ping", oops',
        JSON.stringify({ type: 'presence_query', profiles: [{ profile_id: 1, profile_type: 'tutor' }] }),
        JSON.stringify({ type: 'ice_servers' }),
        JSON.stringify({ type: 'call_history', limit: 5 }),
      ];
      for (const frame of frames) {
        const [studentId] = ids();
        await sendAndDrop(await h.connect('student', studentId), frame);
      }
      // The replies find their senders gone; give them time to try.
      await sleep(500);

      const [otherId] = ids();
      const other = await h.connect('parent', otherId);
      other.send({ type: 'ping', ts: 2 });
      expect(await other.next('pong')).toMatchObject({ ts: 2 });
      const failures = stderr.mock.calls.map(([chunk]) => String(chunk)).filter((line) => line.includes('handler_failed'));
      expect(failures).toEqual([]);
      expect(h.gateway.problems()).toEqual([]);
    } finally {
      stderr.mockRestore();
    }
  });
});

/** Waits until `count` messages of `types` have arrived on the socket. */
async function collect(socket: TestSocket, types: readonly ServerMessage['type'][], count: number): Promise<ServerMessage[]> {
  const until = Date.now() + 5_000;
  for (;;) {
    const seen = socket.received.filter((message) => types.includes(message.type));
    if (seen.length >= count || Date.now() > until) return seen;
    await sleep(20);
  }
}

describe('the offer limit', () => {
  it('lets exactly 5 of 8 offers sent at once from one socket through, and answers the refused ones once per container', async () => {
    const [studentId] = ids();
    const flooder = await h.connect('student', studentId);
    // Each to another offline tutor, so that only the rate limit refuses (not the limit on repeated rings).
    const invitation = (tutorId: number) => ({
      type: 'call_invitation',
      call_type: 'voice',
      to_profile_id: tutorId,
      to_profile_type: 'tutor',
      offer: offer(),
    });
    // Just after a second boundary, so no window edge can lend an offer.
    await sleep(1000 - (Date.now() % 1000) + 5);
    for (let i = 0; i < 8; i++) flooder.send(invitation(ids()[0]));

    const isLimited = (message: ServerMessage) => message.type === 'error' && message.code === 'rate_limited';
    await collect(flooder, ['call_declined', 'error'], 6);
    await flooder.quietFor(500);
    const answers = flooder.received.filter((message) => message.type === 'call_declined' || message.type === 'error');
    const limited = answers.filter(isLimited);
    const handled = answers.filter((message) => !isLimited(message));
    expect(handled).toHaveLength(5);
    // The first refusal of the episode is answered in each container the refused offers landed in; the rest are dropped.
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(limited.length).toBeLessThanOrEqual(Math.min(3, h.gateway.asDeployed?.maxContainers ?? 1));
    for (const refusal of limited) expect(refusal).toMatchObject({ request_type: 'call_invitation' });
    // The five let through met the call rules: the callee is offline, and the caller can be in one call at a time.
    for (const message of handled) {
      expect(
        message.type === 'call_declined' || (message.type === 'error' && message.code === 'already_in_call'),
        JSON.stringify(message),
      ).toBe(true);
    }
    expect(handled.filter((message) => message.type === 'call_declined').length).toBeGreaterThanOrEqual(1);
  });
});
