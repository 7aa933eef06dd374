/**
 * Every screen of the call client, in the order a person meets them, at one window size: sign-in,
 * home, placing a call, the call in progress, an incoming call (and its block question), the
 * history with a missed call, the block question and the call settings. `visit` is called on each
 * with the page showing it; the person under test is Sam, called and calling Ada (a desktop window).
 */
import type { Page } from 'playwright-core';
import { UserPage } from './user-page';
import { freshId, type World } from './world';

export interface WindowSize {
  name: string;
  width: number;
  height: number;
}

export const DESKTOP: WindowSize = { name: 'desktop', width: 1280, height: 800 };
export const PHONE: WindowSize = { name: 'phone', width: 390, height: 844 };

export type Screen =
  | 'sign-in'
  | 'home'
  | 'call, ringing'
  | 'call, connected'
  | 'incoming call'
  | 'incoming call, block question'
  | 'history'
  | 'block question'
  | 'call settings';

export type Visit = (screen: Screen, page: Page) => Promise<void>;

/** Opens a page at `size` for a new person (their own browser profile). */
export async function openPageAt(world: World, size: WindowSize): Promise<Page> {
  const page = await world.openPage();
  await page.setViewportSize({ width: size.width, height: size.height });
  return page;
}

export async function tourScreens(world: World, size: WindowSize, visit: Visit): Promise<void> {
  const page = await openPageAt(world, size);
  const sam = new UserPage(page, { name: 'Sam Carter', profileType: 'student', profileId: String(freshId()) });
  const ada = await world.signIn('Ada Lovelace', 'tutor', freshId());

  await page.goto('/');
  await sam.byTestId('login-submit').waitFor();
  await visit('sign-in', page);

  await sam.signIn();
  await page.getByText('No calls yet').waitFor();
  await visit('home', page);

  await sam.call(ada, 'video');
  await sam.waitForCallStatus('ringing');
  await ada.waitForIncoming();
  await visit('call, ringing', page);

  await ada.byTestId('accept-call').click();
  await Promise.all([sam.waitForCallStatus('connected'), ada.waitForCallStatus('connected')]);
  await sam.waitForVideoFrames('remote-video', 2);
  await visit('call, connected', page);
  await sam.byTestId('end-call').click();
  await Promise.all([sam.waitForMainView(), ada.waitForMainView()]);

  await ada.call(sam, 'video');
  await sam.waitForIncoming();
  await visit('incoming call', page);
  await sam.byTestId('block-caller').click();
  await sam.byTestId('block-confirm').waitFor();
  await visit('incoming call, block question', page);
  await sam.byTestId('cancel-block').click();
  await sam.byTestId('decline-call').click();
  await Promise.all([sam.waitForMainView(), ada.waitForMainView()]);

  // A call Sam missed: Ada gives up while it rings.
  await ada.call(sam, 'voice');
  await sam.waitForIncoming();
  await ada.byTestId('end-call').click();
  await Promise.all([sam.waitForMainView(), ada.waitForMainView()]);
  // `data-missed` is present (empty) on a missed call's row.
  await page.locator('[data-testid="call-history-item"][data-missed]:not([data-missed="false"])').first().waitFor();
  await page.locator('[data-testid="call-history-item"]').nth(2).waitFor();
  await visit('history', page);

  await sam.byTestId('history-block').first().click();
  await sam.byTestId('confirm-dialog').waitFor({ state: 'visible' });
  await visit('block question', page);
  await sam.byTestId('confirm-action').click();
  await sam.waitForToast('blocked');

  await sam.byTestId('open-settings').click();
  await sam.byTestId('blocked-item').waitFor();
  await visit('call settings', page);
  await sam.byTestId('close-settings').click();
}
