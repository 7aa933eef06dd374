/**
 * The service restarts while a call rings (`npm start` stopped and started again on the same data
 * dir): nobody rings for a call whose caller has gone. The caller's page says the call dropped, the
 * callee's page stops ringing well before the ring timeout, and the call is logged as what it was:
 * cancelled, never as a call that happened. Also when the gateway crashed (no `$disconnect` ran),
 * and when the caller never comes back.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureWebClientBuilt } from '../../web/build';
import { requireE2eEnvironment, e2eEnvironment } from './support/environment';
import { GatewayLog } from './support/gateway-log';
import { startRestartableGateway, type RestartableGateway } from './support/restartable-gateway';
import type { UserPage } from './support/user-page';
import { freshId, World } from './support/world';

const runs = requireE2eEnvironment('restart while ringing');
/** Far longer than the test waits: a page still ringing at the end rang for a call nobody was placing. */
const RING_SECONDS = 120;
/** Reconnecting after the restart and hearing the call is over fits well inside this. */
const STOPS_RINGING_WITHIN_MS = 20_000;

describe.runIf(runs)('a restart while a call rings, in Chromium', () => {
  let gateway: RestartableGateway;
  let world: World;
  let log: GatewayLog;

  beforeAll(async () => {
    const { chromium, namespace } = e2eEnvironment();
    if (!chromium || !namespace) throw new Error('no e2e environment');
    await ensureWebClientBuilt();
    gateway = await startRestartableGateway({ namespace, chromium, args: ['--ring-timeout', String(RING_SECONDS)] });
    world = await World.over(gateway);
    log = new GatewayLog(gateway);
  });
  afterAll(async () => {
    log?.stop();
    await world?.close();
  });

  async function ringing(): Promise<{ caller: UserPage; callee: UserPage; callId: string }> {
    const caller = await world.signIn('Alice Martin', 'student', freshId());
    const callee = await world.signIn('Bob Stone', 'tutor', freshId());
    await caller.call(callee, 'video');
    await Promise.all([caller.waitForCallStatus('ringing'), callee.waitForIncoming()]);
    const callId = log.newestCallOf(`student_${caller.profile.profileId}`);
    if (!callId) throw new Error('no ringing call in the log');
    return { caller, callee, callId };
  }

  /** `backAt`: when the restarted gateway accepted sockets again (its `gateway_started` line). */
  async function stopsRinging(callee: UserPage, backAt: number): Promise<void> {
    await callee.byTestId('incoming-call').waitFor({ state: 'detached', timeout: STOPS_RINGING_WITHIN_MS });
    process.stdout.write(`the callee stopped ringing within ${Date.now() - backAt} ms of the restarted gateway accepting sockets\n`);
    expect(await callee.ringtone()).toBeUndefined();
    expect(await callee.waitForToast('peer_cancelled')).toContain('Missed video call from Alice Martin');
  }

  /** The call's last decision on the server: cancelled by its caller, a call that never happened. */
  async function endedAsCancelled(callId: string): Promise<void> {
    // The routing line may reach this process's copy of the log a moment after the page changed.
    await vi.waitFor(() => expect(log.routing(callId).some((line) => line.outcome === 'missed')).toBe(true), { timeout: 10_000 });
    const final = log.routing(callId).filter((line) => line.outcome === 'missed');
    expect(final.map((line) => line.reason)).toEqual(['cancelled']);
    expect(log.routing(callId).some((line) => line.outcome === 'answered')).toBe(false);
  }

  async function newestHistoryStatus(user: UserPage): Promise<string | null> {
    const item = user.byTestId('call-history-item').first();
    await user.page.waitForFunction(
      () => document.querySelector('[data-testid="call-history-item"]')?.getAttribute('data-status') !== 'initiated',
      undefined,
      { timeout: 10_000 },
    );
    return item.getAttribute('data-status');
  }

  it('restarted (Ctrl-C, npm start): both sides end, the callee stops ringing, the caller’s history says cancelled', async () => {
    const { caller, callee, callId } = await ringing();

    await gateway.stop('graceful');
    const backAt = await gateway.start();

    expect(await caller.waitForToast('signaling_lost', STOPS_RINGING_WITHIN_MS)).toContain('The connection dropped while calling');
    await caller.waitForMainView();
    await stopsRinging(callee, backAt);
    await endedAsCancelled(callId);
    await caller.waitForAttribute('connection-state', 'data-state', 'connected', STOPS_RINGING_WITHIN_MS);
    expect(await newestHistoryStatus(caller)).toBe('missed');
  }, 60_000);

  it('crashed (no $disconnect) and restarted: both sides end, the callee stops ringing', async () => {
    const { caller, callee, callId } = await ringing();

    await gateway.stop('crash');
    const backAt = await gateway.start();

    expect(await caller.waitForToast('signaling_lost', STOPS_RINGING_WITHIN_MS)).toContain('The connection dropped while calling');
    await stopsRinging(callee, backAt);
    await endedAsCancelled(callId);
    expect(await newestHistoryStatus(caller)).toBe('missed');
  }, 60_000);

  it('crashed, and the caller never comes back: the callee stops ringing once it reconnects', async () => {
    const { caller, callee, callId } = await ringing();

    await gateway.stop('crash');
    await caller.page.close();
    const backAt = await gateway.start();

    await stopsRinging(callee, backAt);
    await endedAsCancelled(callId);
  }, 60_000);
});
