/**
 * A person whose tab is in the background hears of calls: a system notification for an incoming
 * call (the call still rings in the page), one for a call missed meanwhile, none while the tab is
 * looked at; clicking one brings the tab forward. Permission is offered once, after a first action.
 *
 * Chromium grants the notification permission here as a person would. Headless Chromium never
 * hides a page, so the page is told it is hidden (`document.visibilityState`, `visibilitychange`)
 * by a hook; the notifications are the browser's real ones, recorded as they are constructed.
 */
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireE2eEnvironment } from './support/environment';
import type { UserPage } from './support/user-page';
import { freshId, World } from './support/world';

const runs = requireE2eEnvironment('background notifications');

interface ShownNotification {
  title: string;
  body: string;
  tag: string;
  requireInteraction: boolean;
  /** Made by the browser's own constructor. */
  real: boolean;
  closed: boolean;
}

declare global {
  interface Window {
    __notifications: ShownNotification[];
    __notificationObjects: Notification[];
    __focusCalls: number;
    __setHidden: (hidden: boolean) => void;
  }
}

/** Runs in the page: records each Notification the page constructs (a real one), and lets the test hide the page. */
function hookNotificationsAndVisibility(): void {
  const shown: ShownNotification[] = [];
  const objects: Notification[] = [];
  const Native = window.Notification;
  class Recorded extends Native {
    private readonly entry: ShownNotification;
    constructor(title: string, options?: NotificationOptions) {
      super(title, options);
      this.entry = {
        title,
        body: options?.body ?? '',
        tag: options?.tag ?? '',
        requireInteraction: options?.requireInteraction ?? false,
        real: this instanceof Native,
        closed: false,
      };
      shown.push(this.entry);
      objects.push(this);
    }
    override close(): void {
      this.entry.closed = true;
      super.close();
    }
  }
  Object.defineProperty(window, 'Notification', { value: Recorded, configurable: true, writable: true });
  Object.defineProperty(window, '__notifications', { value: shown });
  Object.defineProperty(window, '__notificationObjects', { value: objects });

  let hidden = false;
  Object.defineProperty(Document.prototype, 'visibilityState', { get: () => (hidden ? 'hidden' : 'visible'), configurable: true });
  Object.defineProperty(Document.prototype, 'hidden', { get: () => hidden, configurable: true });
  window.__setHidden = (value: boolean) => {
    hidden = value;
    document.dispatchEvent(new Event('visibilitychange'));
  };
  window.__focusCalls = 0;
  const focus = window.focus.bind(window);
  window.focus = () => {
    window.__focusCalls++;
    focus();
  };
}

describe.runIf(runs)('calls while the tab is in the background, in Chromium', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(async () => {
    await world?.close();
  });

  async function hookedContext(grant: boolean): Promise<BrowserContext> {
    const context = await world.newContext();
    if (grant) await context.grantPermissions(['notifications'], { origin: world.gateway.httpUrl });
    await context.addInitScript(hookNotificationsAndVisibility);
    return context;
  }

  const notifications = (user: UserPage) => user.page.evaluate(() => window.__notifications);

  async function waitForNotifications(user: UserPage, count: number): Promise<ShownNotification[]> {
    await user.page.waitForFunction((count) => window.__notifications.length >= count, count, { timeout: 10_000 });
    return notifications(user);
  }

  it('a hidden tab gets a notification for an incoming call and still rings; clicking it brings the tab forward; a missed call gets its own', async () => {
    const bob = await world.signIn('Bob Stone', 'tutor', freshId(), await hookedContext(true));
    const alice = await world.signIn('Alice Martin', 'student', freshId());
    expect(await bob.page.evaluate(() => Notification.permission)).toBe('granted');
    await bob.page.evaluate(() => window.__setHidden(true));

    await alice.call(bob, 'video');
    expect(await bob.waitForIncoming()).toBe('Alice Martin');
    expect(await bob.ringtone()).toBe('incoming'); // the page rings too
    const [ringing] = await waitForNotifications(bob, 1);
    expect(ringing).toMatchObject({ title: 'Incoming video call', body: 'Alice Martin is calling', requireInteraction: true, real: true });

    await bob.page.evaluate(() => window.__notificationObjects[0]?.dispatchEvent(new Event('click')));
    expect(await bob.page.evaluate(() => window.__focusCalls)).toBe(1);
    expect((await notifications(bob))[0]?.closed).toBe(true);

    await alice.waitForCallStatus('ringing');
    await alice.byTestId('end-call').click(); // Alice gives up: Bob missed it
    const [, missed] = await waitForNotifications(bob, 2);
    expect(missed).toMatchObject({ title: 'Missed video call', body: 'From Alice Martin', real: true });
    await bob.waitForMainView();
  });

  it('a tab in view is not notified; hidden while ringing it is, and the notification goes when it is looked at or stops ringing', async () => {
    const carol = await world.signIn('Carol Reyes', 'parent', freshId(), await hookedContext(true));
    const dan = await world.signIn('Dan Okafor', 'student', freshId());

    await dan.call(carol, 'voice');
    await carol.waitForIncoming();
    expect(await notifications(carol)).toEqual([]);

    await carol.page.evaluate(() => window.__setHidden(true));
    const [ringing] = await waitForNotifications(carol, 1);
    expect(ringing).toMatchObject({ title: 'Incoming voice call', body: 'Dan Okafor is calling', closed: false });
    await carol.page.evaluate(() => window.__setHidden(false));
    expect((await notifications(carol))[0]?.closed).toBe(true);

    await carol.page.evaluate(() => window.__setHidden(true));
    await waitForNotifications(carol, 2);
    await carol.page.evaluate(() => window.__setHidden(false));
    await carol.byTestId('decline-call').click();
    await carol.waitForMainView();
    const all = await notifications(carol);
    expect(all.map((shown) => shown.closed)).toEqual([true, true]);
    expect(all.map((shown) => shown.title)).toEqual(['Incoming voice call', 'Incoming voice call']); // a decline is no missed call
  });

  it('asks once, after the first action, and only when the person says so', async () => {
    const context = await hookedContext(false);
    const erin = await world.signIn('Erin Walsh', 'student', freshId(), context);
    expect(await erin.page.evaluate(() => Notification.permission)).toBe('default');

    await erin.byTestId('dial-profile-id').click();
    expect(await erin.waitForToast('notifications_offer')).toContain('Get a notification when someone calls');
    await erin.byTestId('notifications-turn-on').waitFor();

    await erin.page.reload();
    await erin.waitForAttribute('connection-state', 'data-state', 'connected');
    await erin.byTestId('dial-profile-id').click();
    await erin.byTestId('dial-profile-id').fill('42');
    expect(await erin.page.locator('[data-testid="toast"][data-outcome="notifications_offer"]').count()).toBe(0);
  });

  it('never covers a call: an offer still showing when a call rings goes away, and comes back after a later action', async () => {
    const gus = await world.signIn('Gus Moreau', 'student', freshId(), await hookedContext(false));
    const hana = await world.signIn('Hana Ito', 'tutor', freshId());
    const offer = gus.page.locator('[data-testid="toast"][data-outcome="notifications_offer"]');
    await gus.byTestId('dial-profile-id').click();
    await offer.waitFor();

    await hana.call(gus, 'voice');
    await gus.waitForIncoming();
    await offer.waitFor({ state: 'detached' });
    await gus.byTestId('decline-call').click();
    await gus.waitForMainView();
    await gus.byTestId('dial-profile-id').click();
    await offer.waitFor();
  });
});
