/**
 * Counts and times every function invocation of the local gateway: one per routed frame, the
 * authorizer and `$connect` per socket, `$disconnect` per close, and scheduled runs. It wraps the
 * gateway's `Invoker` (the one place every invocation passes) in the bench's own process, so no
 * handler or gateway file changes. The time is what Lambda would bill as duration: from the
 * invocation's start to its result.
 */
import { Invoker } from '../../../infra/local/invoker';
import type { FunctionInvocations, InvocationSnapshot } from './snapshots';

export interface InvocationMeter {
  /** Counts, and each duration when `withDurations` (a long run holds many). */
  snapshot(withDurations: boolean): InvocationSnapshot;
  /** Times a call made outside the gateway (the sweeper run on request) as an invocation of `functionId`. */
  time<T>(functionId: string, run: () => Promise<T>, isFailure?: (result: T) => boolean): Promise<T>;
}

/** Per function; enough for any bench run, and bounded. */
const MAX_DURATIONS_KEPT = 100_000;

let installed: InvocationMeter | undefined;

export function meterInvocations(): InvocationMeter {
  if (installed) return installed;
  const byFunction = new Map<string, FunctionInvocations>();
  let inFlight = 0;

  const time = async <T>(functionId: string, run: () => Promise<T>, isFailure: (result: T) => boolean = () => false): Promise<T> => {
    inFlight++;
    const started = performance.now();
    // A run that throws failed too.
    let failed = true;
    try {
      const result = await run();
      failed = isFailure(result);
      return result;
    } finally {
      const elapsed = performance.now() - started;
      let entry = byFunction.get(functionId);
      if (!entry) {
        entry = { count: 0, failed: 0, durationsMs: [] };
        byFunction.set(functionId, entry);
      }
      entry.count++;
      if (failed) entry.failed++;
      if (entry.durationsMs.length < MAX_DURATIONS_KEPT) entry.durationsMs.push(elapsed);
      inFlight--;
    }
  };

  // `execute` is the run itself: an invocation waiting for a slot of its function is not yet
  // billed, and a throttled one never runs (as Lambda counts neither as duration).
  const original = Invoker.prototype.execute;
  Invoker.prototype.execute = function executeMetered(this: Invoker, ...args: Parameters<Invoker['execute']>) {
    // The invoker reports a handler's error or timeout as its outcome rather than throwing it.
    return time(
      args[0].id,
      () => original.apply(this, args),
      (outcome) => !outcome.ok,
    );
  };

  installed = {
    time,
    snapshot: (withDurations) => ({
      inFlight,
      byFunction: Object.fromEntries(
        [...byFunction].map(([id, entry]) => [
          id,
          { count: entry.count, failed: entry.failed, durationsMs: withDurations ? [...entry.durationsMs] : [] },
        ]),
      ),
    }),
  };
  return installed;
}
