/**
 * Invokes handler functions the way Lambda does for this gateway: each call its own invocation with
 * a fresh `Context`, a time limit, and failures caught and logged (never crashing the process).
 *
 * Each function has a concurrency limit (`function-concurrency.ts`): beyond it, invocations wait in
 * arrival order, and their time limit starts when they start running, as on Lambda. One arriving
 * when the line is full is throttled: its outcome is a `TooManyRequestsException`, which the
 * callers turn into what API Gateway answers for a throttled integration ("Internal server error").
 * Keeps track of what is waiting and running so shutdown can wait for it.
 */
import { randomUUID } from 'node:crypto';
import { ConcurrencyGate } from './concurrency-gate';
import { DEFAULT_FUNCTION_QUEUE_DEPTH, functionConcurrency, type FunctionConcurrency } from './function-concurrency';
import type { LoadedFunction } from './functions';
import { lambdaContext, type ApiDescription } from './events';
import { errorFields, type GatewayLog } from './log';

export type InvokeOutcome = { ok: true; result: unknown } | { ok: false; error: unknown };

export class TimeoutError extends Error {
  constructor(seconds: number) {
    super(`Task timed out after ${seconds.toFixed(2)} seconds`);
    this.name = 'TimeoutError';
  }
}

/** What Lambda answers a synchronous invoke over the function's concurrency (`Reason` as Lambda gives it). */
export class TooManyRequestsException extends Error {
  readonly Reason = 'ReservedFunctionConcurrentInvocationLimitExceeded';
  constructor(functionId: string) {
    super(`Rate Exceeded. (${functionId}: concurrency limit reached and its queue is full)`);
    this.name = 'TooManyRequestsException';
  }
}

class ShuttingDownError extends Error {
  constructor(functionId: string) {
    super(`${functionId}: the gateway is shutting down`);
    this.name = 'ShuttingDownError';
  }
}

export class Invoker {
  /** Every invocation from its arrival to its outcome, and a timed-out one until its handler settles. */
  private readonly pending = new Set<Promise<unknown>>();
  private readonly gates = new Map<string, ConcurrencyGate>();

  constructor(
    private readonly api: ApiDescription,
    private readonly log: GatewayLog,
    private readonly timeoutMs: number,
    /** Default: every function at the default limit and queue depth. */
    private readonly concurrency: FunctionConcurrency = functionConcurrency({
      configured: undefined,
      queueDepth: DEFAULT_FUNCTION_QUEUE_DEPTH,
    }),
  ) {}

  /**
   * Runs one invocation once the function has a free slot; `label` names it in the failure line (a
   * route key, "authorizer", "schedule"). `isExpected` marks failures that are answers, not faults
   * (the authorizer's "Unauthorized").
   */
  invoke(
    fn: LoadedFunction,
    event: unknown,
    label: string,
    requestId?: string,
    isExpected: (error: unknown) => boolean = () => false,
  ): Promise<InvokeOutcome> {
    const gate = this.gateOf(fn.id);
    const slot = gate.enter();
    if (slot === 'throttled') {
      this.log.warn('function_throttled', {
        function: fn.id,
        route: label,
        request_id: requestId ?? null,
        concurrency_limit: gate.limit,
        queued: gate.queued,
      });
      return Promise.resolve({ ok: false, error: new TooManyRequestsException(fn.id) });
    }
    const outcome = slot.then(
      async (release) => {
        try {
          return await this.execute(fn, event, label, requestId, isExpected);
        } finally {
          release();
        }
      },
      (error: unknown): InvokeOutcome => ({ ok: false, error }),
    );
    this.track(outcome);
    return outcome;
  }

  /**
   * Runs one invocation now, its time limit starting now. `invoke` calls it when the function's
   * slot is free; nothing else should, except a meter wrapping it to time what Lambda would bill.
   */
  async execute(
    fn: LoadedFunction,
    event: unknown,
    label: string,
    requestId: string | undefined,
    isExpected: (error: unknown) => boolean,
  ): Promise<InvokeOutcome> {
    const awsRequestId = randomUUID();
    const { deployed } = fn;
    const timeoutMs = deployed ? deployed.timeoutSeconds * 1000 : this.timeoutMs;
    const base = lambdaContext(this.api, deployed?.functionName ?? fn.id, awsRequestId, timeoutMs);
    const context = deployed ? { ...base, memoryLimitInMB: String(deployed.memoryMb) } : base;
    let timer: NodeJS.Timeout | undefined;
    // A deployed function's containers time it out themselves (and take the container down).
    const timeLimit = deployed
      ? undefined
      : new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new TimeoutError(timeoutMs / 1000)), timeoutMs);
        });
    // Promise.resolve().then also catches a handler that throws synchronously.
    const call = Promise.resolve().then(() => fn.handler(event, context));
    try {
      return { ok: true, result: await (timeLimit ? Promise.race([call, timeLimit]) : call) };
    } catch (error) {
      if (isExpected(error)) return { ok: false, error };
      this.log.error('handler_failed', {
        function: fn.id,
        route: label,
        request_id: requestId ?? null,
        aws_request_id: awsRequestId,
        ...errorFields(error),
      });
      return { ok: false, error };
    } finally {
      clearTimeout(timer);
      // A timed-out call keeps running (Lambda would freeze it) but gives its slot back, as
      // Lambda's sandbox does; shutdown still waits for it.
      this.track(call);
    }
  }

  /**
   * Waits until waiting and running invocations (and any they lead to) finish, at most `timeoutMs`;
   * what still waits for a slot then is turned away rather than started after shutdown.
   */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.pending]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, deadline - Date.now());
        }),
      ]);
      clearTimeout(timer);
    }
    for (const [functionId, gate] of this.gates) {
      const refused = gate.refuseWaiting(new ShuttingDownError(functionId));
      if (refused > 0) this.log.warn('invocations_dropped_at_shutdown', { function: functionId, count: refused });
    }
  }

  private gateOf(functionId: string): ConcurrencyGate {
    let gate = this.gates.get(functionId);
    if (!gate) {
      gate = new ConcurrencyGate(this.concurrency.limitOf(functionId), this.concurrency.queueDepth);
      this.gates.set(functionId, gate);
    }
    return gate;
  }

  private track(work: Promise<unknown>): void {
    if (this.pending.has(work)) return;
    this.pending.add(work);
    void work.catch(() => undefined).finally(() => this.pending.delete(work));
  }
}
