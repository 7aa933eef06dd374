/**
 * Invokes handler functions the way Lambda does for this gateway: each call its own invocation with
 * a fresh `Context`, a time limit, and failures caught and logged (never crashing the process).
 * Keeps track of what is running so shutdown can wait for it.
 */
import { randomUUID } from 'node:crypto';
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

export class Invoker {
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly api: ApiDescription,
    private readonly log: GatewayLog,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Runs one invocation; `label` names it in the failure line (a route key, "authorizer", "schedule").
   * `isExpected` marks failures that are answers, not faults (the authorizer's "Unauthorized").
   */
  async invoke(
    fn: LoadedFunction,
    event: unknown,
    label: string,
    requestId?: string,
    isExpected: (error: unknown) => boolean = () => false,
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
    this.running.add(call);
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
      // A timed-out call keeps running (Lambda would freeze it); shutdown still waits for it.
      void call.catch(() => undefined).finally(() => this.running.delete(call));
    }
  }

  /** Waits until running invocations (and any they lead to) finish, at most `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.running.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.running]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, deadline - Date.now());
        }),
      ]);
      clearTimeout(timer);
    }
  }
}
