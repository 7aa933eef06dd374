/**
 * The call in progress (or being placed): remote video large, local preview small, an avatar for
 * voice calls (and until the peer's video arrives, and while the peer's camera is off), the status
 * or timer, the peer's muted sign, and the controls with my own microphone and camera state.
 */
import { profileKey } from '../../../../shared/profile';
import type { Call, CallState, ConnectionState, Unsubscribe } from '../../client';
import { avatar } from '../avatar';
import { connectionProblem, RECONNECT_NOW_LABEL, RECONNECTING_WORDS } from '../connection-words';
import { h } from '../dom';
import { FocusTrap } from '../focus-trap';
import { capitalize, displayName, formatDuration } from '../format';
import { icon } from '../icons';
import { CallChat } from './call-chat';
import { DeviceSettings } from './device-settings';
import { OwnMediaStatus, PeerMediaIndicators, peerSendsVideo } from './media-state';
import { QualityIndicator } from './quality-indicator';
import { ShareControls } from './share-controls';

export interface CallScreenProps {
  onHangup: (call: Call) => void;
  /** Retries our own connection at once, while it is down. */
  onReconnectNow: () => void;
}

const STATUS: Record<CallState, string> = {
  calling: 'Calling…',
  ringing: 'Ringing…',
  connecting: 'Connecting…',
  connected: 'Connected',
  ended: 'Call ended',
};

export class CallScreen {
  /** A modal dialog: what is behind it cannot be reached while a call is on screen. */
  readonly element = h('div', { class: 'overlay call-screen', role: 'dialog', 'aria-modal': 'true', tabindex: -1, hidden: true });
  private readonly focusTrap = new FocusTrap(this.element);
  private call: Call | undefined;
  private subscriptions: Unsubscribe[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private ownConnection: ConnectionState = 'connected';
  private mediaInterrupted = false;

  // Rebuilt per call in `attach`.
  private status = h('p');
  private statusText = h('span');
  private clock = h('span');
  private banner = h('div');
  private reconnectButton = h('button');
  private remoteVideo = h('video');
  private localVideo = h('video');
  private remoteAudio = h('audio');
  private muteButton = h('button');
  private cameraButton = h('button');
  private stage = h('div');
  private names: HTMLElement[] = [];
  private peerMedia = new PeerMediaIndicators();
  private ownMedia = new OwnMediaStatus();
  private endButton = h('button');
  private shareControls: ShareControls | undefined;
  private chat: CallChat | undefined;
  private quality: QualityIndicator | undefined;

  constructor(private readonly props: CallScreenProps) {}

  get current(): Call | undefined {
    return this.call;
  }

  attach(call: Call): void {
    this.detach();
    this.call = call;
    this.mediaInterrupted = call.mediaInterrupted;
    const name = displayName(call.peer.name, call.peer.profileType, call.peer.profileId);
    const key = profileKey(call.peer.profileType, call.peer.profileId);

    // The status stays visible in every state (tests and screen readers follow it); once connected it shows the timer.
    this.statusText = h('span', { class: 'call-status-text' });
    this.clock = h('span', { class: 'call-timer', 'data-testid': 'call-timer', hidden: true }, '0:00');
    this.status = h(
      'p',
      { class: 'call-status', 'data-testid': 'call-status', 'data-state': call.state, 'aria-live': 'polite' },
      this.statusText,
      this.clock,
    );
    this.banner = h('div', { class: 'call-banner', role: 'status', 'data-testid': 'call-banner', hidden: true });
    this.reconnectButton = h(
      'button',
      { class: 'button on-dark call-reconnect', 'data-testid': 'reconnect-now', hidden: true, onclick: () => this.props.onReconnectNow() },
      RECONNECT_NOW_LABEL,
    );
    this.remoteVideo = h('video', { class: 'remote-video', 'data-testid': 'remote-video', autoplay: true, playsinline: true, muted: true });
    this.remoteVideo.muted = true; // sound plays through the audio element, once
    this.localVideo = h('video', { class: 'local-video', 'data-testid': 'local-video', autoplay: true, playsinline: true, muted: true });
    this.localVideo.muted = true;
    this.remoteAudio = h('audio', { autoplay: true, 'data-testid': 'remote-audio' });
    const devices = new DeviceSettings(call, this.remoteAudio);
    this.muteButton = h('button', {
      class: 'round-button control',
      'data-testid': 'mute-toggle',
      onclick: () => call.setMuted(!call.muted),
    });
    this.cameraButton = h('button', {
      class: 'round-button control',
      'data-testid': 'camera-toggle',
      hidden: call.type !== 'video',
      onclick: () => call.setCameraEnabled(!call.cameraOn),
    });
    const end = h(
      'button',
      { class: 'round-button decline', 'data-testid': 'end-call', 'aria-label': 'End call', onclick: () => this.props.onHangup(call) },
      icon('hangup'),
    );
    this.endButton = end;

    this.peerMedia = new PeerMediaIndicators();
    this.ownMedia = new OwnMediaStatus();
    this.chat = new CallChat(call, () => displayName(call.peer.name, call.peer.profileType, call.peer.profileId));
    this.quality = new QualityIndicator(call);
    this.names = [h('strong', { 'data-testid': 'call-peer-name' }, name), h('h2', { class: 'peer-name' }, name)];
    const [topName, stageName] = this.names as [HTMLElement, HTMLElement];
    const peerAvatar = h('div', { class: 'pulse' }, avatar(name, key, call.peer.avatar, 'xl'));
    this.stage = h(
      'div',
      { class: 'stage', 'data-call-type': call.type },
      this.remoteVideo,
      h(
        'div',
        { class: 'peer-card' },
        peerAvatar,
        stageName,
        h(
          'p',
          { class: 'peer-role' },
          `${capitalize(call.type)} call · ${capitalize(call.peer.profileType)} ${String(call.peer.profileId)}`,
        ),
        this.peerMedia.cameraOff,
      ),
      this.localVideo,
    );

    this.shareControls = new ShareControls(call, this.stage);
    this.element.replaceChildren(
      h(
        'div',
        { class: 'call-layout' },
        h(
          'div',
          { class: 'call-top' },
          h(
            'div',
            { class: 'call-title' },
            topName,
            h('div', { class: 'call-sub' }, this.status),
            this.peerMedia.muted,
            this.quality.element,
          ),
        ),
        this.stage,
        this.chat.panel,
        this.banner,
        this.reconnectButton,
        h(
          'div',
          { class: 'controls', role: 'group', 'aria-label': 'Call controls' },
          this.ownMedia.element,
          h('div', { class: 'action' }, this.muteButton, h('span', { class: 'mute-label' })),
          h('div', { class: 'action', hidden: call.type !== 'video' }, this.cameraButton, h('span', { class: 'camera-label' })),
          ...this.shareControls.actions,
          devices.control,
          this.chat.toggle,
          h('div', { class: 'action' }, end, h('span', { class: 'end-label' }, 'End')),
        ),
        this.remoteAudio,
      ),
    );
    this.element.append(devices.panel, devices.notice);

    this.subscriptions = [
      call.on('state', () => this.renderState()),
      call.on('muted', () => this.renderControls()),
      call.on('cameraOn', () => this.renderControls()),
      call.on('localStream', (stream) => this.attachLocal(stream)),
      call.on('remoteStream', (stream) => this.attachRemote(stream)),
      call.on('peerReconnecting', () => this.renderBanner()),
      call.on('peerMedia', () => this.renderPeerMedia()),
      call.on('hasVideo', () => this.renderState()),
      // The callee's name is only known once it answers.
      call.on('peer', (peer) => {
        const known = displayName(peer.name, peer.profileType, peer.profileId);
        for (const element of this.names) element.textContent = known;
        this.element.setAttribute('aria-label', `Call with ${known}`);
        peerAvatar.replaceChildren(avatar(known, key, peer.avatar, 'xl'));
        this.renderBanner();
        this.renderPeerMedia();
        this.chat?.renderNames();
      }),
      call.on('mediaInterrupted', (interrupted) => {
        this.mediaInterrupted = interrupted;
        this.renderBanner();
      }),
    ];
    if (call.localStream) this.attachLocal(call.localStream);
    if (call.remoteStream) this.attachRemote(call.remoteStream);
    this.renderState();
    this.renderControls();
    this.renderBanner();
    this.element.setAttribute('aria-label', `Call with ${name}`);
    this.renderPeerMedia();
    this.element.hidden = false;
    // The dialog itself takes the focus (a screen reader says whom the call is with); Tab goes on to the controls.
    this.focusTrap.hold();
  }

  /** Our own signaling connection, shown in the banner while a call is on. */
  setOwnConnection(state: ConnectionState): void {
    this.ownConnection = state;
    this.renderBanner();
  }

  detach(): void {
    for (const unsubscribe of this.subscriptions) unsubscribe();
    this.subscriptions = [];
    this.shareControls?.dispose();
    this.shareControls = undefined;
    this.chat?.dispose();
    this.quality?.dispose();
    this.chat = this.quality = undefined;
    clearInterval(this.timer);
    this.timer = undefined;
    for (const media of [this.remoteVideo, this.localVideo, this.remoteAudio]) media.srcObject = null;
    this.call = undefined;
    this.element.hidden = true;
    this.element.replaceChildren();
    this.focusTrap.release();
  }

  private attachLocal(stream: MediaStream): void {
    if (this.localVideo.srcObject !== stream) this.localVideo.srcObject = stream;
    this.renderState();
  }

  private attachRemote(stream: MediaStream): void {
    if (this.remoteVideo.srcObject !== stream) this.remoteVideo.srcObject = stream;
    if (this.remoteAudio.srcObject !== stream) this.remoteAudio.srcObject = stream;
    // Autoplay may need the click that accepted or placed the call; retry quietly if refused.
    void this.remoteAudio.play().catch(() => undefined);
    for (const track of stream.getVideoTracks()) {
      track.addEventListener('unmute', () => this.renderState());
      track.addEventListener('mute', () => this.renderState());
    }
    this.renderState();
  }

  private renderState(): void {
    const call = this.call;
    if (!call) return;
    const state = call.state;
    this.status.dataset.state = state;
    const duration = call.end?.durationSeconds;
    this.statusText.textContent = state === 'ended' && duration != null ? `${STATUS.ended} · ${formatDuration(duration)}` : STATUS[state];
    this.element.dataset.state = state;

    // A disabled camera still sends (black) frames: the peer's own word decides, the track's frames otherwise.
    const remoteVideo =
      call.hasVideo &&
      peerSendsVideo(call.peerMedia) &&
      (call.remoteStream?.getVideoTracks().some((t) => t.readyState === 'live' && !t.muted) ?? false);
    this.stage.classList.toggle('has-remote-video', remoteVideo && (state === 'connected' || state === 'connecting'));
    this.stage.classList.toggle('has-local-video', call.hasVideo && call.cameraOn && Boolean(call.localStream?.getVideoTracks().length));
    const ringing = state === 'calling' || state === 'ringing';
    this.stage.classList.toggle('ringing', ringing);
    // Before an answer, ending is cancelling: say so.
    this.endButton.setAttribute('aria-label', ringing ? 'Cancel call' : 'End call');
    const endLabel = this.endButton.nextElementSibling;
    if (endLabel) endLabel.textContent = ringing ? 'Cancel' : 'End';

    const connected = state === 'connected';
    this.clock.hidden = !connected;
    this.statusText.hidden = connected;
    if (connected && !this.timer) {
      this.tick();
      this.timer = setInterval(() => this.tick(), 1_000);
    } else if (!connected && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private tick(): void {
    const since = this.call?.connectedAt;
    if (since !== undefined) this.clock.textContent = formatDuration((Date.now() - since) / 1000);
  }

  private renderControls(): void {
    const call = this.call;
    if (!call) return;
    const muted = call.muted;
    this.muteButton.replaceChildren(icon(muted ? 'micOff' : 'mic'));
    this.muteButton.setAttribute('aria-pressed', String(muted));
    this.muteButton.setAttribute('aria-label', muted ? 'Unmute microphone' : 'Mute microphone');
    this.muteButton.dataset.muted = String(muted);
    this.muteButton.classList.toggle('off', muted);
    const muteLabel = this.muteButton.nextElementSibling;
    if (muteLabel) muteLabel.textContent = muted ? 'Unmute' : 'Mute';

    const cameraOn = call.cameraOn;
    this.cameraButton.replaceChildren(icon(cameraOn ? 'video' : 'videoOff'));
    this.cameraButton.setAttribute('aria-pressed', String(!cameraOn));
    this.cameraButton.setAttribute('aria-label', cameraOn ? 'Turn camera off' : 'Turn camera on');
    this.cameraButton.dataset.camera = cameraOn ? 'on' : 'off';
    this.cameraButton.classList.toggle('off', !cameraOn);
    const cameraLabel = this.cameraButton.nextElementSibling;
    if (cameraLabel) cameraLabel.textContent = cameraOn ? 'Camera off' : 'Camera on';
    this.ownMedia.render(call);
    this.renderState();
  }

  private renderPeerMedia(): void {
    const call = this.call;
    if (!call) return;
    this.peerMedia.render(call, displayName(call.peer.name, call.peer.profileType, call.peer.profileId));
    this.renderState();
  }

  private renderBanner(): void {
    const call = this.call;
    if (!call) return;
    const name = displayName(call.peer.name, call.peer.profileType, call.peer.profileId);
    const ownConnectionDown = this.ownConnection === 'reconnecting';
    const message = ownConnectionDown
      ? RECONNECTING_WORDS[connectionProblem()]
      : call.peerReconnecting
        ? `${name}'s connection dropped. Waiting for them to reconnect…`
        : this.mediaInterrupted
          ? 'Reconnecting media…'
          : '';
    this.banner.textContent = message;
    this.banner.hidden = message === '';
    this.reconnectButton.hidden = !ownConnectionDown;
  }
}
