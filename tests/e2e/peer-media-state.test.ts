/**
 * The other side's microphone and camera, as the callee sees them: a real video call between two
 * Chromium pages, where the caller mutes and turns the camera off and on again. The state travels
 * peer to peer over the call's data channel, so the server never hears of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireE2eEnvironment } from './support/environment';
import { freshId, World } from './support/world';
import type { UserPage } from './support/user-page';

const runs = requireE2eEnvironment('the peer’s mute and camera state');

describe.runIf(runs)('the peer’s mute and camera state, in Chromium', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(async () => {
    await world?.close();
  });

  /** What the person looking at the call screen sees of the peer's picture. */
  const stageOf = (user: UserPage) =>
    user.page.evaluate(() => {
      const stage = document.querySelector('.stage');
      const card = document.querySelector('.peer-card');
      return {
        remoteVideoShown: stage?.classList.contains('has-remote-video') ?? false,
        avatarShown: card ? getComputedStyle(card).opacity === '1' && card.querySelector('.avatar') !== null : false,
      };
    });

  const waitForStage = (user: UserPage, remoteVideoShown: boolean) =>
    user.page.waitForFunction(
      (shown) => {
        const card = document.querySelector('.peer-card');
        const cardShown = card !== null && getComputedStyle(card).opacity === '1';
        return document.querySelector('.stage')?.classList.contains('has-remote-video') === shown && cardShown !== shown;
      },
      remoteVideoShown,
      { timeout: 10_000 },
    );

  it('the callee sees the caller mute, turn the camera off (avatar and "Camera off", no black picture) and on again', async () => {
    const nina = await world.signIn('Nina Park', 'student', freshId());
    const omar = await world.signIn('Omar Haddad', 'tutor', freshId());
    await nina.call(omar, 'video');
    await omar.waitForIncoming();
    await omar.byTestId('accept-call').click();
    await Promise.all([nina.waitForCallStatus('connected'), omar.waitForCallStatus('connected')]);
    await omar.waitForVideoFrames('remote-video');
    await waitForStage(omar, true);

    // Her own state in the seed's words; nothing muted on either side yet.
    expect(await nina.byTestId('own-mic-state').textContent()).toBe('Mic: On');
    expect(await omar.byTestId('peer-muted').isVisible()).toBe(false);
    expect(await omar.byTestId('peer-camera-off').isVisible()).toBe(false);

    await nina.byTestId('mute-toggle').click();
    expect(await nina.byTestId('own-mic-state').textContent()).toBe('Mic: Off');
    await omar.byTestId('peer-muted').waitFor({ state: 'visible' });
    expect(await omar.byTestId('peer-muted').textContent()).toContain('Nina Park is muted');
    // Muting is not a camera change: her picture stays.
    expect((await stageOf(omar)).remoteVideoShown).toBe(true);

    await nina.byTestId('camera-toggle').click();
    await omar.byTestId('peer-camera-off').waitFor({ state: 'visible' });
    expect(await omar.byTestId('peer-camera-off').textContent()).toContain('Camera off');
    await waitForStage(omar, false);
    expect(await stageOf(omar)).toEqual({ remoteVideoShown: false, avatarShown: true });
    expect(await omar.page.locator('.peer-card .peer-name').textContent()).toBe('Nina Park');

    await nina.byTestId('camera-toggle').click();
    await omar.byTestId('peer-camera-off').waitFor({ state: 'hidden' });
    await waitForStage(omar, true);
    // Her picture really is back: new frames keep arriving.
    const before = (await omar.waitForVideoFrames('remote-video')).frames;
    await omar.waitForVideoFrames('remote-video', before + 5);

    await nina.byTestId('mute-toggle').click();
    await omar.byTestId('peer-muted').waitFor({ state: 'hidden' });
    expect(await nina.byTestId('own-mic-state').textContent()).toBe('Mic: On');

    await omar.byTestId('end-call').click();
    await nina.waitForMainView();
  }, 40_000);

  it('a caller who muted and turned the camera off while it rang is shown so as soon as the call connects', async () => {
    const pia = await world.signIn('Pia Lund', 'parent', freshId());
    const raj = await world.signIn('Raj Mehta', 'tutor', freshId());
    await pia.call(raj, 'video');
    await pia.waitForCallStatus('ringing');
    await pia.byTestId('mute-toggle').click();
    await pia.byTestId('camera-toggle').click();
    await raj.waitForIncoming();
    await raj.byTestId('accept-call').click();
    await raj.waitForCallStatus('connected');

    await raj.byTestId('peer-muted').waitFor({ state: 'visible' });
    await raj.byTestId('peer-camera-off').waitFor({ state: 'visible' });
    await waitForStage(raj, false);
    // Nor is Raj's own state news to Pia: he is heard and seen.
    await pia.waitForCallStatus('connected');
    expect(await pia.byTestId('peer-muted').isVisible()).toBe(false);
    expect(await pia.byTestId('peer-camera-off').isVisible()).toBe(false);

    await pia.byTestId('end-call').click();
    await raj.waitForMainView();
  }, 40_000);
});
