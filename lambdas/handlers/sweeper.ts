/** Scheduled: ends ringing that timed out and calls whose parties are gone, draining every due timer. */
import type { Context } from 'aws-lambda';
import { SWEEP_TIME_MARGIN_MS } from '../../shared/limits';
import { functionById } from '../../shared/routes';
import { getRuntime } from '../runtime/container';
import { logDecisions } from '../runtime/handler';
import { logFailure } from '../runtime/log';

export async function handler(_event?: unknown, context?: Context): Promise<{ swept: number }> {
  const started = performance.now();
  const hasTimeLeft = () => (context?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY) > SWEEP_TIME_MARGIN_MS;
  const { decisions, failures } = await getRuntime(functionById('sweeper')).calls.sweep(hasTimeLeft);
  for (const failure of failures) logFailure('sweeper', context?.awsRequestId ?? null, failure);
  logDecisions('sweeper', started, undefined, decisions);
  return { swept: decisions.length };
}
