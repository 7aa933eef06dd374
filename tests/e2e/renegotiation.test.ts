/**
 * Screen sharing, a voice call turning video, and both sides restarting ICE at once, between real
 * Chromium pages through the UI, over
 * the real gateway in a loopback-only namespace. Every change after the answer is renegotiated
 * (`call_renegotiate`) or swaps the sent track; the other side's video element decoding frames is
 * what a person would see. Chromium's fake capture (`--use-fake-ui-for-media-stream` with
 * `--use-fake-device-for-media-stream`) answers `getDisplayMedia` headless with a fake monitor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireE2eEnvironment } from './support/environment';
import { freshId, World } from './support/world';
import type { UserPage } from './support/user-page';

const runs = requireE2eEnvironment('screen sharing and voice-to-video');

/** What the page's live peer connection sends as video: the track's kind of source, or nothing. */
function sentVideo(user: UserPage): Promise<string> {
  return user.page.evaluate(() => {
    const sender = window.__peerConnections
      .at(-1)
      ?.getSenders()
      .find((s) => s.track?.kind === 'video');
    const track = sender?.track;
    if (track?.readyState !== 'live') return 'nothing';
    return track.getSettings().displaySurface ? 'screen' : 'camera';
  });
}

/** Frames the remote video decoded so far. */
function remoteFrames(user: UserPage): Promise<number> {
  return user.page.evaluate(
    () => document.querySelector<HTMLVideoElement>('[data-testid="remote-video"]')?.getVideoPlaybackQuality().totalVideoFrames ?? 0,
  );
}

/** Waits until the remote video has decoded `more` frames beyond `since` (what arrived after a change). */
async function waitForNewFrames(user: UserPage, since: number, more = 10): Promise<void> {
  await user.page.waitForFunction(
    ({ since, more }) => {
      const video = document.querySelector<HTMLVideoElement>('[data-testid="remote-video"]');
      return video !== null && video.videoWidth > 0 && video.getVideoPlaybackQuality().totalVideoFrames >= since + more;
    },
    { since, more },
    { timeout: 15_000 },
  );
}

async function stageHas(user: UserPage, className: string, present: boolean): Promise<void> {
  await user.page.waitForFunction(
    ({ className, present }) => document.querySelector('.stage')?.classList.contains(className) === present,
    { className, present },
    { timeout: 15_000 },
  );
}

/** The ICE username fragment of the peer's current description, as this page's connection holds it. */
function remoteUfrag(user: UserPage): Promise<string | undefined> {
  return user.page.evaluate(() => /a=ice-ufrag:(\S+)/.exec(window.__peerConnections.at(-1)?.remoteDescription?.sdp ?? '')?.[1]);
}

describe.runIf(runs)('renegotiation in Chromium: screen sharing, voice to video, ICE restart', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(async () => {
    await world?.close();
  });

  async function connect(caller: UserPage, callee: UserPage, kind: 'voice' | 'video'): Promise<void> {
    await caller.call(callee, kind);
    await callee.waitForIncoming();
    await callee.byTestId('accept-call').click();
    await Promise.all([caller.waitForCallStatus('connected'), callee.waitForCallStatus('connected')]);
  }

  it('the caller shares its screen in a video call: the callee sees it whole, and Stop sharing brings the camera back', async () => {
    const alice = await world.signIn('Alice Martin', 'student', freshId());
    const bob = await world.signIn('Bob Stone', 'tutor', freshId());
    await connect(alice, bob, 'video');
    await bob.waitForVideoFrames('remote-video');
    expect(await sentVideo(alice)).toBe('camera');

    const share = alice.byTestId('share-screen');
    expect(await share.getAttribute('aria-label')).toBe('Share your screen');
    await share.click();
    await alice.waitForAttribute('share-screen', 'aria-pressed', 'true');
    expect(await sentVideo(alice)).toBe('screen');
    expect(await alice.page.locator('.share-label').textContent()).toBe('Stop sharing');
    const beforeScreen = await remoteFrames(bob);
    await waitForNewFrames(bob, beforeScreen);
    await stageHas(bob, 'peer-sharing-screen', true);
    await stageHas(bob, 'has-remote-video', true);

    await share.click();
    await alice.waitForAttribute('share-screen', 'aria-pressed', 'false');
    expect(await sentVideo(alice)).toBe('camera');
    await stageHas(bob, 'peer-sharing-screen', false);
    await waitForNewFrames(bob, await remoteFrames(bob));
    expect((await bob.media())?.connectionState).toBe('connected');

    await alice.byTestId('end-call').click();
    await bob.waitForMainView();
  }, 60_000);

  it('the callee shares its screen in a voice call: the caller sees video it did not have, until the browser stops the sharing', async () => {
    const carol = await world.signIn('Carol Reyes', 'parent', freshId());
    const dan = await world.signIn('Dan Okafor', 'tutor', freshId());
    await connect(carol, dan, 'voice');
    expect(await sentVideo(dan)).toBe('nothing');
    await stageHas(carol, 'has-remote-video', false);

    await dan.byTestId('share-screen').click();
    await dan.waitForAttribute('share-screen', 'aria-pressed', 'true');
    expect(await sentVideo(dan)).toBe('screen');
    // A voice call has no camera: any frame Carol decodes is Dan's screen.
    await carol.waitForVideoFrames('remote-video', 10, 15_000);
    await stageHas(carol, 'has-remote-video', true);
    await stageHas(carol, 'peer-sharing-screen', true);

    // The browser's own "Stop sharing" ends the captured track.
    await dan.page.evaluate(() => {
      const track = window.__peerConnections
        .at(-1)
        ?.getSenders()
        .find((s) => s.track?.kind === 'video')?.track;
      track?.stop();
      track?.dispatchEvent(new Event('ended'));
    });
    await dan.waitForAttribute('share-screen', 'aria-pressed', 'false');
    expect(await sentVideo(dan)).toBe('nothing');
    await stageHas(carol, 'has-remote-video', false);
    await stageHas(carol, 'peer-sharing-screen', false);
    expect((await carol.media())?.connectionState).toBe('connected');

    await carol.byTestId('end-call').click();
    await dan.waitForMainView();
  }, 60_000);

  it('turns a voice call into video both ways: each side turns its camera on and the other sees it', async () => {
    const erin = await world.signIn('Erin Walsh', 'student', freshId());
    const femi = await world.signIn('Femi Adeyemi', 'tutor', freshId());
    await connect(erin, femi, 'voice');
    await stageHas(femi, 'has-remote-video', false);

    const erinCamera = erin.byTestId('voice-camera-toggle');
    expect(await erinCamera.getAttribute('aria-label')).toBe('Turn camera on');
    await erinCamera.click();
    await erin.waitForAttribute('voice-camera-toggle', 'aria-pressed', 'true');
    expect(await sentVideo(erin)).toBe('camera');
    await femi.waitForVideoFrames('remote-video', 10, 15_000);
    await stageHas(femi, 'has-remote-video', true);
    await erin.waitForVideoFrames('local-video', 1);

    await femi.byTestId('voice-camera-toggle').click();
    await femi.waitForAttribute('voice-camera-toggle', 'aria-pressed', 'true');
    await erin.waitForVideoFrames('remote-video', 10, 15_000);
    await stageHas(erin, 'has-remote-video', true);
    // Femi still sees Erin: adding his camera renegotiated without losing hers.
    await waitForNewFrames(femi, await remoteFrames(femi));

    await femi.byTestId('end-call').click();
    await erin.waitForMainView();
  }, 60_000);

  it('restarts ICE on a live call: the caller’s restart gives both sides new credentials and media keeps flowing both ways', async () => {
    const gina = await world.signIn('Gina Park', 'student', freshId());
    const hugo = await world.signIn('Hugo Lind', 'tutor', freshId());
    await connect(gina, hugo, 'video');
    await Promise.all([gina.waitForVideoFrames('remote-video'), hugo.waitForVideoFrames('remote-video')]);
    const before = { gina: await remoteUfrag(gina), hugo: await remoteUfrag(hugo) };

    // What the call does when the caller sees the path fail (the callee waits for the caller's restart).
    await gina.page.evaluate(() => window.__peerConnections.at(-1)?.restartIce());
    for (const [user, old] of [
      [gina, before.gina],
      [hugo, before.hugo],
    ] as const) {
      await user.page.waitForFunction(
        (old) => {
          const pc = window.__peerConnections.at(-1);
          const ufrag = /a=ice-ufrag:(\S+)/.exec(pc?.remoteDescription?.sdp ?? '')?.[1];
          return pc?.signalingState === 'stable' && ufrag !== undefined && ufrag !== old;
        },
        old,
        { timeout: 15_000 },
      );
    }
    expect((await gina.media())?.connectionState).toBe('connected');
    await waitForNewFrames(hugo, await remoteFrames(hugo));
    await waitForNewFrames(gina, await remoteFrames(gina));
    await gina.waitForCallStatus('connected');

    await hugo.byTestId('end-call').click();
    await gina.waitForMainView();
  }, 60_000);
});
