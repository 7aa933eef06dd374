/**
 * The call client by keyboard: every overlay (incoming call, call screen, call settings, block
 * question) takes the focus when it opens, keeps Tab and Shift+Tab inside while open, so nothing
 * behind it (Sign out included) can be reached, and gives the focus back when it closes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireE2eEnvironment } from './support/environment';
import { focusedElement, focusIsInside, stepsOutside } from './support/keyboard';
import type { UserPage } from './support/user-page';
import { freshId, World } from './support/world';

const runs = requireE2eEnvironment('keyboard');
/** More presses than any overlay has controls, so every way out would be tried. */
const PRESSES = 10;
const INCOMING = '[data-testid="incoming-call"]';
const CALL_SCREEN = '.call-screen';
/** A call or two and forty key presses each, on a shared 2-core machine. */
const KEYBOARD_TEST_TIMEOUT_MS = 45_000;

describe.runIf(runs)('keyboard focus in Chromium', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(async () => {
    await world?.close();
  });

  const testIdOfFocus = (user: UserPage) => user.page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);

  /** The focus lands on `testId` (a closing dialog hands it back a moment after it hides). */
  async function expectFocusComesBackTo(user: UserPage, testId: string): Promise<void> {
    const landed = await user.page
      .waitForFunction((testId) => document.activeElement?.getAttribute('data-testid') === testId, testId, { timeout: 5_000 })
      .then(() => true)
      .catch(() => false);
    expect(landed, `the focus is on ${await focusedElement(user.page)}, not on ${testId}`).toBe(true);
  }

  it(
    'the incoming call takes the focus on Accept, Tab never leaves it (nor its block question), and Escape gives the focus back',
    async () => {
      const sam = await world.signIn('Sam Carter', 'student', freshId());
      const ada = await world.signIn('Ada Lovelace', 'tutor', freshId());
      await sam.byTestId('dial-profile-id').focus();

      await ada.call(sam, 'video');
      await sam.waitForIncoming();
      expect(await testIdOfFocus(sam)).toBe('accept-call');
      expect(await stepsOutside(sam.page, INCOMING, PRESSES)).toEqual([]);

      await sam.byTestId('block-caller').focus();
      await sam.page.keyboard.press('Enter');
      await sam.byTestId('block-confirm').waitFor();
      expect(await stepsOutside(sam.page, INCOMING, PRESSES)).toEqual([]);

      await sam.page.keyboard.press('Escape'); // back out of the question
      await sam.byTestId('block-confirm').waitFor({ state: 'hidden' });
      await sam.page.keyboard.press('Escape'); // declines
      await Promise.all([sam.waitForMainView(), ada.waitForMainView()]);
      await expectFocusComesBackTo(sam, 'dial-profile-id');
    },
    KEYBOARD_TEST_TIMEOUT_MS,
  );

  it(
    'a call placed by keyboard moves the focus into the call screen, Tab stays there while it rings and once connected, and the focus comes back when it ends',
    async () => {
      const sam = await world.signIn('Sam Carter', 'student', freshId());
      const ada = await world.signIn('Ada Lovelace', 'tutor', freshId());
      await sam.byTestId('dial-profile-type').selectOption(ada.profile.profileType);
      await sam.byTestId('dial-profile-id').fill(ada.profile.profileId);
      await sam.byTestId('call-video').focus();
      await sam.page.keyboard.press('Enter');

      await sam.waitForCallStatus('ringing');
      expect(await focusIsInside(sam.page, CALL_SCREEN), `focus is on ${await focusedElement(sam.page)}`).toBe(true);
      expect(await stepsOutside(sam.page, CALL_SCREEN, PRESSES)).toEqual([]);

      await ada.waitForIncoming();
      await ada.byTestId('accept-call').click();
      await Promise.all([sam.waitForCallStatus('connected'), ada.waitForCallStatus('connected')]);
      // The one who answered is in the call screen too.
      expect(await focusIsInside(ada.page, CALL_SCREEN), `focus is on ${await focusedElement(ada.page)}`).toBe(true);
      expect(await stepsOutside(sam.page, CALL_SCREEN, PRESSES)).toEqual([]);

      await sam.byTestId('end-call').focus();
      await sam.page.keyboard.press('Enter');
      await Promise.all([sam.waitForMainView(), ada.waitForMainView()]);
      await expectFocusComesBackTo(sam, 'call-video');
    },
    KEYBOARD_TEST_TIMEOUT_MS,
  );

  it(
    'the call settings and the block question keep Tab inside and give the focus back to the button that opened them',
    async () => {
      const sam = await world.signIn('Sam Carter', 'student', freshId());
      const ada = await world.signIn('Ada Lovelace', 'tutor', freshId());
      await ada.call(sam, 'voice');
      await sam.waitForIncoming();
      await sam.byTestId('decline-call').click();
      await sam.byTestId('call-history-item').first().waitFor();

      await sam.byTestId('open-settings').focus();
      await sam.page.keyboard.press('Enter');
      await sam.byTestId('settings-panel').waitFor({ state: 'visible' });
      await sam.byTestId('who-can-call').locator('input:checked').waitFor({ state: 'attached' });
      expect(await stepsOutside(sam.page, '[data-testid="settings-panel"]', PRESSES)).toEqual([]);
      await sam.page.keyboard.press('Escape');
      await sam.byTestId('settings-panel').waitFor({ state: 'hidden' });
      await expectFocusComesBackTo(sam, 'open-settings');

      await sam.byTestId('history-block').first().focus();
      await sam.page.keyboard.press('Enter');
      await sam.byTestId('confirm-dialog').waitFor({ state: 'visible' });
      expect(await testIdOfFocus(sam)).toBe('confirm-cancel');
      expect(await stepsOutside(sam.page, '[data-testid="confirm-dialog"]', PRESSES)).toEqual([]);
      await sam.page.keyboard.press('Escape');
      await sam.byTestId('confirm-dialog').waitFor({ state: 'hidden' });
      await expectFocusComesBackTo(sam, 'history-block');
    },
    KEYBOARD_TEST_TIMEOUT_MS,
  );
});
