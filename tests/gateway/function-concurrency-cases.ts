/**
 * The cases of a function's concurrency limit as clients meet it, through the real gateway over
 * real sockets: run by `function-concurrency.test.ts` on the handler sources and by
 * `as-deployed-concurrency.test.ts` on the bundles in containers, where the limit is also the
 * function's containers at most.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asDeployedOptions } from '../support/gateway-mode';
import { startHarness, type Harness } from '../support/harness';
import type { TestSocket } from '../support/test-socket';
import { eventually } from './helpers';

/** One invocation of a function at a time, so "in order" is exact. */
const CONCURRENCY = 1;
const QUEUE_DEPTH = 20;
const BASE_PORT = 5000;
const HIGH_RATE = 100_000;

const candidateFrame = (callId: string, index: number) => ({
  type: 'ice_candidate',
  call_id: callId,
  candidate: {
    candidate: `candidate:1 1 udp 2122260223 10.0.0.1 ${BASE_PORT + index} typ host generation 0 ufrag burst network-id 1`,
    sdpMid: '0',
    sdpMLineIndex: 0,
  },
});

/** Which candidates of the burst have reached `socket`, in the order they arrived. */
function arrivedIndexes(socket: TestSocket): number[] {
  return socket.received.flatMap((message) => {
    if (message.type !== 'ice_candidate') return [];
    const port = /udp \d+ [\d.]+ (\d+) typ/.exec(message.candidate?.candidate ?? '')?.[1];
    return port === undefined ? [] : [Number(port) - BASE_PORT];
  });
}

/** API Gateway's notices of a failed integration (a throttle among them) that `socket` received. */
function internalErrorNotices(socket: TestSocket): unknown[] {
  const notices: unknown[] = [];
  socket.ws.on('message', (data) => {
    const parsed: unknown = JSON.parse(String(data));
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && parsed.message === 'Internal server error') {
      notices.push(parsed);
    }
  });
  return notices;
}

/** The suites, on a gateway of this run's mode with the given concurrency settings. */
export function describeFunctionConcurrency(): void {
  let harness: Harness;

  beforeAll(async () => {
    const deployed = asDeployedOptions();
    harness = await startHarness({
      functionConcurrency: CONCURRENCY,
      functionQueueDepth: QUEUE_DEPTH,
      // The run's container count is this file's concurrency setting; only the assembly is taken.
      ...(deployed ? { asDeployed: deployed.cdkOut ? { cdkOut: deployed.cdkOut } : {} } : {}),
      // The handlers' own rate limits would refuse a burst before the gateway's limit is reached.
      abuseLimits: { candidatesPerSecond: HIGH_RATE, otherPerSecond: HIGH_RATE },
    });
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
  });

  describe('a burst beyond a function’s concurrency limit', () => {
    it('reaches the callee in the order it was sent, every frame', async () => {
      const { caller, callee, callId } = await harness.answeredCall(1, 101);
      const notices = internalErrorNotices(caller);
      const burst = QUEUE_DEPTH + CONCURRENCY;
      for (let index = 0; index < burst; index++) caller.send(candidateFrame(callId, index));
      const arrived = await eventually(
        async () => arrivedIndexes(callee),
        (indexes) => indexes.length === burst,
        30_000,
      );
      expect(arrived).toEqual(Array.from({ length: burst }, (_, index) => index));
      expect(notices).toEqual([]);
      const containers = harness.gateway.asDeployed?.containers().filter((container) => container.function === 'ice-candidate');
      if (containers) expect(containers.length).toBeLessThanOrEqual(CONCURRENCY);
    });
  });

  describe('a burst beyond the queue’s bound', () => {
    it('answers each frame turned away with "Internal server error", and delivers the rest in order', async () => {
      const { caller, callee, callId } = await harness.answeredCall(2, 102);
      const notices = internalErrorNotices(caller);
      const burst = 20 * QUEUE_DEPTH;
      for (let index = 0; index < burst; index++) caller.send(candidateFrame(callId, index));
      // Every frame accounted for: forwarded, or answered with the notice.
      await eventually(
        async () => arrivedIndexes(callee).length + notices.length,
        (accounted) => accounted === burst,
        30_000,
      );
      const arrived = arrivedIndexes(callee);
      expect(notices.length).toBeGreaterThan(0);
      expect(notices[0]).toMatchObject({
        message: 'Internal server error',
        connectionId: expect.any(String),
        requestId: expect.any(String),
      });
      // The first frames got the slot and the line; what was admitted arrives in the order sent.
      expect(arrived.slice(0, QUEUE_DEPTH + CONCURRENCY)).toEqual(Array.from({ length: QUEUE_DEPTH + CONCURRENCY }, (_, index) => index));
      expect(arrived).toEqual([...arrived].sort((a, b) => a - b));
    });

    it('serves the function again as soon as the line has room', async () => {
      const { caller, callee, callId } = await harness.answeredCall(3, 103);
      const notices = internalErrorNotices(caller);
      caller.send(candidateFrame(callId, 0));
      await eventually(
        async () => arrivedIndexes(callee),
        (indexes) => indexes.length === 1,
        10_000,
      );
      expect(notices).toEqual([]);
    });
  });
}
