/**
 * Errors that explain themselves, through the UI: signing in while the service is down says so
 * (not "Failed to fetch"), a profile ID in the wrong format says what the format is (not "Please
 * match the requested format"), and a wrong ID in the dialer says why the call buttons are off.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebClientBuilt } from '../../web/build';
import { e2eEnvironment, requireE2eEnvironment } from './support/environment';
import { startRestartableGateway, type RestartableGateway } from './support/restartable-gateway';
import { freshId, World } from './support/world';

const runs = requireE2eEnvironment('plain errors');

describe.runIf(runs)('errors in plain words, in Chromium', () => {
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
    if (gateway && !gateway.running) await gateway.start();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('signing in while the call service is down says it cannot be reached, and signing in works once it is back', async () => {
    const page = await world.openPage();
    await page.goto('/');
    await page.getByTestId('login-name').fill('Ada Lovelace');
    await page.getByTestId('login-profile-id').fill(String(freshId()));

    await gateway.stop('crash');
    await page.getByTestId('login-submit').click();
    const error = page.getByTestId('login-error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toBe("Can't reach the call service. Check that it is running, then sign in again.");

    await gateway.start();
    await page.getByTestId('login-submit').click();
    await page.getByTestId('connection-state').waitFor();
  }, 60_000);

  it('a profile ID in the wrong format is refused with the format, and what is wrong in it', async () => {
    const page = await world.openPage();
    await page.goto('/');
    await page.getByTestId('login-name').fill('Ada Lovelace');
    const id = page.getByTestId('login-profile-id');
    await id.fill('ada lovelace');
    await page.getByTestId('login-submit').click();

    const message = await id.evaluate((input: HTMLInputElement) => input.validationMessage);
    expect(message).toContain('Profile IDs use only A–Z, a–z, 0–9 and . _ : @ -');
    expect(message).toContain("“space” isn't allowed");
    expect(await page.getByTestId('connection-state').count()).toBe(0); // not signed in
  });

  it('a wrong ID in the dialer says why the call buttons are off, next to them', async () => {
    const user = await world.signIn('Grace Hopper', 'student', freshId());
    await user.byTestId('dial-profile-id').fill('tütor');

    await user.waitForAttribute('dial-presence', 'data-presence', 'invalid');
    expect(await user.byTestId('dial-presence').textContent()).toContain("“ü” isn't allowed");
    expect(await user.byTestId('call-video').isDisabled()).toBe(true);
    expect(await user.byTestId('dial-profile-id').getAttribute('aria-invalid')).toBe('true');

    await user.byTestId('dial-profile-id').fill('42');
    await user.page.waitForFunction(
      () => document.querySelector('[data-testid="dial-presence"]')?.getAttribute('data-presence') !== 'invalid',
    );
    expect(await user.byTestId('call-video').isDisabled()).toBe(false);
  });
});
