/**
 * The dialer and the local sign-in as a person meets them: Enter never rings anyone by itself, a
 * second window is a new person's, the dialer names whom it will call when the page knows, and the
 * sign-in takes a picture address, checked before it is used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireE2eEnvironment } from './support/environment';
import { freshId, World } from './support/world';
import { UserPage } from './support/user-page';

const runs = requireE2eEnvironment('the dialer and the sign-in');

/** A 1×1 PNG, served for the avatar addresses below (nothing here reaches a real network). */
const PIXEL_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const AVATAR_URL = 'https://avatars.example.test/sam.png';

describe.runIf(runs)('the dialer and the sign-in, in Chromium', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(async () => {
    await world?.close();
  });

  const focusedTestId = (user: UserPage) => user.page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);

  it('Enter in the id field places no call: it moves to the call buttons, and a second Enter calls with the one chosen', async () => {
    const ana = await world.signIn('Ana Costa', 'student', freshId());
    const ben = await world.signIn('Ben Ode', 'tutor', freshId());
    await ana.byTestId('dial-profile-type').selectOption('tutor');
    await ana.byTestId('dial-profile-id').fill(ben.profile.profileId);
    await ana.byTestId('dial-profile-id').press('Enter');

    await ana.page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'call-voice', undefined, {
      timeout: 5_000,
    });
    // Placing a call shows the call screen at once; nothing did.
    expect(await ana.byTestId('call-status').count()).toBe(0);

    // The focused button is an explicit choice: Tab to video, Enter calls by video.
    await ana.page.keyboard.press('Tab');
    expect(await focusedTestId(ana)).toBe('call-video');
    await ana.page.keyboard.press('Enter');
    await ben.waitForIncoming();
    expect(await ben.byTestId('incoming-call').getAttribute('data-call-type')).toBe('video');
    await ana.byTestId('end-call').click();
    await ben.waitForMainView();
  }, 30_000);

  it('a second window opens at an empty sign-in, not as the person signed in in the first', async () => {
    const context = await world.newContext();
    const first = await world.signIn('Cleo Grant', 'tutor', freshId(), context);
    const second = await context.newPage();
    await second.goto('/');
    await second.getByTestId('login-name').waitFor();
    expect(await second.getByTestId('login-name').inputValue()).toBe('');
    expect(await second.getByTestId('login-profile-id').inputValue()).toBe('');

    // In its own tab, signing out offers the same person again (a quick way back in).
    await first.byTestId('sign-out').click();
    await first.byTestId('login-name').waitFor();
    expect(await first.byTestId('login-name').inputValue()).toBe('Cleo Grant');
    expect(await first.byTestId('login-profile-id').inputValue()).toBe(first.profile.profileId);
  }, 30_000);

  it('the dialer names a profile the page knows, and the calling screen shows that name before any answer', async () => {
    const dina = await world.signIn('Dina Roth', 'parent', freshId());
    const eli = await world.signIn('Eli Sand', 'tutor', freshId());
    await dina.call(eli, 'voice');
    await eli.waitForIncoming();
    await eli.byTestId('accept-call').click();
    await dina.waitForCallStatus('connected');
    await eli.byTestId('end-call').click();
    await dina.waitForMainView();
    await dina.byTestId('call-history-item').filter({ hasText: 'Eli Sand' }).first().waitFor();

    // A profile it has never met has no name to show.
    await dina.byTestId('dial-profile-type').selectOption('tutor');
    await dina.byTestId('dial-profile-id').fill(String(freshId()));
    await dina.waitForAttribute('dial-presence', 'data-presence', 'offline');
    expect(await dina.byTestId('dial-target-name').isVisible()).toBe(false);

    await dina.byTestId('dial-profile-id').fill(eli.profile.profileId);
    await dina.byTestId('dial-target-name').filter({ hasText: 'Eli Sand' }).waitFor();
    await dina.byTestId('call-video').click();
    await dina.waitForCallStatus('ringing');
    expect(await dina.byTestId('call-peer-name').textContent()).toBe('Eli Sand');
    await eli.waitForIncoming();
    await dina.byTestId('end-call').click();
    await eli.waitForMainView();
  }, 30_000);

  it('the local sign-in takes an avatar address, refuses one that is not a web address, and shows the picture to the callee', async () => {
    const context = await world.newContext();
    await context.route('https://avatars.example.test/**', (route) => route.fulfill({ contentType: 'image/png', body: PIXEL_PNG }));
    const page = await context.newPage();
    const sam = new UserPage(page, { name: 'Sam Lee', profileType: 'student', profileId: String(freshId()) });
    await page.goto('/');
    await sam.byTestId('login-name').fill(sam.profile.name);
    await sam.byTestId('login-profile-id').fill(sam.profile.profileId);
    await sam.byTestId('login-avatar').fill('javascript:alert(1)');
    await sam.byTestId('login-submit').click();
    await sam.byTestId('login-avatar-error').filter({ hasText: 'https://' }).waitFor();
    expect(await sam.byTestId('me-name').count()).toBe(0); // not signed in

    await sam.byTestId('login-avatar').fill(AVATAR_URL);
    expect(await sam.byTestId('login-avatar-error').isVisible()).toBe(false);
    await sam.byTestId('login-submit').click();
    await sam.waitForAttribute('connection-state', 'data-state', 'connected');
    const myPicture = page.locator('.me-card .avatar img');
    expect(await myPicture.getAttribute('src')).toBe(AVATAR_URL);

    const tess = await world.signIn('Tess Young', 'tutor', freshId());
    await tess.page
      .context()
      .route('https://avatars.example.test/**', (route) => route.fulfill({ contentType: 'image/png', body: PIXEL_PNG }));
    await sam.call(tess, 'voice');
    await tess.waitForIncoming();
    const callerPicture = tess.page.locator('[data-testid="incoming-call"] .avatar img');
    await callerPicture.waitFor();
    expect(await callerPicture.getAttribute('src')).toBe(AVATAR_URL);
    await tess.page.waitForFunction(
      () => (document.querySelector<HTMLImageElement>('[data-testid="incoming-call"] .avatar img')?.naturalWidth ?? 0) > 0,
    );
    await sam.byTestId('end-call').click();
    await tess.waitForMainView();
  }, 30_000);
});
