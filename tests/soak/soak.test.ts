/**
 * The soak, reduced to a size `npm test` can afford: the same run as `npm run soak` on fewer
 * sockets and calls, asserting what it must (nothing lost, nothing misrouted, every call log final,
 * no invariant violated), never a speed. And the delivery audit, shown a misrouted message, a
 * duplicate and a stray frame to an idle socket, so a clean run means something.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Inbox, type Inbound } from '../bench/workload/inbox';
import { HOP_KINDS } from '../bench/workload/call-script';
import { BURSTS_IN_DESCRIPTION } from '../bench/dialects/gateway-dialect';
import { candidateBursts } from '../bench/workload/session-content';
import { REDUCED_SOAK } from './config';
import { auditDeliveries, type AuditedSocket } from './delivery-audit';
import { soakReport } from './report';
import { runSoak, type SoakResult } from './soak';

/** The run stops itself (and its gateway) before the hook's own timeout would leave it running. */
const RUN_TIME_LIMIT_MS = 200_000;

describe('the reduced soak', () => {
  let result: SoakResult;

  beforeAll(async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const limit = new AbortController();
    const timer = setTimeout(
      () => limit.abort(new Error(`the reduced soak did not finish within ${RUN_TIME_LIMIT_MS / 1000} s`)),
      RUN_TIME_LIMIT_MS,
    );
    try {
      result = await runSoak({ ...REDUCED_SOAK, signal: limit.signal });
    } finally {
      clearTimeout(timer);
    }
  }, RUN_TIME_LIMIT_MS + 30_000);

  it('passes every check', () => {
    // The report says what failed and by how much.
    expect(
      result.checks.filter((check) => !check.passed),
      soakReport(result),
    ).toEqual([]);
    expect(result.passed).toBe(true);
  });

  it('opens every socket and completes every call, all at once, with nothing lost', () => {
    expect(result.sockets).toMatchObject({
      opened: REDUCED_SOAK.sockets,
      inCalls: 2 * REDUCED_SOAK.calls,
      idle: REDUCED_SOAK.sockets - 2 * REDUCED_SOAK.calls,
    });
    expect(result.calls).toMatchObject({ placed: REDUCED_SOAK.calls, completed: REDUCED_SOAK.calls });
    expect(result.messages.lost).toBe(0);
    expect(result.keepAlive.pongs).toBe(result.keepAlive.pings);
    expect(result.keepAlive.idleAnsweringAtEnd).toBe(result.sockets.idle);
    // Per call: the invite and the answer (the first candidates in their SDP), each side's later batches, the hang-up.
    const batchesPerSide = candidateBursts('x', 'caller').length - BURSTS_IN_DESCRIPTION;
    const perCall = { invite: 1, answer: 1, candidate: 2 * batchesPerSide, end: 1 };
    for (const kind of HOP_KINDS) expect(result.hops[kind].count, kind).toBe(perCall[kind] * REDUCED_SOAK.calls);
    expect(result.messages.forwarded).toBe((3 + 2 * batchesPerSide) * REDUCED_SOAK.calls);
  });

  it("reports each hop kind's p50, p95, p99 and max, and the ping round trip's", () => {
    for (const [name, hop] of [
      ...HOP_KINDS.map((kind) => [kind, result.hops[kind]] as const),
      ['ping', result.keepAlive.roundTrip] as const,
    ]) {
      expect(hop.count, name).toBeGreaterThan(0);
      expect([hop.p50, hop.p95, hop.p99, hop.max].every(Number.isFinite), name).toBe(true);
      expect(hop.p50 <= hop.p95 && hop.p95 <= hop.p99 && hop.p99 <= hop.max, name).toBe(true);
    }
    expect(soakReport(result)).toMatch(/\| message +\| count +\| p50 ms +\| p95 ms +\| p99 ms +\| max ms +\|/);
  });

  it('delivers nothing to a socket that did not ask for it', () => {
    expect(result.deliveries).toMatchObject({ unrequested: 0, misrouted: 0, byKind: {} });
    expect(result.refusals).toEqual([]);
  });

  it('leaves every call logged as ended, the invariants intact, and no socket record after the sockets close', () => {
    expect(result.callLogs).toMatchObject({
      callsPlaced: REDUCED_SOAK.calls,
      logged: REDUCED_SOAK.calls,
      ended: REDUCED_SOAK.calls,
      violations: [],
    });
    expect(result.socketRecordsLeft).toBe(0);
  });

  it('has no handler invocation end in an error or a timeout', () => {
    expect(result.invocations).toMatchObject({ failed: 0, failedByFunction: {} });
    // Each socket's authorizer, `$connect` and `$disconnect`, and each frame the clients sent.
    expect(result.invocations.total).toBeGreaterThanOrEqual(2 * REDUCED_SOAK.sockets + result.messages.forwarded);
  });
});

describe('the delivery audit', () => {
  const arrive = (inbox: Inbox, inbound: Inbound): void => inbox.deliver({ inbound, at: performance.now() });
  const socketWith = (
    label: string,
    ownTags: readonly string[] = [],
  ): AuditedSocket & { socket: { framesReceived: number; inbox: Inbox } } => ({
    label,
    socket: { framesReceived: 0, inbox: new Inbox() },
    ownTags: new Set(ownTags),
  });
  const never = (): number => performance.now() - 1;

  it("counts another call's message, a duplicate, and anything but a pong on an idle socket; a late message of its own call is not misrouted", async () => {
    const callee = socketWith('tutor_1', ['g1.offer', 'g1-a1', 'end:C1']);
    arrive(callee.socket.inbox, { kind: 'invite', tag: 'g1.offer' });
    arrive(callee.socket.inbox, { kind: 'candidate', tag: 'g1-a1' });
    // The same batch twice before anyone waited for it: the inbox keeps one.
    arrive(callee.socket.inbox, { kind: 'candidate', tag: 'g1-a1' });
    // Another call's candidate, on this call's socket.
    arrive(callee.socket.inbox, { kind: 'candidate', tag: 'g2-a1' });
    // Its own call's hang-up, after the script stopped waiting for it: lost, not misrouted.
    arrive(callee.socket.inbox, { kind: 'end', tag: 'end:C1' });
    callee.socket.framesReceived = 5;
    await callee.socket.inbox.wait('g1.offer', never());
    await callee.socket.inbox.wait('g1-a1', never());

    const idle = socketWith('parent_1');
    arrive(idle.socket.inbox, { kind: 'pong', tag: 'pong:0' });
    arrive(idle.socket.inbox, { kind: 'invite', tag: 'g3.offer' });
    // A pong after its wait gave up: lost, but not misrouted.
    arrive(idle.socket.inbox, { kind: 'pong', tag: 'pong:1' });
    idle.socket.framesReceived = 3;
    await idle.socket.inbox.wait('pong:0', never());

    const audit = auditDeliveries([callee], [idle]);
    expect(audit).toMatchObject({
      unrequested: 5,
      misrouted: 2,
      byKind: { candidate: 1, 'end (late)': 1, invite: 1, pong: 1, 'unreadable or repeated': 1 },
    });
    expect(audit.examples).toEqual([
      'tutor_1: candidate g2-a1',
      'tutor_1: end (late) end:C1',
      'parent_1: invite g3.offer',
      'parent_1: pong pong:1',
    ]);
  });

  it('finds nothing when every frame was waited for', async () => {
    const caller = socketWith('student_1', ['g1.answer']);
    arrive(caller.socket.inbox, { kind: 'answer', tag: 'g1.answer' });
    caller.socket.framesReceived = 1;
    await caller.socket.inbox.wait('g1.answer', never());
    expect(auditDeliveries([caller], [])).toEqual({ unrequested: 0, misrouted: 0, byKind: {}, examples: [] });
  });
});
