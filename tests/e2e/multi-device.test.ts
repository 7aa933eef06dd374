/**
 * One person in two tabs, and a call that outlives the signaling server: every tab rings, the
 * first to answer takes the call, the others stop ringing; media keeps flowing peer to peer when
 * the server goes away, and ending still works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECONNECTING_WORDS } from '../../web/src/ui/connection-words';
import { requireE2eEnvironment } from './support/environment';
import { freshId, World } from './support/world';

const runs = requireE2eEnvironment('several devices');

describe.runIf(runs)('several tabs and a lost server, in Chromium', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(async () => {
    await world?.close();
  });

  async function twoTabs(name: string, profileType: string) {
    const id = freshId();
    const context = await world.newContext();
    const first = await world.signIn(name, profileType, id, context);
    const second = await world.signIn(name, profileType, id, context);
    return [first, second] as const;
  }

  it('answering in one tab stops the ringing in the other', async () => {
    const alice = await world.signIn('Alice Martin', 'student', freshId());
    const [desk, laptop] = await twoTabs('Bob Stone', 'tutor');

    await alice.call(desk, 'video');
    await Promise.all([desk.waitForIncoming(), laptop.waitForIncoming()]);
    expect(await desk.ringtone()).toBe('incoming');
    expect(await laptop.ringtone()).toBe('incoming');

    await desk.byTestId('accept-call').click();
    expect(await laptop.waitForToast('answered_elsewhere')).toContain('Answered on another device');
    await laptop.waitForMainView();
    expect(await laptop.ringtone()).toBeUndefined();

    await Promise.all([alice.waitForCallStatus('connected'), desk.waitForCallStatus('connected')]);
    await desk.waitForVideoFrames('remote-video');
    await alice.byTestId('end-call').click();
    await desk.waitForMainView();
  });

  it('declining in one tab stops the ringing in the other', async () => {
    const carol = await world.signIn('Carol Reyes', 'parent', freshId());
    const [phone, tablet] = await twoTabs('Dan Okafor', 'tutor');

    await carol.call(phone, 'voice');
    await Promise.all([phone.waitForIncoming(), tablet.waitForIncoming()]);
    await tablet.byTestId('decline-call').click();
    expect(await phone.waitForToast('declined_elsewhere')).toContain('Declined on another device');
    await phone.waitForMainView();
    expect(await carol.waitForToast('rejected')).toContain('Dan Okafor declined your call');
  });

  it('signs in from a token in the URL fragment, as an embedding platform does, and hides the token', async () => {
    const context = await world.newContext();
    const page = await context.newPage();
    await page.goto('/');
    const id = freshId();
    // The platform's backend would mint this; here the local dev endpoint stands in for it.
    const token = await page.evaluate(async (profileId) => {
      const response = await fetch('/dev/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ profile_id: profileId, profile_type: 'advertiser', name: 'Gus Embedded' }),
      });
      return ((await response.json()) as { token: string }).token;
    }, id);
    const embedded = await context.newPage();
    await embedded.goto(`/#token=${token}`);
    await embedded.getByTestId('connection-state').and(embedded.locator('[data-state="connected"]')).waitFor();
    expect(await embedded.getByTestId('me-name').textContent()).toBe('Gus Embedded');
    expect(embedded.url()).not.toContain('token');
    expect(await embedded.getByTestId('login-submit').count()).toBe(0);
  });

  // Last in this file: it stops the server.
  it('keeps the media flowing when the server goes away, says so once (the banner, not a toast too), and End still returns to the main view', async () => {
    const erin = await world.signIn('Erin Walsh', 'student', freshId());
    const femi = await world.signIn('Femi Adeyemi', 'tutor', freshId());
    await erin.call(femi, 'video');
    await femi.waitForIncoming();
    await femi.byTestId('accept-call').click();
    await Promise.all([erin.waitForCallStatus('connected'), femi.waitForCallStatus('connected')]);
    const before = await femi.waitForVideoFrames('remote-video');

    await world.gateway.close();
    await Promise.all([
      erin.waitForAttribute('connection-state', 'data-state', 'reconnecting'),
      femi.waitForAttribute('connection-state', 'data-state', 'reconnecting'),
    ]);
    const banner = erin.byTestId('call-banner');
    await banner.waitFor({ state: 'visible' });
    // Worded for what the browser knows: with only loopback in the test's namespace, it counts itself offline.
    const words = RECONNECTING_WORDS[(await erin.page.evaluate(() => navigator.onLine)) ? 'service' : 'offline'];
    expect(await banner.textContent()).toBe(words);
    await erin.byTestId('reconnect-now').waitFor({ state: 'visible' });
    expect(await erin.byTestId('toast').count()).toBe(0);
    // Peer to peer: the call goes on without the server.
    const after = await femi.waitForVideoFrames('remote-video', before.frames + 10);
    expect(after.frames).toBeGreaterThan(before.frames);
    expect(await erin.page.getByTestId('call-status').getAttribute('data-state')).toBe('connected');

    await erin.byTestId('end-call').click();
    await erin.waitForMainView(1_000);
    // Out of the call, the same words move to the one toast.
    expect(await erin.waitForToast(['reconnecting', 'offline_network'])).toContain(words);
  }, 30_000);
});
