/**
 * Real calls between real Chromium pages through the UI alone, against the real `npm start`
 * gateway, all inside a loopback-only network namespace (see support/isolated-gateway.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireE2eEnvironment } from './support/environment';
import { freshId, World } from './support/world';
import { UserPage } from './support/user-page';

const runs = requireE2eEnvironment('video and voice calls');

describe.runIf(runs)('calls in Chromium', () => {
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

  it('completes a video call: both sides connect, decode each other’s video, and the callee ends it', async () => {
    const alice = await world.signIn('Alice Martin', 'student', freshId());
    const bob = await world.signIn('Bob Stone', 'tutor', freshId());

    await alice.call(bob, 'video');
    await alice.waitForCallStatus('ringing');
    expect(await bob.waitForIncoming()).toBe('Alice Martin');
    expect(await bob.byTestId('incoming-call').getAttribute('data-call-type')).toBe('video');
    expect(await bob.ringtone()).toBe('incoming');
    expect(await alice.ringtone()).toBe('ringback');

    await bob.byTestId('accept-call').click();
    await Promise.all([alice.waitForCallStatus('connected'), bob.waitForCallStatus('connected')]);
    expect(await bob.ringtone()).toBeUndefined();
    expect(await alice.ringtone()).toBeUndefined();

    const [aliceSees, bobSees] = await Promise.all([alice.waitForVideoFrames('remote-video'), bob.waitForVideoFrames('remote-video')]);
    expect(aliceSees.width).toBeGreaterThan(0);
    expect(bobSees.width).toBeGreaterThan(0);
    await Promise.all([alice.waitForVideoFrames('local-video', 1), bob.waitForVideoFrames('local-video', 1)]);
    expect(await alice.byTestId('call-peer-name').textContent()).toBe('Bob Stone'); // learned from the answer

    await alice.page.waitForFunction(() => document.querySelector('[data-testid="call-timer"]')?.textContent === '0:01', undefined, {
      timeout: 3_000,
    });

    await bob.byTestId('end-call').click();
    await bob.waitForMainView(1_000); // at once, for the one who ends
    await alice.waitForCallStatus('ended');
    expect(await alice.waitForToast('peer_hangup')).toContain('Bob Stone ended the call');
    await alice.waitForMainView();

    // The call is in both histories.
    const item = alice.byTestId('call-history-item').first();
    await item.waitFor();
    expect(await item.getAttribute('data-status')).toBe('ended');
    expect(await item.getAttribute('data-direction')).toBe('outgoing');
    expect(await item.textContent()).toContain('Bob Stone');
    await bob.byTestId('call-history-item').first().waitFor();
  });

  it('works under a strict Content-Security-Policy (no inline scripts or styles)', async () => {
    const context = await world.newContext();
    // The strictest policy the client must run under; the production hosting sends one like it.
    const policy = [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data: https:",
      "media-src 'self' blob: mediastream:",
      "connect-src 'self' ws://127.0.0.1:*",
      "object-src 'none'",
    ].join('; ');
    const violations: string[] = [];
    const page = await context.newPage();
    // The browser adds the header to the page as it arrives (the test process cannot reach the gateway).
    const devtools = await context.newCDPSession(page);
    await devtools.send('Fetch.enable', { patterns: [{ urlPattern: '*', resourceType: 'Document', requestStage: 'Response' }] });
    devtools.on('Fetch.requestPaused', (event) => {
      void (async () => {
        const { body } = await devtools.send('Fetch.getResponseBody', { requestId: event.requestId });
        const responseHeaders = [...(event.responseHeaders ?? []), { name: 'Content-Security-Policy', value: policy }];
        await devtools.send('Fetch.fulfillRequest', {
          requestId: event.requestId,
          responseCode: event.responseStatusCode ?? 200,
          responseHeaders,
          body,
        });
      })();
    });
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    const user = new UserPage(page, { name: 'Strict Sandy', profileType: 'student', profileId: String(freshId()) });
    await user.signIn();
    const other = await world.signIn('Open Olly', 'tutor', freshId());
    await user.call(other, 'video');
    await other.waitForIncoming();
    await other.byTestId('accept-call').click();
    await user.waitForCallStatus('connected');
    await user.waitForVideoFrames('remote-video');
    // Avatars take their colour from a CSS variable set through the CSSOM, which the policy allows.
    const avatarColour = await user.page.evaluate(() => getComputedStyle(document.querySelector('.avatar')!).backgroundColor);
    expect(avatarColour).not.toBe('rgba(0, 0, 0, 0)');
    expect(violations).toEqual([]);
    await user.byTestId('end-call').click();
    await other.waitForMainView();
  });

  it('completes a voice call with audio only, and the caller ends it', async () => {
    const carol = await world.signIn('Carol Reyes', 'parent', freshId());
    const dan = await world.signIn('Dan Okafor', 'tutor', freshId());

    await connect(carol, dan, 'voice');
    // Audio flows both ways, and no camera was opened.
    await dan.page.waitForFunction(
      async () => {
        const pc = window.__peerConnections.at(-1);
        let energy = 0;
        (await pc!.getStats()).forEach((r: { type: string; kind?: string; totalAudioEnergy?: number }) => {
          if (r.type === 'inbound-rtp' && r.kind === 'audio') energy = r.totalAudioEnergy ?? 0;
        });
        return energy > 0;
      },
      undefined,
      { timeout: 5_000 },
    );
    expect((await carol.media())?.videoSenders).toBe(0);
    expect(await carol.byTestId('camera-toggle').isVisible()).toBe(false);
    expect(await carol.page.locator('.stage').getAttribute('data-call-type')).toBe('voice');

    await carol.byTestId('end-call').click();
    await carol.waitForMainView(1_000);
    expect(await dan.waitForToast('peer_hangup')).toContain('Carol Reyes ended the call');
    await dan.waitForMainView();
  });

  it('mutes by disabling the sent audio track: the peer stops receiving sound until unmuted', async () => {
    const erin = await world.signIn('Erin Walsh', 'student', freshId());
    const femi = await world.signIn('Femi Adeyemi', 'tutor', freshId());
    await connect(erin, femi, 'video');

    /** How much sound Femi received during `ms`. */
    const energyOver = async (ms: number): Promise<number> => {
      const before = (await femi.media())?.inboundAudioEnergy ?? 0;
      await femi.page.waitForTimeout(ms);
      return ((await femi.media())?.inboundAudioEnergy ?? 0) - before;
    };
    const speaking = await energyOver(1_200);
    expect(speaking).toBeGreaterThan(0);

    const mute = erin.byTestId('mute-toggle');
    await mute.click();
    expect(await mute.getAttribute('aria-pressed')).toBe('true');
    expect(await erin.page.locator('.mute-label').textContent()).toBe('Unmute');
    expect((await erin.media())?.audioTrackEnabled).toBe(false);
    await erin.page.waitForTimeout(300); // what was in flight arrives
    // Silence, give or take the receiver's comfort noise: under 1 % of what speaking gave.
    expect(await energyOver(1_200)).toBeLessThan(speaking / 100);

    await mute.click();
    expect(await mute.getAttribute('aria-pressed')).toBe('false');
    expect((await erin.media())?.audioTrackEnabled).toBe(true);
    await erin.page.waitForTimeout(300);
    expect(await energyOver(1_200)).toBeGreaterThan(speaking / 10);

    // Camera off disables the video track the same way.
    await erin.byTestId('camera-toggle').click();
    expect(await erin.byTestId('camera-toggle').getAttribute('data-camera')).toBe('off');
    expect(
      await erin.page.evaluate(
        () =>
          window.__peerConnections
            .at(-1)!
            .getSenders()
            .find((s) => s.track?.kind === 'video')?.track?.enabled,
      ),
    ).toBe(false);

    await erin.byTestId('end-call').click();
    await femi.waitForMainView();
  }, 30_000);
});
