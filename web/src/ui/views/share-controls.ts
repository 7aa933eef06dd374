/**
 * The call screen's "Share screen" / "Stop sharing" control, and in a voice call "Camera on" (the
 * call turns video: the peer sees the camera) and then "Camera off". Shown once the call is
 * answered, since both change what the call sends (`call_renegotiate`). It also marks the stage
 * while the peer shares its screen, so the picture is shown whole rather than cropped.
 */
import type { Call, Unsubscribe } from '../../client';
import { CallError, CallErrorCode } from '../../client';
import { h } from '../dom';
import { icon } from '../icons';

export class ShareControls {
  /** The control buttons, each with its label, for the call screen's controls group. */
  readonly actions: HTMLElement[];
  private readonly shareButton: HTMLButtonElement;
  private readonly shareLabel = h('span', { class: 'share-label' });
  private readonly shareAction: HTMLElement;
  private readonly cameraButton: HTMLButtonElement;
  private readonly cameraLabel = h('span', { class: 'camera-label' });
  private readonly cameraAction: HTMLElement;
  private readonly subscriptions: Unsubscribe[];
  private busy = false;
  private problem = '';

  constructor(
    private readonly call: Call,
    private readonly stage: HTMLElement,
  ) {
    this.shareButton = h('button', {
      class: 'round-button control',
      'data-testid': 'share-screen',
      onclick: () => void this.toggleSharing(),
    });
    this.cameraButton = h('button', {
      class: 'round-button control',
      'data-testid': 'voice-camera-toggle',
      onclick: () => void this.toggleCamera(),
    });
    this.shareAction = h('div', { class: 'action' }, this.shareButton, this.shareLabel);
    this.cameraAction = h('div', { class: 'action' }, this.cameraButton, this.cameraLabel);
    this.actions = [this.cameraAction, this.shareAction];
    this.subscriptions = [
      call.on('state', () => this.render()),
      call.on('sharingScreen', () => this.render()),
      call.on('cameraOn', () => this.render()),
      call.on('peerMedia', () => this.render()),
    ];
    this.render();
  }

  dispose(): void {
    for (const unsubscribe of this.subscriptions) unsubscribe();
    this.stage.classList.remove('peer-sharing-screen');
  }

  private async toggleSharing(): Promise<void> {
    await this.act(() => (this.call.sharingScreen ? this.call.stopSharing() : this.call.shareScreen()), "Couldn't share");
  }

  private async toggleCamera(): Promise<void> {
    const call = this.call;
    if (call.cameraOn) {
      call.setCameraEnabled(false);
      return;
    }
    await this.act(() => call.turnCameraOn(), 'No camera');
  }

  private async act(run: () => Promise<void>, failure: string): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.problem = '';
    this.render();
    try {
      await run();
    } catch (error) {
      // Closing the browser's picker is a choice, not a problem.
      if (!(error instanceof CallError && error.code === CallErrorCode.PermissionDenied)) this.problem = failure;
    } finally {
      this.busy = false;
      this.render();
    }
  }

  private render(): void {
    const call = this.call;
    const live = call.state === 'connected' || call.state === 'connecting';
    const answered = live && call.answered;

    const sharing = call.sharingScreen;
    this.shareAction.hidden = !answered || !call.canShareScreen;
    this.shareButton.replaceChildren(icon('screen'));
    this.shareButton.setAttribute('aria-pressed', String(sharing));
    this.shareButton.setAttribute('aria-label', sharing ? 'Stop sharing your screen' : 'Share your screen');
    this.shareButton.classList.toggle('active', sharing);
    this.shareButton.disabled = this.busy;
    this.shareLabel.textContent = this.problem || (sharing ? 'Stop sharing' : 'Share screen');

    // A video call has the call screen's own camera control; a voice call gets this one.
    const cameraOn = call.cameraOn;
    this.cameraAction.hidden = !answered || call.type === 'video';
    this.cameraButton.replaceChildren(icon(cameraOn ? 'video' : 'videoOff'));
    this.cameraButton.setAttribute('aria-pressed', String(cameraOn));
    this.cameraButton.setAttribute('aria-label', cameraOn ? 'Turn camera off' : 'Turn camera on');
    this.cameraButton.classList.toggle('off', !cameraOn);
    this.cameraButton.disabled = this.busy;
    this.cameraLabel.textContent = cameraOn ? 'Camera off' : 'Camera on';

    this.stage.classList.toggle('peer-sharing-screen', call.peerMedia?.screen === 'on');
  }
}
