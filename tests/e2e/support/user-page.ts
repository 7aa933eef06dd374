/** One signed-in person in one tab, with the steps and checks the tests use, all through data-testid hooks. */
import type { Locator, Page } from 'playwright-core';

export type CallStatus = 'calling' | 'ringing' | 'connecting' | 'connected' | 'ended';

const STEP_TIMEOUT_MS = 10_000;

declare global {
  interface Window {
    __peerConnections: RTCPeerConnection[];
  }
}

export class UserPage {
  constructor(
    readonly page: Page,
    readonly profile: { name: string; profileType: string; profileId: string },
  ) {}

  byTestId(id: string): Locator {
    return this.page.getByTestId(id);
  }

  async signIn(): Promise<void> {
    await this.page.goto('/');
    await this.byTestId('login-name').fill(this.profile.name);
    await this.byTestId('login-profile-type').selectOption(this.profile.profileType);
    await this.byTestId('login-profile-id').fill(this.profile.profileId);
    await this.byTestId('login-submit').click();
    await this.waitForAttribute('connection-state', 'data-state', 'connected');
  }

  async dial(profileType: string, profileId: string | number, kind: 'voice' | 'video'): Promise<void> {
    await this.byTestId('dial-profile-type').selectOption(profileType);
    await this.byTestId('dial-profile-id').fill(String(profileId));
    await this.byTestId(kind === 'voice' ? 'call-voice' : 'call-video').click();
  }

  async call(other: UserPage, kind: 'voice' | 'video'): Promise<void> {
    await this.dial(other.profile.profileType, other.profile.profileId, kind);
  }

  async waitForCallStatus(status: CallStatus, timeout = STEP_TIMEOUT_MS): Promise<void> {
    await this.waitForAttribute('call-status', 'data-state', status, timeout);
  }

  async waitForAttribute(testId: string, attribute: string, value: string, timeout = STEP_TIMEOUT_MS): Promise<void> {
    await this.page.waitForFunction(
      ({ testId, attribute, value }) => document.querySelector(`[data-testid="${testId}"]`)?.getAttribute(attribute) === value,
      { testId, attribute, value },
      { timeout },
    );
  }

  /** Resolves with the text of the newest toast about `outcome` (or any of several). */
  async waitForToast(outcome: string | string[], timeout = STEP_TIMEOUT_MS): Promise<string> {
    const outcomes = Array.isArray(outcome) ? outcome : [outcome];
    const toast = this.page.locator(outcomes.map((o) => `[data-testid="toast"][data-outcome="${o}"]`).join(', ')).last();
    await toast.waitFor({ state: 'visible', timeout });
    return (await toast.textContent()) ?? '';
  }

  async waitForIncoming(timeout = STEP_TIMEOUT_MS): Promise<string> {
    const modal = this.byTestId('incoming-call');
    await modal.waitFor({ state: 'visible', timeout });
    return (await this.byTestId('incoming-caller-name').textContent()) ?? '';
  }

  /** Back on the main view: no call screen, no incoming modal, the dialer usable. */
  async waitForMainView(timeout = STEP_TIMEOUT_MS): Promise<void> {
    await this.byTestId('call-status').waitFor({ state: 'detached', timeout });
    await this.byTestId('incoming-call').waitFor({ state: 'detached', timeout });
    await this.byTestId('dial-profile-id').waitFor({ state: 'visible', timeout });
  }

  async ringtone(): Promise<string | undefined> {
    return this.page.evaluate(() => document.body.dataset.ringtone);
  }

  /** Waits until the video element `testId` has decoded frames, and returns its size and count. */
  async waitForVideoFrames(testId: 'remote-video' | 'local-video', minFrames = 5, timeout = STEP_TIMEOUT_MS) {
    await this.page.waitForFunction(
      ({ testId, minFrames }) => {
        const video = document.querySelector<HTMLVideoElement>(`[data-testid="${testId}"]`);
        return video !== null && video.videoWidth > 0 && video.getVideoPlaybackQuality().totalVideoFrames >= minFrames;
      },
      { testId, minFrames },
      { timeout },
    );
    return this.page.evaluate((testId) => {
      const video = document.querySelector<HTMLVideoElement>(`[data-testid="${testId}"]`)!;
      return { width: video.videoWidth, height: video.videoHeight, frames: video.getVideoPlaybackQuality().totalVideoFrames };
    }, testId);
  }

  /** The live peer connection's media facts, read from the browser itself. */
  async media() {
    return this.page.evaluate(async () => {
      const pc = window.__peerConnections.at(-1);
      if (!pc) return undefined;
      const audioSender = pc.getSenders().find((sender) => sender.track?.kind === 'audio');
      let inboundAudioEnergy = 0;
      let inboundVideoFrames = 0;
      let outboundAudioPackets = 0;
      (await pc.getStats()).forEach(
        (report: { type: string; kind?: string; totalAudioEnergy?: number; framesDecoded?: number; packetsSent?: number }) => {
          if (report.type === 'inbound-rtp' && report.kind === 'audio') inboundAudioEnergy = report.totalAudioEnergy ?? 0;
          if (report.type === 'inbound-rtp' && report.kind === 'video') inboundVideoFrames = report.framesDecoded ?? 0;
          if (report.type === 'outbound-rtp' && report.kind === 'audio') outboundAudioPackets = report.packetsSent ?? 0;
        },
      );
      return {
        connectionState: pc.connectionState,
        audioTrackEnabled: audioSender?.track?.enabled,
        videoSenders: pc.getSenders().filter((sender) => sender.track?.kind === 'video').length,
        inboundAudioEnergy,
        inboundVideoFrames,
        outboundAudioPackets,
      };
    });
  }

  /** Milliseconds from the Accept click to `connected`, measured inside the page. */
  async acceptAndMeasure(): Promise<number> {
    const measuring = this.page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const button = document.querySelector<HTMLButtonElement>('[data-testid="accept-call"]');
          if (!button) throw new Error('no accept button');
          let clickedAt = 0;
          button.addEventListener('click', () => (clickedAt = performance.now()), { capture: true, once: true });
          const observer = new MutationObserver(() => {
            if (clickedAt && document.querySelector('[data-testid="call-status"]')?.getAttribute('data-state') === 'connected') {
              observer.disconnect();
              resolve(performance.now() - clickedAt);
            }
          });
          observer.observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-state'], childList: true });
        }),
    );
    await this.byTestId('accept-call').click();
    return measuring;
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path });
  }
}
