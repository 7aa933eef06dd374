/** Scheduled: ends ringing that timed out and calls whose parties are gone, draining every due timer. */
import type { Context } from 'aws-lambda';
import { SWEEP_TIME_MARGIN_MS } from '../../shared/limits';
import { functionById } from '../../shared/routes';
import { getRuntime } from '../runtime/container';
import { hasTimeLeft, logSweep } from '../runtime/handler';

export async function handler(_event?: unknown, context?: Context): Promise<{ swept: number }> {
  const started = performance.now();
  const report = await getRuntime(functionById('sweeper')).calls.sweep(hasTimeLeft(context, SWEEP_TIME_MARGIN_MS));
  logSweep(started, context, report);
  return { swept: report.decisions.length };
}
