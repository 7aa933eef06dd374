/**
 * One call, incoming or outgoing: its state machine and its timers, behind the `Call` a page
 * sees. Media is the negotiator's job, what goes to the server is `CallSignals`'s, and routing
 * messages to the right call is the client's, through the methods here that `Call` leaves out.
 *
 *   outgoing: calling -> ringing -> connecting -> connected -> ended
 *   incoming:            ringing -> connecting -> connected -> ended
 *
 * Any state may go to `ended`, exactly once, with a reason (`CallEnd`).
 */
import { PEER_PROTOCOL_VERSION, type PeerMessage } from '../../../shared/peer-protocol';
import { sameProfile, type ProfileRef } from '../../../shared/profile';
import type { ServerMessage, ServerMessageOf } from '../../../shared/protocol';
import type { CandidateBatcherOptions } from './candidate-batcher';
import { CallSignals, type CallTransport, type CallVouching } from './call-signals';
import {
  profileRefOf,
  type Call,
  type CallDirection,
  type CallEnd,
  type CallEndReason,
  type CallEvents,
  type CallState,
  type CallType,
  type Peer,
  type PeerMediaState,
} from './call-types';
import { Emitter } from './emitter';
import { declinedReason, endedReason } from './end-reasons';
import { CallError, CallErrorCode } from './errors';
import type { Negotiator, SessionDescription } from './negotiator';

export interface CallTimings {
  /** An invitation not acknowledged (ringing or declined) by then fails the call. */
  setupTimeoutMs: number;
  /** An answered call whose media has not connected by then fails. */
  connectTimeoutMs: number;
  /** Used when the server gives no `expires_at` (never, with this server). */
  defaultRingMs: number;
  /**
   * How long after `expires_at` the client stops ringing on its own. The server's timeout is
   * normally first (and logs the call as timed out); this catches a sweeper that runs late.
   */
  ringGraceMs: number;
  /** A `call_resume` refused with `call_not_found` is sent this many times in all before the call counts as over. */
  resumeAttempts: number;
  /** The wait before asking again, times the attempts so far. */
  resumeRetryMs: number;
  /** A media path `disconnected` this long (it often recovers by itself) restarts ICE; `failed` restarts at once. */
  iceRestartDelayMs: number;
  /** How long an interrupted media path may keep retrying before the call ends. */
  mediaRecoveryMs: number;
  /**
   * How much longer the callee waits before restarting ICE itself: the caller restarts first, and
   * the callee restarts only if no offer of the caller's came meanwhile. Both restarting at once
   * makes the (polite) callee roll its own offer back, after which Chromium stops encoding the
   * callee's video (seen in Chromium 150: the call goes on, the picture freezes).
   */
  calleeRestartWaitMs: number;
  batcher: Partial<CandidateBatcherOptions>;
}

export const DEFAULT_CALL_TIMINGS: CallTimings = {
  setupTimeoutMs: 15_000,
  connectTimeoutMs: 30_000,
  defaultRingMs: 45_000,
  ringGraceMs: 1_500,
  resumeAttempts: 3,
  resumeRetryMs: 250,
  iceRestartDelayMs: 2_000,
  mediaRecoveryMs: 30_000,
  calleeRestartWaitMs: 4_000,
  batcher: {},
};

export interface CallInit {
  direction: CallDirection;
  type: CallType;
  peer: Peer;
  id?: string;
  /** Incoming calls: the caller's offer (a call the platform started gets it once accepted). */
  offer?: SessionDescription<'offer'>;
  /** Incoming calls: how long the invitation rings, measured on the server's clock. */
  ringMs?: number;
  negotiator: Negotiator;
  transport: CallTransport;
  timings?: Partial<CallTimings>;
}

type TimerName = 'setup' | 'ring' | 'connect' | 'resume' | 'iceRestart' | 'mediaRecovery' | 'renegotiateRetry';

export class CallMachine extends Emitter<CallEvents> implements Call {
  readonly direction: CallDirection;
  readonly type: CallType;
  readonly createdAt = Date.now();
  private stateValue: CallState;
  private peerValue: Peer;
  private endValue: CallEnd | undefined;
  private connectedAtValue: number | undefined;
  private ringsUntilValue: number | undefined;
  private mutedValue = false;
  private cameraOnValue: boolean;
  private peerReconnectingValue = false;
  private peerMediaValue: PeerMediaState | undefined;
  /** Messages about the peer's connection seen so far; a presence answer asked before the latest one is stale. */
  private peerConnectionNews = 0;
  /** `call_resume` refusals since our socket last (re)opened. */
  private resumeRefusals = 0;
  /** `call_renegotiate` refusals of the offer now pending. */
  private renegotiateRefusals = 0;
  private mediaInterruptedValue = false;
  private hasVideoValue: boolean;
  private offer: SessionDescription<'offer'> | undefined;
  private readonly negotiator: Negotiator;
  private readonly signals: CallSignals;
  private readonly timings: CallTimings;
  private readonly timers = new Map<TimerName, ReturnType<typeof setTimeout>>();

  constructor(init: CallInit) {
    super();
    this.direction = init.direction;
    this.type = init.type;
    this.peerValue = init.peer;
    this.offer = init.offer;
    this.negotiator = init.negotiator;
    this.timings = { ...DEFAULT_CALL_TIMINGS, ...init.timings };
    this.signals = new CallSignals(init.transport, this.timings.batcher, init.id);
    this.cameraOnValue = init.type === 'video';
    this.hasVideoValue = init.type === 'video';
    this.stateValue = init.direction === 'outgoing' ? 'calling' : 'ringing';

    this.negotiator.on('candidate', (candidate) => this.signals.candidate(candidate));
    this.negotiator.on('localStream', (stream) => this.emit('localStream', stream));
    this.negotiator.on('remoteStream', (stream) => this.emit('remoteStream', stream));
    this.negotiator.on('warning', (warning) => {
      if (!this.negotiator.hasLocalTrack('video')) this.setCameraFlag(false);
      this.emit('warning', warning);
    });
    this.negotiator.on('connection', (state) => this.mediaStateChanged(state));
    // What the peer sees of our microphone and camera: told as the channel opens, then on each change.
    this.negotiator.on('peerChannelOpen', () => this.tellPeerMediaState());
    this.negotiator.on('peerMessage', (message) => this.peerMessage(message));
    this.negotiator.on('renegotiate', (description) => {
      if (description.type === 'offer') this.renegotiateRefusals = 0;
      this.signals.renegotiate(description);
    });
    this.negotiator.on('videoSource', (source) => {
      this.emit('sharingScreen', source === 'screen');
      this.tellPeerMediaState();
      this.refreshHasVideo();
    });

    if (init.direction === 'incoming') this.armRingTimer(init.ringMs ?? this.timings.defaultRingMs);
  }

  get id(): string | undefined {
    return this.signals.id;
  }

  get state(): CallState {
    return this.stateValue;
  }

  get peer(): Peer {
    return this.peerValue;
  }

  get end(): CallEnd | undefined {
    return this.endValue;
  }

  get connectedAt(): number | undefined {
    return this.connectedAtValue;
  }

  get ringsUntil(): number | undefined {
    return this.ringsUntilValue;
  }

  get muted(): boolean {
    return this.mutedValue;
  }

  get cameraOn(): boolean {
    return this.cameraOnValue;
  }

  get peerReconnecting(): boolean {
    return this.peerReconnectingValue;
  }

  get peerMedia(): PeerMediaState | undefined {
    return this.peerMediaValue;
  }

  get mediaInterrupted(): boolean {
    return this.mediaInterruptedValue;
  }

  get hasVideo(): boolean {
    return this.hasVideoValue;
  }

  get sharingScreen(): boolean {
    return this.negotiator.videoSource === 'screen';
  }

  get canShareScreen(): boolean {
    return this.negotiator.canShareScreen;
  }

  get localStream(): MediaStream | undefined {
    return this.negotiator.localStream;
  }

  get remoteStream(): MediaStream | undefined {
    return this.negotiator.remoteStream;
  }

  /** Also what makes the client re-bind the call with `call_resume` after a reconnect. */
  get answered(): boolean {
    return this.stateValue === 'connecting' || this.stateValue === 'connected';
  }

  /**
   * @internal An outgoing call the server has not named yet: the client gives it the first unknown
   * call id it hears of (an ended one too, so that its cancel can be repeated with the id).
   */
  get awaitingId(): boolean {
    return this.direction === 'outgoing' && this.signals.id === undefined && (this.stateValue !== 'ended' || this.signals.owesCancel);
  }

  // ---------------------------------------------------------------------------------------------
  // What the user does
  // ---------------------------------------------------------------------------------------------

  async accept(): Promise<void> {
    if (this.direction !== 'incoming' || this.stateValue !== 'ringing') return;
    this.clearTimer('ring');
    this.startConnecting();
    const offer = this.offer;
    if (offer) return this.answerOffer(offer);
    // A call the platform started: accepting it asks the caller for its offer, answered on arrival (`offered`).
    try {
      this.signals.acceptInvite();
    } catch (error) {
      this.fail(toCallError(error), 'decline');
    }
  }

  decline(): void {
    if (this.direction !== 'incoming' || this.stateValue !== 'ringing') return;
    this.signals.decline('rejected');
    this.finish({ reason: 'declined' });
  }

  hangup(): void {
    if (this.stateValue === 'ended') return;
    if (this.direction === 'incoming' && this.stateValue === 'ringing') {
      this.decline();
      return;
    }
    const reason = this.answered ? 'hangup' : 'cancelled';
    this.signals.end(reason);
    this.finish({ reason });
  }

  setMuted(muted: boolean): void {
    if (this.stateValue === 'ended' || muted === this.mutedValue) return;
    this.mutedValue = muted;
    this.negotiator.setTrackEnabled('audio', !muted);
    this.emit('muted', muted);
    this.tellPeerMediaState();
  }

  setCameraEnabled(on: boolean): void {
    if (this.stateValue === 'ended' || (this.type !== 'video' && !this.negotiator.hasLocalTrack('video'))) return;
    if (on && !this.negotiator.hasLocalTrack('video') && this.negotiator.localStream) return;
    this.negotiator.setTrackEnabled('video', on);
    this.setCameraFlag(on);
  }

  async shareScreen(): Promise<void> {
    if (!this.answered) return;
    await this.negotiator.shareScreen();
  }

  async stopSharing(): Promise<void> {
    await this.negotiator.stopSharing();
  }

  async turnCameraOn(): Promise<void> {
    if (!this.answered) return;
    if (this.negotiator.hasLocalTrack('video')) {
      this.setCameraEnabled(true);
      return;
    }
    await this.negotiator.addCamera();
    if (this.isOver()) return;
    this.negotiator.setTrackEnabled('video', true);
    this.setCameraFlag(true);
    this.refreshHasVideo();
  }

  // ---------------------------------------------------------------------------------------------
  // What the client drives (not part of `Call`)
  // ---------------------------------------------------------------------------------------------

  /**
   * @internal Outgoing: opens the media, creates the offer and sends the invitation, vouched for
   * with what `vouched` gives (asked while the media opens).
   */
  async start(to: ProfileRef, vouched: CallVouching | Promise<CallVouching> = {}): Promise<void> {
    this.armTimer('setup', this.timings.setupTimeoutMs, () =>
      this.fail(new CallError(CallErrorCode.Timeout, 'The call service did not respond'), 'end'),
    );
    try {
      const [offer, vouching] = await Promise.all([this.negotiator.createOffer(), vouched]);
      if (this.isOver()) return;
      this.signals.invite(to, this.type, offer, vouching);
    } catch (error) {
      if (!this.isOver()) this.fail(toCallError(error), 'none');
    }
  }

  /** @internal The caller's offer into a call the platform started, which we accepted: answered at once. */
  offered(offer: SessionDescription<'offer'>): void {
    if (this.direction !== 'incoming' || this.offer || this.stateValue !== 'connecting') return;
    this.offer = offer;
    void this.answerOffer(offer);
  }

  /** @internal The server named our outgoing call (its first message about it). */
  adoptId(callId: string): void {
    this.signals.named(callId);
  }

  /** @internal A server message about this call. */
  receive(message: ServerMessage): void {
    if (this.stateValue === 'ended') return;
    switch (message.type) {
      case 'call_ringing':
        this.clearTimer('setup');
        if (this.stateValue === 'calling') {
          this.armRingTimer(Date.parse(message.expires_at) - Date.parse(message.sent_at));
          this.setState('ringing');
        }
        return;
      case 'call_answer':
        this.updatePeer(message);
        if (this.direction === 'outgoing' && (this.stateValue === 'calling' || this.stateValue === 'ringing')) {
          void this.applyAnswer(message.answer);
        }
        return;
      case 'ice_candidate':
        this.negotiator.addRemoteCandidates(message.candidates ?? (message.candidate ? [message.candidate] : []));
        return;
      case 'call_renegotiate':
        this.negotiator.receiveRenegotiation(message.description);
        return;
      case 'call_declined':
        this.updatePeer(message);
        this.finish({ reason: declinedReason(message.reason) });
        return;
      case 'call_ended':
        this.finish({ reason: endedReason(message.reason, this.direction) });
        return;
      case 'peer_reconnecting':
        this.peerConnectionNews++;
        this.setPeerReconnecting(true);
        return;
      case 'call_resumed': {
        const sender: ProfileRef = { profile_id: message.from_profile_id, profile_type: message.from_profile_type };
        if (sameProfile(sender, profileRefOf(this.peerValue))) {
          this.peerConnectionNews++;
          this.setPeerReconnecting(false);
        } else {
          this.resumeRefusals = 0; // our own re-bind went through
        }
        // An offer of ours that went to a socket gone, or was refused before the re-bind, goes again.
        this.negotiator.resendPendingOffer();
        return;
      }
      case 'error':
        this.refused(message);
        return;
      default:
        return;
    }
  }

  /** @internal The signaling socket was replaced: re-bind an answered call to the new one. */
  socketReopened(): void {
    if (this.stateValue === 'ended') return;
    if (this.answered) {
      this.resumeRefusals = 0;
      this.clearTimer('resume');
      this.signals.resume();
    } else if (this.direction === 'outgoing') {
      // The server cancels a ringing call when its caller's socket closes, but only once that socket's
      // `$disconnect` comes, and a server that crashed or restarted never sends it: cancel from here
      // too (a call already over ignores it), so the callee stops ringing for a call nobody places.
      this.fail(new CallError(CallErrorCode.SignalingLost, 'The connection dropped while calling'), 'end');
    } else {
      // What the server said about the call while we were away went to the old socket: bind the new
      // one to the ringing, or hear how the call ended meanwhile.
      this.signals.resumeRinging();
    }
  }

  /** @internal How many messages about the peer's connection arrived so far (see `peerPresenceLearned`). */
  get peerConnectionNewsCount(): number {
    return this.peerConnectionNews;
  }

  /**
   * @internal Whether the peer has a socket, asked after our own socket came back: what the server
   * said about the peer while ours was down is lost. Ignored when the call has heard about the
   * peer's connection since it asked (`newsCountWhenAsked`), because that is newer.
   */
  peerPresenceLearned(online: boolean, newsCountWhenAsked: number): void {
    if (this.stateValue === 'ended' || !this.answered || newsCountWhenAsked !== this.peerConnectionNews) return;
    this.setPeerReconnecting(!online);
  }

  /** @internal Ends the call locally without telling the server (it already knows, or cannot be told). */
  abandon(reason: CallEndReason, error?: CallError): void {
    this.finish(error ? { reason, error } : { reason });
  }

  // ---------------------------------------------------------------------------------------------

  private async answerOffer(offer: SessionDescription<'offer'>): Promise<void> {
    try {
      const answer = await this.negotiator.acceptOffer(offer);
      if (this.isOver()) return;
      this.signals.answer(answer);
    } catch (error) {
      if (this.isOver()) return;
      // Without media (or an answer) we cannot take the call: decline it so the caller is not left ringing.
      this.fail(toCallError(error), 'decline');
    }
  }

  private async applyAnswer(answer: SessionDescription<'answer'>): Promise<void> {
    this.clearTimer('setup');
    this.clearTimer('ring');
    this.startConnecting();
    try {
      await this.negotiator.applyAnswer(answer);
    } catch (error) {
      if (!this.isOver()) this.fail(toCallError(error), 'end');
    }
  }

  private startConnecting(): void {
    this.setState('connecting');
    this.armTimer('connect', this.timings.connectTimeoutMs, () =>
      this.fail(new CallError(CallErrorCode.ConnectionFailed, 'The media connection could not be established'), 'end'),
    );
  }

  /**
   * ICE restart: a path `disconnected` for a moment, or `failed`, gets new ICE credentials (both
   * sides may ask at once; perfect negotiation settles it), and the call stays up while it retries,
   * for `mediaRecoveryMs` at most.
   */
  private mediaStateChanged(state: RTCPeerConnectionState): void {
    if (this.stateValue === 'ended') return;
    if (state === 'connected') {
      this.clearTimer('iceRestart');
      this.clearTimer('mediaRecovery');
      this.setMediaInterrupted(false);
      if (this.stateValue !== 'connected') {
        this.clearTimer('connect');
        this.connectedAtValue = Date.now();
        this.setState('connected');
      }
    } else if (state === 'disconnected') {
      // Often recovers by itself within seconds (a Wi-Fi hiccup): restart only if it does not.
      this.interrupted();
      this.scheduleIceRestart(this.timings.iceRestartDelayMs);
    } else if (state === 'failed') {
      this.interrupted();
      this.scheduleIceRestart(0);
    }
  }

  /** The caller restarts after `delayMs`; the callee later still, and only if the caller's restart has not come. */
  private scheduleIceRestart(delayMs: number): void {
    const callee = this.direction === 'incoming';
    const offersSoFar = this.negotiator.remoteOffersApplied;
    const restart = () => {
      const state = this.negotiator.connectionState;
      if (state !== 'disconnected' && state !== 'failed') return;
      if (callee && this.negotiator.remoteOffersApplied !== offersSoFar) return;
      this.negotiator.restartIce();
    };
    const wait = delayMs + (callee ? this.timings.calleeRestartWaitMs : 0);
    if (wait === 0) {
      this.clearTimer('iceRestart');
      restart();
    } else {
      this.armTimer('iceRestart', wait, restart);
    }
  }

  private interrupted(): void {
    this.setMediaInterrupted(true);
    if (this.timers.has('mediaRecovery')) return;
    this.armTimer('mediaRecovery', this.timings.mediaRecoveryMs, () =>
      this.fail(new CallError(CallErrorCode.ConnectionFailed, 'The media connection was lost'), 'end'),
    );
  }

  private setMediaInterrupted(interrupted: boolean): void {
    if (interrupted === this.mediaInterruptedValue) return;
    this.mediaInterruptedValue = interrupted;
    this.emit('mediaInterrupted', interrupted);
  }

  private refused(message: ServerMessageOf<'error'>): void {
    switch (message.request_type) {
      case 'call_invitation':
      case 'call_answer':
        this.fail(new CallError(CallErrorCode.Refused, message.message, message.code), 'none');
        return;
      case 'call_renegotiate':
        // Our offer reached the server before the call was bound to our new socket again: once more, later.
        if (++this.renegotiateRefusals < this.timings.resumeAttempts) {
          this.armTimer('renegotiateRetry', this.timings.resumeRetryMs * this.renegotiateRefusals, () =>
            this.negotiator.resendPendingOffer(),
          );
        }
        return;
      case 'call_resume':
        // A ringing call keeps ringing: its answer, decline or the ring timeout settle it.
        if (this.direction === 'incoming' && this.stateValue === 'ringing') return;
        // `call_not_found` is also the answer to a resume that met another change of the call
        // (the server says "please retry"), such as the peer's socket dropping at the same moment.
        // A call that is over refuses every time; one that is not takes the next attempt.
        if (message.code === 'call_not_found' && ++this.resumeRefusals < this.timings.resumeAttempts) {
          this.armTimer('resume', this.timings.resumeRetryMs * this.resumeRefusals, () => this.signals.resume());
          return;
        }
        // The call ended while our connection was down.
        this.finish({ reason: 'disconnected' });
        return;
      default:
        // Candidates or an end that came too late are harmless.
        return;
    }
  }

  /** Fails the call with `error`, telling the server in the way that fits the state. */
  private fail(error: CallError, tell: 'end' | 'decline' | 'none'): void {
    if (tell === 'decline') this.signals.decline('rejected');
    else if (tell === 'end') this.signals.end(this.answered ? 'hangup' : 'cancelled');
    this.finish({ reason: 'failed', error });
  }

  private finish(end: Omit<CallEnd, 'durationSeconds'>): void {
    if (this.stateValue === 'ended') return;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.signals.close();
    this.negotiator.close();
    const connectedAt = this.connectedAtValue;
    this.endValue = {
      ...end,
      durationSeconds: connectedAt === undefined ? null : Math.max(0, Math.round((Date.now() - connectedAt) / 1000)),
    };
    this.setState('ended');
    this.emit('ended', this.endValue);
  }

  private armRingTimer(ringMs: number): void {
    const duration = Number.isFinite(ringMs) && ringMs > 0 ? ringMs : this.timings.defaultRingMs;
    this.ringsUntilValue = Date.now() + duration;
    this.armTimer('ring', duration + this.timings.ringGraceMs, () => {
      if (this.direction === 'outgoing') this.signals.end('cancelled');
      this.finish({ reason: this.direction === 'incoming' ? 'missed' : 'no_answer' });
    });
  }

  private armTimer(name: TimerName, ms: number, run: () => void): void {
    this.clearTimer(name);
    this.timers.set(name, setTimeout(run, ms));
  }

  private clearTimer(name: TimerName): void {
    clearTimeout(this.timers.get(name));
    this.timers.delete(name);
  }

  /** Re-reads the state after an await (where the call may have ended meanwhile). */
  private isOver(): boolean {
    return this.stateValue === 'ended';
  }

  private setState(state: CallState): void {
    if (state === this.stateValue) return;
    this.stateValue = state;
    this.emit('state', state);
  }

  private setCameraFlag(on: boolean): void {
    if (on === this.cameraOnValue) return;
    this.cameraOnValue = on;
    this.emit('cameraOn', on);
    this.tellPeerMediaState();
  }

  /** Sent whenever it may have changed; while the channel is not open yet it goes out as it opens. */
  private tellPeerMediaState(): void {
    if (this.stateValue === 'ended') return;
    const hasCamera = this.negotiator.hasLocalTrack('video');
    this.negotiator.sendToPeer({
      v: PEER_PROTOCOL_VERSION,
      type: 'media_state',
      microphone: this.mutedValue ? 'off' : 'on',
      camera: !hasCamera ? 'none' : this.cameraOnValue ? 'on' : 'off',
      ...(this.negotiator.videoSource === 'screen' ? { screen: 'on' as const } : {}),
    });
  }

  private peerMessage(message: PeerMessage): void {
    if (this.stateValue === 'ended') return;
    switch (message.type) {
      case 'media_state': {
        const { microphone, camera } = message;
        const screen = message.screen ?? 'off';
        const known = this.peerMediaValue;
        if (known?.microphone === microphone && known.camera === camera && (known.screen ?? 'off') === screen) return;
        // `screen` only while on: what older peers send reads exactly as they sent it.
        this.peerMediaValue = { microphone, camera, ...(screen === 'on' ? { screen } : {}) };
        this.refreshHasVideo();
        this.emit('peerMedia', this.peerMediaValue);
        return;
      }
    }
  }

  /** Whether video goes either way: a video call, or a voice call one side added a camera or a screen to. */
  private refreshHasVideo(): void {
    const peer = this.peerMediaValue;
    const hasVideo =
      this.type === 'video' ||
      this.negotiator.videoSource !== 'none' ||
      this.negotiator.hasLocalTrack('video') ||
      peer?.camera === 'on' ||
      peer?.screen === 'on';
    if (hasVideo === this.hasVideoValue) return;
    this.hasVideoValue = hasVideo;
    this.emit('hasVideo', hasVideo);
  }

  private setPeerReconnecting(reconnecting: boolean): void {
    if (reconnecting === this.peerReconnectingValue) return;
    this.peerReconnectingValue = reconnecting;
    this.emit('peerReconnecting', reconnecting);
  }

  /** The callee's name and avatar are only known from its messages. */
  private updatePeer(message: { from_name: string | null; from_avatar: string | null }): void {
    const name = message.from_name ?? this.peerValue.name;
    const avatar = message.from_avatar ?? this.peerValue.avatar;
    if (name === this.peerValue.name && avatar === this.peerValue.avatar) return;
    this.peerValue = { ...this.peerValue, name, avatar };
    this.emit('peer', this.peerValue);
  }
}

function toCallError(error: unknown): CallError {
  return error instanceof CallError
    ? error
    : new CallError(CallErrorCode.NegotiationFailed, error instanceof Error ? error.message : String(error), undefined, { cause: error });
}
