/**
 * The invoker's concurrency limit, on the real `Invoker` with handlers a test controls: a burst
 * beyond the limit runs in arrival order, a full line is throttled, a queued invocation's time
 * limit starts when it runs, and shutdown turns away what still waits instead of hanging on it.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_FUNCTION_CONCURRENCY, functionConcurrency } from '../../infra/local/function-concurrency';
import type { LoadedFunction } from '../../infra/local/functions';
import { Invoker, TooManyRequestsException, type InvokeOutcome } from '../../infra/local/invoker';
import type { GatewayLog } from '../../infra/local/log';

const api = { apiId: 'local', stage: 'local', region: 'us-east-1', accountId: '000000000000' };

function recordingLog(): GatewayLog & { lines: string[] } {
  const lines: string[] = [];
  const keep = (msg: string): void => {
    lines.push(msg);
  };
  return { lines, debug: keep, info: keep, warn: keep, error: keep };
}

/** A handler that records when each invocation starts and finishes only when the test says so. */
function heldFunction(id: string) {
  const started: number[] = [];
  const finish = new Map<number, () => void>();
  const fn: LoadedFunction = {
    id,
    entry: `${id}.ts`,
    handler: (event) => {
      const n = (event as { n: number }).n;
      started.push(n);
      return new Promise((resolve) => finish.set(n, () => resolve(n)));
    },
  };
  return { fn, started, release: (n: number) => finish.get(n)?.() };
}

const invokerWith = (limit: number, queueDepth: number, log: GatewayLog = recordingLog(), timeoutMs = 10_000): Invoker =>
  new Invoker(api, log, timeoutMs, functionConcurrency({ configured: limit, queueDepth }));

const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('a function at its concurrency limit', () => {
  it('runs a burst beyond the limit in the order it arrived, each as a slot frees, and completes every one', async () => {
    const held = heldFunction('ice-candidate');
    const invoker = invokerWith(2, 100);
    const outcomes = Array.from({ length: 6 }, (_, n) => invoker.invoke(held.fn, { n }, 'ice_candidate'));
    await settled();
    expect(held.started).toEqual([0, 1]);
    held.release(1);
    await settled();
    expect(held.started).toEqual([0, 1, 2]);
    for (const n of [0, 2, 3, 4, 5]) {
      held.release(n);
      await settled();
    }
    expect(held.started).toEqual([0, 1, 2, 3, 4, 5]);
    const results = await Promise.all(outcomes);
    expect(results.map((outcome) => outcome.ok && outcome.result)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('limits each function on its own: another function is not held up by a full one', async () => {
    const busy = heldFunction('ice-candidate');
    const other = heldFunction('ping');
    const invoker = invokerWith(1, 100);
    const waiting = [invoker.invoke(busy.fn, { n: 0 }, 'ice_candidate'), invoker.invoke(busy.fn, { n: 1 }, 'ice_candidate')];
    const ping = invoker.invoke(other.fn, { n: 7 }, 'ping');
    await settled();
    expect(busy.started).toEqual([0]);
    expect(other.started).toEqual([7]);
    other.release(7);
    expect(await ping).toEqual({ ok: true, result: 7 });
    busy.release(0);
    await settled();
    busy.release(1);
    await Promise.all(waiting);
  });

  it('throttles an invocation that finds the line full, at once and without running it, and logs it', async () => {
    const held = heldFunction('ice-candidate');
    const log = recordingLog();
    const invoker = invokerWith(1, 2, log);
    const admitted = [0, 1, 2].map((n) => invoker.invoke(held.fn, { n }, 'ice_candidate'));
    const throttled: InvokeOutcome = await invoker.invoke(held.fn, { n: 3 }, 'ice_candidate');
    expect(throttled.ok).toBe(false);
    expect(!throttled.ok && throttled.error).toBeInstanceOf(TooManyRequestsException);
    expect(log.lines).toEqual(['function_throttled']);
    await settled();
    for (const n of [0, 1, 2]) {
      held.release(n);
      await settled();
    }
    expect((await Promise.all(admitted)).every((outcome) => outcome.ok)).toBe(true);
    expect(held.started).toEqual([0, 1, 2]);
  });

  it('queues nothing with a queue depth of 0, as Lambda does', async () => {
    const held = heldFunction('ice-candidate');
    const invoker = invokerWith(1, 0);
    const running = invoker.invoke(held.fn, { n: 0 }, 'ice_candidate');
    const refused = await invoker.invoke(held.fn, { n: 1 }, 'ice_candidate');
    expect(!refused.ok && refused.error).toBeInstanceOf(TooManyRequestsException);
    await settled();
    held.release(0);
    expect((await running).ok).toBe(true);
  });

  it("starts a queued invocation's time limit when it starts running, not when it was queued", async () => {
    // Each handler runs 2/3 of the limit; the second waits for the first, so from its arrival it
    // takes 4/3 of the limit in all, and passes only if its clock started when it ran.
    const limitMs = 300;
    const runMs = 200;
    const slow: LoadedFunction = {
      id: 'call-answer',
      entry: 'call-answer.ts',
      handler: () => new Promise((resolve) => setTimeout(() => resolve('done'), runMs)),
    };
    const invoker = invokerWith(1, 10, recordingLog(), limitMs);
    const outcomes = await Promise.all([invoker.invoke(slow, {}, 'call_answer'), invoker.invoke(slow, {}, 'call_answer')]);
    expect(outcomes).toEqual([
      { ok: true, result: 'done' },
      { ok: true, result: 'done' },
    ]);
  });

  it('gives the slot of a timed-out invocation to the next in line, as Lambda ends the sandbox', async () => {
    const hung: LoadedFunction = { id: 'ping', entry: 'ping.ts', handler: () => new Promise(() => undefined) };
    const quick: LoadedFunction = { id: 'ping', entry: 'ping.ts', handler: () => 'pong' };
    const invoker = invokerWith(1, 10, recordingLog(), 50);
    const [first, second] = await Promise.all([invoker.invoke(hung, {}, 'ping'), invoker.invoke(quick, {}, 'ping')]);
    expect(first?.ok).toBe(false);
    expect(second).toEqual({ ok: true, result: 'pong' });
  });
});

describe('shutdown with invocations waiting', () => {
  it('waits for what runs, then turns away what still waits instead of starting it after shutdown', async () => {
    const held = heldFunction('ice-candidate');
    const log = recordingLog();
    const invoker = invokerWith(1, 1_000, log, 1_000);
    const outcomes = Array.from({ length: 500 }, (_, n) => invoker.invoke(held.fn, { n }, 'ice_candidate'));
    await settled();
    // The running one never finishes; drain gives up at its deadline rather than hang.
    await invoker.drain(100);
    const results = await Promise.all(outcomes.slice(1));
    expect(results.every((outcome) => !outcome.ok && outcome.error instanceof Error && /shutting down/.test(outcome.error.message))).toBe(
      true,
    );
    expect(held.started).toEqual([0]);
    expect(log.lines).toContain('invocations_dropped_at_shutdown');
  });

  it('returns as soon as the line has been served when it is served in time', async () => {
    const quick: LoadedFunction = { id: 'ping', entry: 'ping.ts', handler: async () => 'pong' };
    const invoker = invokerWith(1, 1_000);
    const outcomes = Array.from({ length: 200 }, () => invoker.invoke(quick, {}, 'ping'));
    await invoker.drain(60_000);
    expect((await Promise.all(outcomes)).every((outcome) => outcome.ok)).toBe(true);
  });
});

describe("a function's concurrency limit", () => {
  it("is the gateway's setting when given, else the template's reserved concurrency, else the default", () => {
    const reserved = new Map([['call-invitation', 3]]);
    const fromTemplate = functionConcurrency({ configured: undefined, queueDepth: 5, reserved });
    expect([fromTemplate.limitOf('call-invitation'), fromTemplate.limitOf('ping')]).toEqual([3, DEFAULT_FUNCTION_CONCURRENCY]);
    const configured = functionConcurrency({ configured: 7, queueDepth: 5, reserved });
    expect([configured.limitOf('call-invitation'), configured.limitOf('ping')]).toEqual([7, 7]);
  });

  it('throttles every invocation of a function whose reserved concurrency is 0', async () => {
    const quick: LoadedFunction = { id: 'ping', entry: 'ping.ts', handler: () => 'pong' };
    const invoker = new Invoker(
      api,
      recordingLog(),
      1_000,
      functionConcurrency({ configured: undefined, queueDepth: 5, reserved: new Map([['ping', 0]]) }),
    );
    const outcome = await invoker.invoke(quick, {}, 'ping');
    expect(!outcome.ok && outcome.error).toBeInstanceOf(TooManyRequestsException);
  });
});
