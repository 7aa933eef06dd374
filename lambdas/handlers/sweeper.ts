/** Scheduled: ends ringing that timed out and calls whose dropped party did not resume in time. */
import { getRuntime } from '../runtime/container';
import { logDecisions } from '../runtime/handler';

export async function handler(): Promise<{ swept: number }> {
  const started = performance.now();
  const decisions = await getRuntime().calls.sweep();
  logDecisions('sweeper', started, undefined, decisions);
  return { swept: decisions.length };
}
