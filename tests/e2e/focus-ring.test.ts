/**
 * The keyboard focus can be seen everywhere: on the light sign-in, home and settings, and on the dark
 * incoming screen and over the video of a call, every control Tab reaches changes, when focused,
 * at least a 2 px line's worth of pixels around it by 3:1 contrast or more.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireE2eEnvironment } from './support/environment';
import { measureFocusRings, type FocusRingMeasure } from './support/focus-ring';
import { freshId, World } from './support/world';

const runs = requireE2eEnvironment('focus ring');
/** A call, four screens and two pictures per control, on a shared 2-core machine. */
const FOCUS_RING_TEST_TIMEOUT_MS = 90_000;

describe.runIf(runs)('visible keyboard focus in Chromium', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(async () => {
    await world?.close();
  });

  /** Reaches `testId` by keyboard (Shift+Tab, then Tab), so it shows the focus as Tab shows it. */
  async function tabTo(page: Page, testId: string): Promise<void> {
    await page.getByTestId(testId).focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
  }

  const faint = (measures: FocusRingMeasure[]) =>
    measures.filter((m) => m.changedPixels < m.requiredPixels).map((m) => `${m.control}: ${m.changedPixels} of ${m.requiredPixels} px`);

  it(
    'every control shows a focus ring of 3:1 contrast on the sign-in and home pages, the incoming screen, over a video call and in the settings',
    async () => {
      const decoder = await world.openPage();
      const screens = new Map<string, FocusRingMeasure[]>();
      const signIn = await world.openPage();
      await signIn.emulateMedia({ reducedMotion: 'reduce' });
      await signIn.goto('/');
      await tabTo(signIn, 'login-name');
      screens.set('sign-in', await measureFocusRings(signIn, '.signin', decoder));

      const sam = await world.signIn('Sam Carter', 'student', freshId());
      const ada = await world.signIn('Ada Lovelace', 'tutor', freshId());
      // The focus is judged on the settled picture, not during a transition.
      await sam.page.emulateMedia({ reducedMotion: 'reduce' });
      await ada.call(sam, 'voice');
      await sam.waitForIncoming();
      await sam.byTestId('decline-call').click();
      await sam.byTestId('call-history-item').first().waitFor();
      await sam.byTestId('dial-profile-type').selectOption(ada.profile.profileType);
      await sam.byTestId('dial-profile-id').fill(ada.profile.profileId);

      await tabTo(sam.page, 'open-settings');
      // The header and the page's main part (toasts come and go by themselves).
      screens.set('home', await measureFocusRings(sam.page, '.topbar, .home', decoder));

      await ada.call(sam, 'video');
      await sam.waitForIncoming();
      await tabTo(sam.page, 'accept-call');
      screens.set('incoming call', await measureFocusRings(sam.page, '[data-testid="incoming-call"]', decoder));

      await sam.byTestId('accept-call').click();
      await Promise.all([sam.waitForCallStatus('connected'), ada.waitForCallStatus('connected')]);
      await sam.waitForVideoFrames('remote-video', 2);
      // The connection quality is a control too, once its first reading is in.
      await sam.byTestId('quality-indicator').waitFor({ state: 'visible' });
      // A still picture of the video, so the two pictures of a control differ only by its focus.
      await sam.page.evaluate(() => {
        for (const video of document.querySelectorAll('video')) video.pause();
      });
      await tabTo(sam.page, 'mute-toggle');
      screens.set('video call', await measureFocusRings(sam.page, '.call-screen', decoder));
      await ada.byTestId('end-call').click();
      await sam.waitForMainView();

      await sam.byTestId('open-settings').click();
      await sam.byTestId('who-can-call').locator('input:checked').waitFor({ state: 'attached' });
      await tabTo(sam.page, 'close-settings');
      screens.set('call settings', await measureFocusRings(sam.page, '[data-testid="settings-panel"]', decoder));

      const summary = Object.fromEntries(
        [...screens].map(([screen, measures]) => [screen, { controls: measures.length, faint: faint(measures) }]),
      );
      const atLeast = (minimum: number) => expect.toSatisfy((n: number) => n >= minimum);
      // Name, type, id, picture address, Sign in; header (2), dialer (4), a history row (3); Decline, Accept, Block;
      // the connection quality, Mute, Camera, Devices, Chat, End (and any control a call adds); Close and a choice.
      expect(summary).toEqual({
        'sign-in': { controls: 5, faint: [] },
        home: { controls: atLeast(9), faint: [] },
        'incoming call': { controls: 3, faint: [] },
        'video call': { controls: atLeast(6), faint: [] },
        'call settings': { controls: atLeast(2), faint: [] },
      });
    },
    FOCUS_RING_TEST_TIMEOUT_MS,
  );
});
