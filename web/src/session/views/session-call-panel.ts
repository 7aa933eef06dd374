/**
 * The session's call beside the board: the other member's video (mine small over it), what the call
 * is doing now in words (`session-call-status`, its `data-state` the phase), and the buttons that fit:
 * Start or Join; Mute, Camera, Leave, and End call for both while in it.
 */
import { h } from '../../ui/dom';
import { icon } from '../../ui/icons';
import type { SessionCall } from '../session-call';
import { phaseWords } from '../session-words';

export interface SessionCallPanelProps {
  onJoin: () => void;
  onLeave: () => void;
  onEnd: (asker: HTMLElement) => void;
  /** Something the user tried did not work (the screen picker refused, say). */
  onProblem: (error: unknown) => void;
}

export class SessionCallPanel {
  readonly element: HTMLElement;
  private readonly remoteVideo: HTMLVideoElement;
  private readonly localVideo: HTMLVideoElement;
  private readonly placeholder: HTMLElement;
  private readonly status: HTMLElement;
  private readonly joinButton: HTMLButtonElement;
  private readonly muteButton: HTMLButtonElement;
  private readonly cameraButton: HTMLButtonElement;
  private readonly leaveButton: HTMLButtonElement;
  private readonly shareButton: HTMLButtonElement;
  private readonly endButton: HTMLButtonElement;
  private readonly inCallControls: HTMLElement;

  constructor(
    private readonly call: SessionCall,
    private readonly otherName: () => string,
    props: SessionCallPanelProps,
  ) {
    this.remoteVideo = h('video', {
      class: 'session-remote-video',
      'data-testid': 'session-remote-video',
      autoplay: true,
      playsinline: true,
    });
    this.localVideo = h('video', {
      class: 'session-local-video',
      'data-testid': 'session-local-video',
      autoplay: true,
      playsinline: true,
      muted: true,
      'aria-label': 'Your camera',
    });
    // Set as a property too: the attribute alone does not mute a video whose stream is set later.
    this.localVideo.muted = true;
    this.placeholder = h('p', { class: 'session-stage-note' });
    this.status = h('p', { class: 'session-status', 'data-testid': 'session-call-status', role: 'status', 'aria-live': 'polite' });
    this.joinButton = h(
      'button',
      { type: 'button', class: 'button primary', 'data-testid': 'session-start-call', onclick: props.onJoin },
      icon('video'),
      h('span', {}, 'Start call'),
    );
    this.muteButton = h('button', {
      type: 'button',
      class: 'button ghost',
      'data-testid': 'session-mute',
      onclick: () => call.setMuted(!call.muted),
    });
    this.cameraButton = h('button', {
      type: 'button',
      class: 'button ghost',
      'data-testid': 'session-camera',
      onclick: () => call.setCameraOff(!call.cameraOff),
    });
    this.shareButton = h('button', { type: 'button', class: 'button ghost', 'data-testid': 'session-share-screen' });
    this.shareButton.addEventListener('click', () => {
      const sharing = call.videoSource === 'screen';
      void (sharing ? call.stopSharing() : call.shareScreen()).catch((error: unknown) => props.onProblem(error));
    });
    this.leaveButton = h(
      'button',
      { type: 'button', class: 'button ghost', 'data-testid': 'session-leave-call', onclick: props.onLeave },
      'Leave',
    );
    this.endButton = h(
      'button',
      { type: 'button', class: 'button danger', 'data-testid': 'session-end-call' },
      icon('hangup'),
      h('span', {}, 'End call for both'),
    );
    this.endButton.addEventListener('click', () => props.onEnd(this.endButton));
    this.inCallControls = h(
      'div',
      { class: 'session-controls' },
      this.muteButton,
      this.cameraButton,
      this.shareButton,
      this.leaveButton,
      this.endButton,
    );

    this.element = h(
      'section',
      { class: 'card session-call', 'aria-labelledby': 'session-call-title' },
      h('h2', { id: 'session-call-title' }, 'Video call'),
      h('div', { class: 'session-stage' }, this.remoteVideo, this.placeholder, this.localVideo),
      this.status,
      h('div', { class: 'session-actions' }, this.joinButton, this.inCallControls),
    );
    call.on('changed', () => this.update());
    call.on('localStream', (stream) => this.attach(this.localVideo, stream));
    call.on('remoteStream', (stream) => this.attach(this.remoteVideo, stream));
    this.update();
  }

  update(): void {
    const call = this.call;
    const phase = call.phase;
    const joining = call.joining;
    this.element.dataset.phase = phase;
    this.status.dataset.state = phase;
    this.status.textContent = phaseWords(phase, this.otherName(), joining, call.view?.end_reason);
    const canJoin = phase === 'none' || phase === 'ended' || phase === 'ringing' || phase === 'open';
    this.joinButton.hidden = !canJoin;
    this.joinButton.disabled = joining;
    this.joinButton.lastElementChild?.replaceChildren(phase === 'ringing' || phase === 'open' ? 'Join call' : 'Start call');
    this.inCallControls.hidden = !(phase === 'waiting' || phase === 'active');
    this.muteButton.replaceChildren(icon(call.muted ? 'micOff' : 'mic'), h('span', {}, call.muted ? 'Unmute' : 'Mute'));
    this.muteButton.setAttribute('aria-pressed', String(call.muted));
    this.cameraButton.hidden = !call.hasCamera();
    this.cameraButton.replaceChildren(
      icon(call.cameraOff ? 'videoOff' : 'video'),
      h('span', {}, call.cameraOff ? 'Camera on' : 'Camera off'),
    );
    this.cameraButton.setAttribute('aria-pressed', String(call.cameraOff));
    const sharing = call.videoSource === 'screen';
    this.shareButton.hidden = !(phase === 'active' && call.canShareScreen && call.view?.call_type === 'video');
    this.shareButton.replaceChildren(sharing ? 'Stop sharing' : 'Share screen');
    this.shareButton.setAttribute('aria-pressed', String(sharing));
    const hasRemote = Boolean(call.remoteStream?.getVideoTracks().length) && phase === 'active';
    this.element.classList.toggle('has-remote-video', hasRemote);
    this.element.classList.toggle('has-local-video', Boolean(call.localStream?.getVideoTracks().length));
    this.placeholder.textContent =
      phase === 'active' ? 'Connecting video…' : phase === 'waiting' ? `Waiting for ${this.otherName()}` : 'No video';
    this.remoteVideo.setAttribute('aria-label', `Video of ${this.otherName()}`);
  }

  private attach(video: HTMLVideoElement, stream: MediaStream | undefined): void {
    video.srcObject = stream ?? null;
    if (stream) void video.play().catch(() => undefined);
    this.update();
  }
}
