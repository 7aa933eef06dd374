/**
 * Who may call me, from the call client: blocking a caller on the incoming screen or in the
 * history, unblocking in the settings panel, and "Nobody". A refused caller is told in plain words
 * that read the same as for a profile that is offline, so a block never shows as one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireE2eEnvironment } from './support/environment';
import type { UserPage } from './support/user-page';
import { freshId, World } from './support/world';

const runs = requireE2eEnvironment('who can call me');
const UNREACHABLE = "can't be reached right now";
/** Several calls and sign-ins each, on a shared 2-core machine. */
const CALLS_TEST_TIMEOUT_MS = 30_000;

describe.runIf(runs)('who can call me, in Chromium', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(async () => {
    await world?.close();
  });

  async function openSettings(user: UserPage): Promise<void> {
    await user.byTestId('open-settings').click();
    await user.byTestId('settings-panel').waitFor({ state: 'visible' });
    await user.byTestId('who-can-call').locator('input:checked').waitFor({ state: 'attached' });
  }

  /** Calls `callee` and expects the call to be refused without ringing there. */
  async function expectRefused(caller: UserPage, callee: UserPage): Promise<string> {
    await caller.call(callee, 'voice');
    const message = await caller.waitForToast('offline');
    await caller.waitForMainView();
    expect(await callee.byTestId('incoming-call').count()).toBe(0);
    return message;
  }

  it(
    'a caller blocked from the incoming screen is refused in plain words, and rings again once unblocked in the settings panel',
    async () => {
      const sam = await world.signIn('Sam Carter', 'student', freshId());
      const ada = await world.signIn('Ada Lovelace', 'tutor', freshId());

      await sam.call(ada, 'video');
      expect(await ada.waitForIncoming()).toBe('Sam Carter');
      await ada.byTestId('block-caller').click();
      const question = ada.byTestId('block-confirm');
      await question.waitFor({ state: 'visible' });
      expect(await question.textContent()).toContain("Sam Carter won't be able to call you");
      // Blocking is a step taken on purpose: the keyboard lands on Cancel.
      expect(await ada.page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('cancel-block');
      await ada.byTestId('confirm-block').click();

      await ada.waitForMainView();
      expect(await ada.waitForToast('blocked')).toContain('You blocked Sam Carter');
      await sam.waitForToast('rejected'); // the call that rang was declined
      await sam.waitForMainView();

      const refusal = await expectRefused(sam, ada);
      expect(refusal).toContain(`Ada Lovelace ${UNREACHABLE}`);
      expect(refusal.toLowerCase()).not.toContain('block');

      await openSettings(ada);
      const blocked = ada.byTestId('blocked-item');
      expect(await blocked.count()).toBe(1);
      expect(await blocked.getByTestId('blocked-name').textContent()).toBe('Sam Carter');
      await blocked.getByTestId('unblock').click();
      await blocked.waitFor({ state: 'detached' });
      await ada.waitForAttribute('settings-status', 'data-status', 'saved');
      expect(await ada.byTestId('blocked-list').textContent()).toContain("haven't blocked anyone");
      await ada.byTestId('close-settings').click();

      await sam.call(ada, 'voice');
      expect(await ada.waitForIncoming()).toBe('Sam Carter');
      await ada.byTestId('decline-call').click();
      expect(await sam.waitForToast('rejected')).toContain('Ada Lovelace declined your call');
    },
    CALLS_TEST_TIMEOUT_MS,
  );

  it(
    '"Nobody" refuses every caller with the words an offline profile gets, shows on the other tab, and "Everyone" lets calls ring again',
    async () => {
      const id = freshId();
      const context = await world.newContext();
      const desk = await world.signIn('Priya Natarajan', 'parent', id, context);
      const laptop = await world.signIn('Priya Natarajan', 'parent', id, context);
      const caller = await world.signIn('Dan Okafor', 'tutor', freshId());

      await openSettings(desk);
      await desk.byTestId('who-can-call-nobody').check();
      await desk.waitForAttribute('settings-status', 'data-status', 'saved');
      await desk.page.keyboard.press('Escape');
      await desk.byTestId('settings-panel').waitFor({ state: 'hidden' });
      // Focus goes back to what opened the panel.
      expect(await desk.page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('open-settings');

      // The other tab heard the change without asking.
      await openSettings(laptop);
      expect(await laptop.byTestId('who-can-call-nobody').isChecked()).toBe(true);
      await laptop.byTestId('close-settings').click();

      const refusedByNobody = await expectRefused(caller, desk);
      expect(await laptop.byTestId('incoming-call').count()).toBe(0);
      const unknownProfile = freshId();
      await caller.dial('parent', unknownProfile, 'voice');
      const refusedAsUnknown = await caller.waitForToast('offline');
      await caller.waitForMainView();
      // Word for word the same but for the id: the caller cannot tell "Nobody" from a profile that is not there.
      expect(refusedByNobody).toBe(refusedAsUnknown.replace(String(unknownProfile), String(id)));

      await openSettings(laptop);
      await laptop.byTestId('who-can-call-everyone').check();
      await laptop.waitForAttribute('settings-status', 'data-status', 'saved');
      await laptop.byTestId('close-settings').click();
      await caller.call(desk, 'voice');
      await Promise.all([desk.waitForIncoming(), laptop.waitForIncoming()]);
      await caller.byTestId('end-call').click();
      await desk.waitForMainView();
    },
    CALLS_TEST_TIMEOUT_MS,
  );

  it(
    'blocking from a history row asks first, marks the row, and unblocking there lets the caller ring again',
    async () => {
      const erin = await world.signIn('Erin Walsh', 'student', freshId());
      const femi = await world.signIn('Femi Adeyemi', 'tutor', freshId());
      await erin.call(femi, 'voice');
      await femi.waitForIncoming();
      await femi.byTestId('decline-call').click();
      await erin.waitForMainView();

      const row = femi.byTestId('call-history-item').first();
      await row.waitFor();
      await row.getByTestId('history-block').click();
      const question = femi.byTestId('confirm-dialog');
      await question.waitFor({ state: 'visible' });
      expect(await question.textContent()).toContain('Block Erin Walsh?');
      await femi.byTestId('confirm-action').click();
      expect(await femi.waitForToast('blocked')).toContain('You blocked Erin Walsh');
      await row.getByTestId('blocked-tag').waitFor();

      expect(await expectRefused(erin, femi)).toContain(UNREACHABLE);

      await row.getByTestId('history-unblock').click();
      expect(await femi.waitForToast('unblocked')).toContain('Erin Walsh can call you again');
      await row.getByTestId('blocked-tag').waitFor({ state: 'detached' });
      await erin.call(femi, 'voice');
      expect(await femi.waitForIncoming()).toBe('Erin Walsh');
      await femi.byTestId('decline-call').click();
      await erin.waitForToast('rejected');
    },
    CALLS_TEST_TIMEOUT_MS,
  );
});
