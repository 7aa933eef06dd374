/**
 * A function's concurrency limit, defined once for both modes: how many of its invocations run at
 * once (in source mode, in this process; as deployed, also how many containers it may have, one
 * invocation each, as on Lambda), and how many may wait for a slot before the next is throttled.
 *
 * What decides the limit, first match wins: the gateway's setting (option, `--function-concurrency`,
 * `FUNCTION_CONCURRENCY`; as deployed also `--max-containers`, the same setting's older name), then
 * the template's `ReservedConcurrentExecutions` for that function (as deployed), then the default.
 */
import { wholeNumber } from '../../shared/settings';
import type { DeployedStack } from './as-deployed/template';

/** The gateway's own settings (not the handlers'): read by the gateway and `npm start` only. */
export const FUNCTION_CONCURRENCY_ENV = 'FUNCTION_CONCURRENCY';
export const FUNCTION_QUEUE_DEPTH_ENV = 'FUNCTION_QUEUE_DEPTH';

/**
 * Ten at once per function. On one Node process every invocation shares one event loop, so more in
 * flight adds no throughput, only interleaving: each of a burst then finishes near the end of the
 * burst. Ten still overlaps a handler's waits on the store and @connections (loopback round trips)
 * with other work; as deployed it is ten containers a function, as many as a 2-core machine boots
 * in reasonable time. Measured (500-call soak): answer, candidate, end and ping p99 5-8× lower
 * than with no limit, but the invitation, whose handler waits on the store most, p99 2.7× higher.
 */
export const DEFAULT_FUNCTION_CONCURRENCY = 10;

/**
 * Per function. Lambda queues no synchronous invocation; the line is the local gateway's, so that
 * a burst is served in order instead of refused. Its bound keeps memory finite (an event is 1-3 KB)
 * and a wait within reach of API Gateway's 29 s integration timeout at the few hundred
 * invocations a second a loaded 2-core machine serves; past it the invocation is throttled.
 */
export const DEFAULT_FUNCTION_QUEUE_DEPTH = 10_000;

export interface FunctionConcurrency {
  /** Invocations of the function that may run at once. */
  limitOf(functionId: string): number;
  /** Invocations of one function that may wait for a slot. */
  queueDepth: number;
}

export interface ConcurrencyChoices {
  /** The gateway's setting, for every function; undefined when not given. */
  configured: number | undefined;
  queueDepth: number;
  /** As deployed: each function's `ReservedConcurrentExecutions`, where the template sets one. */
  reserved?: ReadonlyMap<string, number>;
}

export function functionConcurrency(choices: ConcurrencyChoices): FunctionConcurrency {
  const { configured, reserved } = choices;
  return {
    limitOf: (functionId) => configured ?? reserved?.get(functionId) ?? DEFAULT_FUNCTION_CONCURRENCY,
    queueDepth: choices.queueDepth,
  };
}

/** Each function whose template sets `ReservedConcurrentExecutions`, with it. */
export function reservedConcurrency(stack: Pick<DeployedStack, 'functions'>): ReadonlyMap<string, number> {
  return new Map(stack.functions.flatMap((fn) => (fn.reservedConcurrency === undefined ? [] : [[fn.id, fn.reservedConcurrency] as const])));
}

export interface ConcurrencySettingsGiven {
  functionConcurrency?: number;
  functionQueueDepth?: number;
  /** As deployed: the older name of `functionConcurrency`. */
  maxContainers?: number;
}

/**
 * The gateway's concurrency settings from its options, else the environment; throws on a limit
 * that is not a whole number of at least 1 (a queue depth may be 0: Lambda's own, no line), or on `maxContainers` and `functionConcurrency` disagreeing.
 */
export function concurrencySettings(
  given: ConcurrencySettingsGiven,
  env: Readonly<Record<string, string | undefined>>,
): { configured: number | undefined; queueDepth: number } {
  const concurrency = wholeNumber('functionConcurrency', given.functionConcurrency);
  const containers = wholeNumber('maxContainers', given.maxContainers);
  if (concurrency !== undefined && containers !== undefined && concurrency !== containers) {
    throw new Error(`maxContainers (${containers}) and functionConcurrency (${concurrency}) name the same limit; give one`);
  }
  return {
    configured: concurrency ?? containers ?? wholeNumber(FUNCTION_CONCURRENCY_ENV, env[FUNCTION_CONCURRENCY_ENV]),
    queueDepth:
      wholeNumber('functionQueueDepth', given.functionQueueDepth, 0) ??
      wholeNumber(FUNCTION_QUEUE_DEPTH_ENV, env[FUNCTION_QUEUE_DEPTH_ENV], 0) ??
      DEFAULT_FUNCTION_QUEUE_DEPTH,
  };
}
