/**
 * Picking another camera or microphone mid-call, and the voice processing switches, in real
 * Chromium pages through the call screen's Devices panel. Chromium's fake devices: three
 * microphones always; cameras as asked, in turn I420, Y16 and MJPEG, so the second is a depth camera
 * WebRTC sends no frames from (the video element still shows it): the tests switch to the third.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireE2eEnvironment } from './support/environment';
import { freshId, World } from './support/world';
import { axeViolations, formatViolations, isBlocking } from './support/axe';
import { stepsOutside } from './support/keyboard';
import type { UserPage } from './support/user-page';

const runs = requireE2eEnvironment('device switching');

/**
 * A person in a new browser whose messages to the signaling server are watched: the returned count
 * is how many session descriptions (offers, answers, renegotiations) it sent.
 */
async function signInWatched(world: World, name: string, profileType: string): Promise<[UserPage, () => number]> {
  const context = await world.newContext();
  let sent = 0;
  context.on('page', (page) =>
    page.on('websocket', (socket) =>
      socket.on('framesent', ({ payload }) => {
        if (typeof payload === 'string' && payload.includes('"sdp"')) sent++;
      }),
    ),
  );
  return [await world.signIn(name, profileType, freshId(), context), () => sent];
}

/** The page's sender track of `kind`: its device, whether it is enabled, its voice processing. */
function sentTrack(user: UserPage, kind: 'audio' | 'video') {
  return user.page.evaluate((kind) => {
    const track = window.__peerConnections
      .at(-1)
      ?.getSenders()
      .find((sender) => sender.track?.kind === kind)?.track;
    if (!track) return undefined;
    const { noiseSuppression, echoCancellation } = track.getSettings();
    return { label: track.label, enabled: track.enabled, readyState: track.readyState, noiseSuppression, echoCancellation };
  }, kind);
}

/** Waits until `user` has decoded `more` video frames beyond what it had, and audio energy grew. */
async function keepsReceiving(user: UserPage, more = 40): Promise<void> {
  const before = await user.media();
  await user.page.waitForFunction(
    async ({ frames, energy, more }) => {
      let decoded = 0;
      let heard = 0;
      (await window.__peerConnections.at(-1)!.getStats()).forEach(
        (report: { type: string; kind?: string; framesDecoded?: number; totalAudioEnergy?: number }) => {
          if (report.type === 'inbound-rtp' && report.kind === 'video') decoded = report.framesDecoded ?? 0;
          if (report.type === 'inbound-rtp' && report.kind === 'audio') heard = report.totalAudioEnergy ?? 0;
        },
      );
      return decoded >= frames + more && heard > energy;
    },
    { frames: before?.inboundVideoFrames ?? 0, energy: before?.inboundAudioEnergy ?? 0, more },
    { timeout: 10_000 },
  );
}

describe.runIf(runs)('devices in a call', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start({ fakeCameras: 3 });
  });
  afterAll(async () => {
    await world?.close();
  });

  async function connect(caller: UserPage, callee: UserPage): Promise<void> {
    await caller.call(callee, 'video');
    await callee.waitForIncoming();
    await callee.byTestId('accept-call').click();
    await Promise.all([caller.waitForCallStatus('connected'), callee.waitForCallStatus('connected')]);
    await Promise.all([caller.waitForVideoFrames('remote-video'), callee.waitForVideoFrames('remote-video')]);
  }

  it('switches camera and microphone mid-call without a new offer: the peer keeps receiving, mute carries over, the choice is kept for the next call', async () => {
    const [gina, ginaDescriptions] = await signInWatched(world, 'Gina Park', 'student');
    const [hugo, hugoDescriptions] = await signInWatched(world, 'Hugo Laine', 'tutor');
    await connect(gina, hugo);
    expect(ginaDescriptions()).toBe(1); // the offer
    expect(hugoDescriptions()).toBe(1); // the answer
    expect((await sentTrack(gina, 'video'))?.label).toBe('fake_device_0');

    // The panel: a modal over the call, focus on the first choice, every camera by name.
    const toggle = gina.byTestId('device-settings-toggle');
    await toggle.click();
    const panel = gina.byTestId('device-settings');
    await panel.waitFor({ state: 'visible' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await gina.page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('microphone-choice');
    await gina.page.waitForFunction(
      () => document.querySelectorAll('[data-testid="device-settings"] [data-testid="camera-choice"] option').length === 4,
    );
    expect(await gina.byTestId('device-settings').getByTestId('camera-choice').locator('option').allTextContents()).toEqual([
      'System default',
      'fake_device_0',
      'fake_device_1',
      'fake_device_2',
    ]);
    // The speaker (Chromium has setSinkId): the peer's sound goes to the one picked.
    const speaker = gina.byTestId('device-settings').getByTestId('speaker-choice');
    await speaker.selectOption({ label: 'Fake Audio Output 1' });
    const speakerId = await speaker.inputValue();
    expect(speakerId).not.toBe('');
    await gina.page.waitForFunction(
      (id) => document.querySelector<HTMLAudioElement>('[data-testid="remote-audio"]')?.sinkId === id,
      speakerId,
    );
    // Tab stays in the panel, and axe finds nothing serious in it.
    expect(await stepsOutside(gina.page, '[data-testid="device-settings"]', 8)).toEqual([]);
    const serious = (await axeViolations(gina.page)).filter(isBlocking);
    expect(serious, formatViolations(new Map([['device settings', serious]]))).toEqual([]);

    // Camera switch: the other camera goes out on the same sender, the old one is let go.
    await gina.page.evaluate(() => {
      const sender = window.__peerConnections
        .at(-1)!
        .getSenders()
        .find((s) => s.track?.kind === 'video')!;
      Object.assign(window, { previousCamera: sender.track });
    });
    await gina.byTestId('device-settings').getByTestId('camera-choice').selectOption({ label: 'fake_device_2' });
    await gina.page.waitForFunction(() =>
      window.__peerConnections
        .at(-1)!
        .getSenders()
        .some((s) => s.track?.label === 'fake_device_2'),
    );
    expect(await gina.page.evaluate(() => (window as unknown as { previousCamera: MediaStreamTrack }).previousCamera.readyState)).toBe(
      'ended',
    );
    await keepsReceiving(hugo);
    await gina.waitForVideoFrames('local-video', 1); // the preview shows the new camera

    // Microphone switch while muted: still muted after it, and heard again once unmuted.
    await gina.page.keyboard.press('Escape');
    await panel.waitFor({ state: 'hidden' });
    expect(await gina.page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('device-settings-toggle');
    await gina.byTestId('mute-toggle').click();
    await toggle.click();
    await gina.byTestId('device-settings').getByTestId('microphone-choice').selectOption({ label: 'Fake Audio Input 1' });
    await gina.page.waitForFunction(() =>
      window.__peerConnections
        .at(-1)!
        .getSenders()
        .some((s) => s.track?.label === 'Fake Audio Input 1'),
    );
    expect(await sentTrack(gina, 'audio')).toMatchObject({ label: 'Fake Audio Input 1', enabled: false });
    expect(await gina.byTestId('mute-toggle').getAttribute('aria-pressed')).toBe('true');
    await gina.page.keyboard.press('Escape');
    await gina.byTestId('mute-toggle').click();
    expect((await sentTrack(gina, 'audio'))?.enabled).toBe(true);
    await keepsReceiving(hugo);

    // No renegotiation: nothing more crossed the signaling server, the connection never left `stable`.
    expect(ginaDescriptions()).toBe(1);
    expect(hugoDescriptions()).toBe(1);
    expect(await gina.page.evaluate(() => window.__peerConnections.map((pc) => pc.signalingState))).toEqual(['stable']);

    await gina.byTestId('end-call').click();
    await hugo.waitForMainView();
    await gina.waitForMainView();

    // The next call opens what was picked (remembered in this browser).
    await connect(gina, hugo);
    expect((await sentTrack(gina, 'video'))?.label).toBe('fake_device_2');
    expect((await sentTrack(gina, 'audio'))?.label).toBe('Fake Audio Input 1');
    await gina.page.waitForFunction(
      (id) => document.querySelector<HTMLAudioElement>('[data-testid="remote-audio"]')?.sinkId === id,
      speakerId,
    );
    await gina.byTestId('end-call').click();
    await hugo.waitForMainView();
  }, 150_000);

  it('picks a camera before calling, and turns noise suppression off mid-call (the microphone then reports it off) and for the next call', async () => {
    const iris = await world.signIn('Iris Novak', 'student', freshId());
    const jon = await world.signIn('Jon Berg', 'tutor', freshId());

    // Before any call: the call settings hold the same choices, for the next call.
    await iris.byTestId('open-settings').click();
    const settings = iris.byTestId('settings-panel');
    await settings.getByTestId('show-device-choices').click();
    await iris.page.waitForFunction(
      () => document.querySelectorAll('[data-testid="settings-panel"] [data-testid="camera-choice"] option').length === 4,
    );
    await settings.getByTestId('camera-choice').selectOption({ label: 'fake_device_2' });
    await iris.byTestId('close-settings').click();

    await connect(iris, jon);
    expect((await sentTrack(iris, 'video'))?.label).toBe('fake_device_2');
    expect(await sentTrack(iris, 'audio')).toMatchObject({ noiseSuppression: true, echoCancellation: true });

    await iris.byTestId('device-settings-toggle').click();
    const noiseSuppression = iris.byTestId('device-settings').getByTestId('noise-suppression');
    expect(await noiseSuppression.isChecked()).toBe(true);
    await noiseSuppression.uncheck();
    await iris.page.waitForFunction(() =>
      window.__peerConnections
        .at(-1)!
        .getSenders()
        .some((s) => s.track?.kind === 'audio' && s.track.getSettings().noiseSuppression === false),
    );
    expect(await sentTrack(iris, 'audio')).toMatchObject({ noiseSuppression: false, echoCancellation: true, readyState: 'live' });
    expect(await noiseSuppression.isChecked()).toBe(false);
    await keepsReceiving(jon);

    await iris.byTestId('close-device-settings').click();
    await iris.byTestId('end-call').click();
    await jon.waitForMainView();
    await iris.waitForMainView();

    await connect(iris, jon);
    expect(await sentTrack(iris, 'audio')).toMatchObject({ noiseSuppression: false, echoCancellation: true });
    await iris.byTestId('end-call').click();
    await jon.waitForMainView();
  }, 150_000);

  it('falls back to the default camera, and says so, when the camera in use goes away mid-call; a remembered camera that is gone opens the default', async () => {
    const kim = await world.signIn('Kim Doyle', 'student', freshId());
    const lea = await world.signIn('Lea Moss', 'tutor', freshId());
    // A camera remembered from before that is not connected now.
    await kim.page.evaluate(() => localStorage.setItem('callsignal.devices', JSON.stringify({ camera: 'a-camera-unplugged-since' })));
    await connect(kim, lea);
    expect((await sentTrack(kim, 'video'))?.label).toBe('fake_device_0');

    await kim.byTestId('device-settings-toggle').click();
    await kim.byTestId('device-settings').getByTestId('camera-choice').selectOption({ label: 'fake_device_2' });
    await kim.page.waitForFunction(() =>
      window.__peerConnections
        .at(-1)!
        .getSenders()
        .some((s) => s.track?.label === 'fake_device_2'),
    );
    await kim.page.keyboard.press('Escape');

    // What the browser does when a camera is unplugged: the track ends by itself.
    await kim.page.evaluate(() => {
      const track = window.__peerConnections
        .at(-1)!
        .getSenders()
        .find((s) => s.track?.kind === 'video')!.track!;
      track.stop();
      track.dispatchEvent(new Event('ended'));
    });
    const notice = kim.byTestId('device-notice');
    await notice.waitFor({ state: 'visible' });
    expect(await notice.textContent()).toBe('Your camera was disconnected. The call now uses the default camera.');
    await kim.page.waitForFunction(() =>
      window.__peerConnections
        .at(-1)!
        .getSenders()
        .some((s) => s.track?.kind === 'video' && s.track.readyState === 'live'),
    );
    await keepsReceiving(lea);

    await kim.byTestId('end-call').click();
    await lea.waitForMainView();
  }, 150_000);
});
