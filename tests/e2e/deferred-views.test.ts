/**
 * The call screen and the call settings dialog load after the page starts, in chunks of their own
 * (web/src/ui/deferred-view.ts). Here their scripts are held back, as on a slow network, to show
 * that a call accepted, or the settings opened, before they are in is shown once they arrive.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../web/build';
import { requireE2eEnvironment } from './support/environment';
import { UserPage } from './support/user-page';
import { freshId, World } from './support/world';

const runs = requireE2eEnvironment('views loaded on demand');

/** Holds back, until `release`, every script of the page that its HTML does not load at start. */
async function holdOnDemandScripts(context: BrowserContext): Promise<{ held: () => number; release: () => void }> {
  const html = await readFile(join(WEB_DIST, 'index.html'), 'utf8');
  const atStart = new Set([...html.matchAll(/assets\/[\w-]+\.js/g)].map(([path]) => path));
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let held = 0;
  await context.route('**/assets/*.js', async (route) => {
    const path = new URL(route.request().url()).pathname.slice(1);
    if (!atStart.has(path)) {
      held++;
      await released;
    }
    await route.continue();
  });
  return { held: () => held, release };
}

describe.runIf(runs)('views loaded on demand', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('shows a call accepted before the call screen arrived, already connected, once it does', async () => {
    const context = await world.newContext();
    const scripts = await holdOnDemandScripts(context);
    const callee = new UserPage(await context.newPage(), { name: 'Slow Sally', profileType: 'tutor', profileId: String(freshId()) });
    await callee.signIn();
    const caller = await world.signIn('Quick Quentin', 'student', freshId());
    // The page is in use while its on-demand parts are still on their way.
    expect(scripts.held()).toBeGreaterThan(0);

    await caller.call(callee, 'video');
    expect(await callee.waitForIncoming()).toBe('Quick Quentin');
    await callee.byTestId('accept-call').click();
    // The call itself does not wait for the screen: the caller sees it connect.
    await caller.waitForCallStatus('connected');
    expect(await callee.byTestId('call-status').count()).toBe(0);

    scripts.release();
    await callee.waitForCallStatus('connected');
    await callee.waitForVideoFrames('remote-video');
    await callee.byTestId('end-call').click();
    await Promise.all([callee.waitForMainView(), caller.waitForMainView()]);
  });

  it('opens the call settings asked for before the dialog arrived, with the settings read meanwhile', async () => {
    const context = await world.newContext();
    const scripts = await holdOnDemandScripts(context);
    const user = new UserPage(await context.newPage(), { name: 'Patient Pat', profileType: 'parent', profileId: String(freshId()) });
    await user.signIn();

    await user.byTestId('open-settings').click();
    expect(await user.byTestId('settings-panel').count()).toBe(0);
    scripts.release();
    await user.byTestId('settings-panel').waitFor({ state: 'visible' });
    // Read at connect, before the dialog was in: shown at once, not "Loading".
    expect(await user.byTestId('who-can-call-everyone').isChecked()).toBe(true);
    await user.byTestId('close-settings').click();
    await user.byTestId('settings-panel').waitFor({ state: 'hidden' });
  });
});
