/**
 * The page's own connection going away and coming back: it reconnects within 3 s of the service
 * answering again however long the outage (the backoff grown meanwhile notwithstanding), offers
 * "Reconnect now", and words the problem as what it is: the service, or the user's own network.
 */
import type { BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebClientBuilt } from '../../web/build';
import { e2eEnvironment, requireE2eEnvironment } from './support/environment';
import { startRestartableGateway, type RestartableGateway } from './support/restartable-gateway';
import type { UserPage } from './support/user-page';
import { freshId, World } from './support/world';

const runs = requireE2eEnvironment('reconnecting');
/** The bound, from the service accepting sockets again to the page connected. */
const RECONNECTS_WITHIN_MS = 3_000;
/**
 * Failed attempts to wait for while the service is down (about 15 s): by then the backoff's next
 * wait is 15 s (±30 %), so a page that only followed it would reconnect 7 s or more after the restart.
 */
const ATTEMPTS_DURING_OUTAGE = 5;
const SERVICE_WORDS = "Can't reach the call service; retrying…";
const OFFLINE_WORDS = "You're offline; check your internet connection";

declare global {
  interface Window {
    __socketAttempts: number[];
    __connectedAt: number[];
  }
}

/** Runs in the page: when each WebSocket was opened, and when the header last turned `connected`. */
function watchConnection(): void {
  const attempts: number[] = [];
  const connectedAt: number[] = [];
  Object.defineProperty(window, '__socketAttempts', { value: attempts });
  Object.defineProperty(window, '__connectedAt', { value: connectedAt });
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      attempts.push(Date.now());
    }
  };
  let last = '';
  new MutationObserver(() => {
    const state = document.querySelector('[data-testid="connection-state"]')?.getAttribute('data-state') ?? '';
    if (state === last) return;
    last = state;
    if (state === 'connected') connectedAt.push(Date.now());
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
}

describe.runIf(runs)('reconnecting, in Chromium', () => {
  let gateway: RestartableGateway;
  let world: World;

  beforeAll(async () => {
    const { chromium, namespace } = e2eEnvironment();
    if (!chromium || !namespace) throw new Error('no e2e environment');
    await ensureWebClientBuilt();
    gateway = await startRestartableGateway({ namespace, chromium });
    world = await World.over(gateway);
  });
  afterEach(async () => {
    // A test that failed mid-outage leaves the next one a running service.
    if (gateway && !gateway.running) await gateway.start();
  });
  afterAll(async () => {
    await world?.close();
  });

  async function watchedUser(name: string): Promise<{ user: UserPage; context: BrowserContext }> {
    const context = await world.newContext();
    await context.addInitScript(watchConnection);
    return { user: await world.signIn(name, 'student', freshId(), context), context };
  }

  const attempts = (user: UserPage) => user.page.evaluate(() => window.__socketAttempts.length);

  async function waitForAttempts(user: UserPage, count: number): Promise<void> {
    await user.page.waitForFunction((count) => window.__socketAttempts.length >= count, count, { timeout: 60_000 });
  }

  it('reconnects within 3 s of the service answering again, after an outage long enough to grow the backoff', async () => {
    const { user } = await watchedUser('Alice Martin');
    const before = await attempts(user);

    await gateway.stop('crash');
    expect(await user.waitForToast('reconnecting', 15_000)).toContain(SERVICE_WORDS);
    await waitForAttempts(user, before + ATTEMPTS_DURING_OUTAGE);
    const backAt = await gateway.start();

    await user.waitForAttribute('connection-state', 'data-state', 'connected', 30_000);
    const connectedAt = await user.page.evaluate(() => window.__connectedAt.at(-1) ?? 0);
    const reconnectMs = connectedAt - backAt;
    process.stdout.write(`reconnected ${reconnectMs} ms after the service accepted sockets again\n`);
    expect(reconnectMs).toBeGreaterThanOrEqual(0);
    expect(reconnectMs).toBeLessThan(RECONNECTS_WITHIN_MS);
    expect(await user.waitForToast('reconnected')).toContain('Back online');
  }, 120_000);

  it('"Reconnect now" tries at once, while the backoff would wait', async () => {
    const { user } = await watchedUser('Bob Stone');
    const before = await attempts(user);

    await gateway.stop('crash');
    // Four failures in, the backoff's next wait is 8 s (±30 %): an attempt within 3 s is the button's.
    await waitForAttempts(user, before + 4);
    const tried = await attempts(user);
    await user.byTestId('reconnect-now').click();
    await user.page.waitForFunction((tried) => window.__socketAttempts.length > tried, tried, { timeout: 3_000 });
    // The notice stays while the service is down.
    expect(await user.waitForToast('reconnecting')).toContain(SERVICE_WORDS);

    await gateway.start();
    await user.waitForAttribute('connection-state', 'data-state', 'connected', 30_000);
  }, 120_000);

  it('tells the user’s own network being down from the service, and calling meanwhile says which', async () => {
    const { user, context } = await watchedUser('Carol Reyes');

    await gateway.stop('crash');
    expect(await user.waitForToast('reconnecting', 15_000)).toContain(SERVICE_WORDS);
    await user.dial('tutor', freshId(), 'voice');
    expect(await user.waitForToast('not_connected')).toContain("Can't reach the call service right now");

    await context.setOffline(true);
    expect(await user.waitForToast('offline_network')).toContain(OFFLINE_WORDS);
    await user.dial('tutor', freshId(), 'voice');
    expect(await user.waitForToast('not_connected')).toContain("You're offline. Check your internet connection");

    await context.setOffline(false);
    expect(await user.waitForToast('reconnecting')).toContain(SERVICE_WORDS);
    await gateway.start();
    await user.waitForAttribute('connection-state', 'data-state', 'connected', 30_000);
  }, 120_000);
});
