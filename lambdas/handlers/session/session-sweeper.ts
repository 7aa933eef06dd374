/** Scheduled: ends session calls at the window's end, the wait limit and the rejoin grace. */
import type { Context } from 'aws-lambda';
import { SWEEP_TIME_MARGIN_MS } from '../../../shared/limits';
import { functionById } from '../../../shared/routes';
import { hasTimeLeft, logDecisions } from '../../runtime/handler';
import { logFailure } from '../../runtime/log';
import { getSessionRuntime } from '../../runtime/session-container';

/** Due calls taken per sweep; more wait for the next one (a second locally, a minute on AWS). */
const SWEEP_PAGE = 100;

export async function handler(_event?: unknown, context?: Context): Promise<{ swept: number }> {
  const started = performance.now();
  const outcome = await getSessionRuntime(functionById('session-sweeper')).sessions.sweep(
    SWEEP_PAGE,
    hasTimeLeft(context, SWEEP_TIME_MARGIN_MS),
  );
  for (const failure of outcome.failures) logFailure('session-sweeper', context?.awsRequestId ?? null, failure);
  logDecisions('session-sweeper', started, undefined, outcome.decisions);
  return { swept: outcome.decisions.length };
}
