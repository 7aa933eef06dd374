/**
 * The call client a page embeds: one signaling connection, and the calls on it. It routes each
 * server message to its call (by call id, or to the outgoing call the server has not named yet),
 * keeps messages that overtake their invitation, ignores messages about calls already over, and
 * re-binds an answered call after every reconnect.
 */
import { MAX_HISTORY_LIMIT } from '../../../shared/limits';
import type { CallLog, ClientMessageInput, ServerMessage, ServerMessageOf } from '../../../shared/protocol';
import { sameProfile, type ProfileId, type ProfileRef } from '../../../shared/profile';
import { CallMachine, type CallTimings } from './call';
import { profileRefOf, type Call, type CallType, type Peer } from './call-types';
import { Emitter } from './emitter';
import { NewestSettings, settingsOf, type CallSettings, type CallSettingsChange } from './call-settings';
import { CallError, CallErrorCode } from './errors';
import { IceServerSet } from './ice-server-set';
import type { GetDisplayMedia, GetUserMedia } from './media';
import { Negotiator, type PeerConnectionFactory, type SessionDescription } from './negotiator';
import type { CallVouching } from './call-signals';
import { DEFAULT_REACHABILITY, headProbe, ReachabilityWatch, type ReachabilityOptions, type ReachabilityProbe } from './reachability';
import { PendingQueries } from './requests';
import { EARLY_MESSAGE_TTL_MS, UnknownCalls, type CallMessage } from './unknown-calls';
import {
  SignalingSocket,
  type ConnectionState,
  type OpenReason,
  type SignalingSocketOptions,
  type TokenSource,
  type WebSocketFactory,
} from './signaling-socket';

export interface CallClientOptions {
  /** The gateway's WebSocket URL (`websocketUrl` of `config.json`). */
  websocketUrl: string;
  /** The sign-in token, or a function that returns a current one (asked before every connection). */
  token: TokenSource;
  /** ICE servers to start with; replaced by the server's `ice_servers` answer when it offers some. */
  iceServers?: RTCIceServer[];
  /** How long a call waits for fresh ICE servers when its set is stale (default 1.5 s); then it starts with what it has. */
  iceRefreshWaitMs?: number;
  /** Seams for other runtimes and tests; the browser's own are the defaults. */
  createWebSocket?: WebSocketFactory;
  createPeerConnection?: PeerConnectionFactory;
  getUserMedia?: GetUserMedia;
  getDisplayMedia?: GetDisplayMedia;
  socket?: Partial<Omit<SignalingSocketOptions, 'url' | 'token' | 'createWebSocket'>>;
  call?: Partial<CallTimings>;
  /** How long presence, history and ICE server queries may take. */
  queryTimeoutMs?: number;
  /**
   * A URL of the service the client may HEAD while its socket is down (the page's `config.json`):
   * it reconnects as soon as that answers again, instead of when a backoff grown long during the
   * outage next allows. Without one, the backoff and the browser's `online` event pace the retries.
   */
  probeUrl?: string;
  /** Instead of `probeUrl`: how to tell the service answers (other runtimes, tests), and how often to ask. */
  probe?: ReachabilityProbe;
  reachability?: Partial<Pick<ReachabilityOptions, 'intervalMs' | 'maxIntervalMs'>>;
  /**
   * What each call placed without its own vouching is vouched for with: the conversation and the
   * call grant the page gets from its platform's backend (a deployment that requires them refuses
   * calls without). Throw a `CallError` to fail the call.
   */
  vouchFor?: (to: ProfileRef, type: CallType) => Promise<CallVouching>;
}

export interface CallClientEvents {
  connection: ConnectionState;
  /** A socket opened: the first time, after a drop, or as the 2-hour replacement. */
  connected: { reason: OpenReason };
  /** A new incoming call is ringing (an invitation, or a call the platform started: `call_invite`). */
  incoming: Call;
  /**
   * A call the platform started for us, which the callee accepted: this client is placing it now
   * (it sends the offer itself). Show it as an outgoing call.
   */
  outgoing: Call;
  /** Any new call, incoming or outgoing. */
  call: Call;
  /** My call settings as the server now has them: read or changed here, or changed on another tab or device of mine. */
  callSettings: CallSettings;
  /**
   * Problems outside any call: an expired token (`unauthorized`), or the server closing this
   * connection because the profile has too many (`too_many_sockets`; see `reconnect()`).
   */
  error: CallError;
}

export interface PresenceEntry {
  profile_id: ProfileId;
  profile_type: string;
  online: boolean;
}

export interface CallHistoryPage {
  items: CallLog[];
  /** Pass as `before` for the next (older) page; absent on the last page. */
  next?: string;
}

/** The other party of a call, as the server stamped it on its message. */
function peerOf(
  message: Pick<ServerMessageOf<'call_invite'>, 'from_profile_id' | 'from_profile_type' | 'from_name' | 'from_avatar'>,
): Peer {
  return {
    profileId: message.from_profile_id,
    profileType: message.from_profile_type,
    name: message.from_name,
    avatar: message.from_avatar,
  };
}

/** Messages that name an outgoing call the server had not named to us yet. */
const NAMING_MESSAGES: ReadonlySet<ServerMessage['type']> = new Set(['call_ringing', 'call_answer', 'call_declined']);

export class CallClient extends Emitter<CallClientEvents> {
  readonly socket: SignalingSocket;
  private readonly options: CallClientOptions;
  private readonly queries: PendingQueries;
  /** Calls not over yet, plus outgoing ones that still owe the server a cancel (see `CallMachine.awaitingId`). */
  private readonly calls = new Set<CallMachine>();
  private readonly unknown = new UnknownCalls();
  private readonly settings = new NewestSettings();
  private readonly ice: IceServerSet;
  private closed = false;
  private readonly online = () => this.socket.reconnectNow();
  private readonly reachability: ReachabilityWatch | undefined;

  constructor(options: CallClientOptions) {
    super();
    this.options = options;
    this.queries = new PendingQueries(options.queryTimeoutMs ?? 10_000);
    this.ice = new IceServerSet(
      options.iceServers ?? [],
      () => this.queries.ask('ice_servers', () => this.socket.send({ type: 'ice_servers' }, { queue: false })),
      options.iceRefreshWaitMs,
    );
    this.socket = new SignalingSocket({
      ...options.socket,
      url: options.websocketUrl,
      token: options.token,
      ...(options.createWebSocket ? { createWebSocket: options.createWebSocket } : {}),
      // Replacing the socket while a call rings would cancel it on the server: wait until it is answered or over.
      deferRotation: () => [...this.calls].some((call) => call.state === 'calling' || call.state === 'ringing'),
    });
    const probe = options.probe ?? (options.probeUrl === undefined ? undefined : headProbe(options.probeUrl));
    this.reachability = probe
      ? new ReachabilityWatch({ ...DEFAULT_REACHABILITY, ...options.reachability, probe, onBack: () => this.socket.reconnectNow() })
      : undefined;
    this.socket.on('state', (state) => {
      if (state === 'reconnecting' || state === 'connecting') this.reachability?.start();
      else this.reachability?.stop();
      this.emit('connection', state);
    });
    this.socket.on('open', ({ reason }) => this.socketOpened(reason));
    this.socket.on('message', (message) => this.route(message));
    this.socket.on('error', (error) => this.connectionError(error));
  }

  get connectionState(): ConnectionState {
    return this.socket.state;
  }

  /** The call being placed or talked in (not an incoming call that only rings). */
  get activeCall(): Call | undefined {
    return this.activeMachine();
  }

  /** Incoming calls ringing now. */
  get ringingCalls(): Call[] {
    return [...this.calls].filter((call) => call.direction === 'incoming' && call.state === 'ringing');
  }

  connect(): void {
    if (this.closed) return;
    globalThis.addEventListener?.('online', this.online);
    this.socket.connect();
    // A first connection that fails stays `connecting`, with no state event: watch from the start.
    if (this.socket.state === 'connecting') this.reachability?.start();
  }

  /**
   * Tries to connect now, with the backoff from its start (a "Reconnect now" button); not after
   * `too_many_sockets`, which only `reconnect()` undoes.
   */
  reconnectNow(): void {
    if (this.closed) return;
    this.socket.reconnectNow();
  }

  /**
   * Calls a profile. Returns at once; follow the call's `state` and `ended` events. Throws
   * `CallError` `refused` when a call is already going on. An embedding platform passes the
   * conversation and the call grant its backend minted for this call; a deployment that requires
   * them ends the call with `refused` (server code `forbidden`) without them.
   */
  placeCall(to: ProfileRef & { name?: string }, type: CallType, vouched?: CallVouching): Call {
    if (this.closed) throw new CallError(CallErrorCode.NotConnected, 'The client is closed');
    if (this.activeCall) throw new CallError(CallErrorCode.Refused, 'Already in a call', 'already_in_call');
    const call = new CallMachine({
      direction: 'outgoing',
      type,
      peer: { profileId: to.profile_id, profileType: to.profile_type, name: to.name ?? null, avatar: null },
      negotiator: this.negotiator(type, false),
      transport: this.transport,
      ...(this.options.call ? { timings: this.options.call } : {}),
    });
    this.track(call);
    this.emit('call', call);
    if (!this.socket.isOpen) {
      // Deferred so the caller can subscribe to `ended` first.
      queueMicrotask(() => call.abandon('failed', new CallError(CallErrorCode.NotConnected, 'You are offline')));
    } else {
      const target = { profile_id: to.profile_id, profile_type: to.profile_type };
      void call.start(target, vouched ?? this.options.vouchFor?.(target, type) ?? {});
    }
    return call;
  }

  /** Which of `profiles` have at least one connected socket. */
  async queryPresence(profiles: ProfileRef[]): Promise<PresenceEntry[]> {
    if (profiles.length === 0) return [];
    const answer = await this.queries.ask('presence_query', () =>
      this.socket.send({
        type: 'presence_query',
        profiles: profiles.map(({ profile_id, profile_type }) => ({ profile_id, profile_type })),
      }),
    );
    return answer.profiles;
  }

  /** My calls, newest first. */
  async fetchHistory({ limit = 20, before }: { limit?: number; before?: string } = {}): Promise<CallHistoryPage> {
    const answer = await this.queries.ask('call_history', () =>
      this.socket.send({
        type: 'call_history',
        limit: Math.min(Math.max(1, Math.round(limit)), MAX_HISTORY_LIMIT),
        ...(before ? { before } : {}),
      }),
    );
    return answer.next ? { items: answer.items, next: answer.next } : { items: answer.items };
  }

  /**
   * Connects again after the server closed the connection for `too_many_sockets` (the client does
   * not do that by itself: this tab's socket would close another tab's, which would do the same).
   */
  reconnect(): void {
    if (this.closed) return;
    this.socket.reconnect();
  }

  /** Who can call me and whom I blocked. */
  async callSettings(): Promise<CallSettings> {
    return settingsOf(await this.queries.ask('call_settings', () => this.socket.send({ type: 'call_settings' })));
  }

  /**
   * Changes who can call me, blocks or unblocks profiles; resolves with the settings the server
   * answered with. Never queued: a change the user was told failed must not apply later.
   */
  async updateCallSettings(change: CallSettingsChange): Promise<CallSettings> {
    const answer = await this.queries.ask('call_settings', () => this.socket.send({ type: 'call_settings', ...change }, { queue: false }));
    return settingsOf(answer);
  }

  /** Ends every call (telling the server where it can) and closes the connection for good. */
  close(): void {
    if (this.closed) return;
    for (const call of [...this.calls]) call.hangup();
    this.closed = true;
    globalThis.removeEventListener?.('online', this.online);
    this.reachability?.stop();
    this.queries.rejectAll(new CallError(CallErrorCode.NotConnected, 'The client is closed'));
    // Give the hang-up messages a moment to leave before the socket closes.
    setTimeout(() => this.socket.close(), 200);
  }

  // ---------------------------------------------------------------------------------------------

  private readonly transport = {
    send: (message: ClientMessageInput, options?: { queue?: boolean }) => {
      this.socket.send(message, options);
    },
  };

  /** `polite`: the callee, who yields when both sides renegotiate at once. */
  private negotiator(type: CallType, polite: boolean): Negotiator {
    const display = globalThis.navigator?.mediaDevices;
    const getDisplayMedia =
      this.options.getDisplayMedia ??
      (typeof display?.getDisplayMedia === 'function'
        ? (options: DisplayMediaStreamOptions) => display.getDisplayMedia(options)
        : undefined);
    const createPeerConnection = this.options.createPeerConnection ?? ((configuration) => new RTCPeerConnection(configuration));
    const getUserMedia = this.options.getUserMedia ?? ((constraints) => navigator.mediaDevices.getUserMedia(constraints));
    return new Negotiator({
      callType: type,
      polite,
      ...(getDisplayMedia ? { getDisplayMedia } : {}),
      iceServers: this.ice.servers,
      // The servers current when the connection is made; a refresh still under way when it was made
      // (the callee's side) lands before gathering starts, which waits for the media below.
      createPeerConnection: (configuration) => {
        const pc = createPeerConnection({ ...configuration, iceServers: this.ice.servers });
        const madeWith = this.ice.servers;
        void this.ice.fresh().then((servers) => {
          if (servers !== madeWith && pc.iceGatheringState === 'new' && pc.signalingState !== 'closed') {
            pc.setConfiguration({ ...pc.getConfiguration(), iceServers: servers });
          }
        });
        return pc;
      },
      // Before each call the media open while stale servers are asked for again: gathering starts after both.
      getUserMedia: async (constraints) => (await Promise.all([getUserMedia(constraints), this.ice.fresh()]))[0],
    });
  }

  private activeMachine(): CallMachine | undefined {
    for (const call of this.calls) {
      if (call.state !== 'ended' && (call.direction === 'outgoing' || call.answered)) return call;
    }
    return undefined;
  }

  private track(call: CallMachine): void {
    this.calls.add(call);
    call.on('ended', () => {
      if (call.id) this.unknown.markEnded(call.id);
      if (!call.awaitingId) this.calls.delete(call);
      // A cancelled call waits for its id only so long; the server cancels it on its own anyway.
      else setTimeout(() => this.calls.delete(call), EARLY_MESSAGE_TTL_MS);
    });
  }

  private connectionError(error: CallError): void {
    if (error.code === CallErrorCode.TooManySockets) {
      // The server cancels a call still being placed from a socket that closed. An answered call
      // keeps its media and resumes if the user reconnects within the grace period.
      for (const call of [...this.calls]) {
        if (call.direction === 'outgoing' && !call.answered && call.state !== 'ended') {
          call.abandon('failed', new CallError(CallErrorCode.SignalingLost, 'The connection was closed while calling'));
        }
      }
    }
    this.emit('error', error);
  }

  private socketOpened(reason: OpenReason): void {
    // Re-binding the call comes first: the peer is waiting on it.
    if (reason !== 'first') for (const call of [...this.calls]) call.socketReopened();
    if (reason === 'reconnected') void this.recheckPeers();
    void this.ice.refresh();
    this.emit('connected', { reason });
  }

  /**
   * Whatever the server sent while our socket was down is lost with it, the peer's `call_resumed`
   * or `peer_reconnecting` included: without a second look, a peer who dropped and came back
   * during our own gap would stay "reconnecting" for the rest of the call (or one who dropped
   * during it would not show as away). The server's view of that is presence: a peer who resumed
   * has a socket (clients resume first thing on opening one), a peer with no socket has not.
   * (A peer with another tab open counts as back: presence cannot tell tabs apart.)
   */
  private async recheckPeers(): Promise<void> {
    const asked = [...this.calls].filter((call) => call.answered).map((call) => ({ call, newsCount: call.peerConnectionNewsCount }));
    if (asked.length === 0) return;
    let presence: PresenceEntry[];
    try {
      presence = await this.queryPresence(asked.map(({ call }) => profileRefOf(call.peer)));
    } catch {
      return; // The peer's next message, or our next reconnect, sets it right.
    }
    for (const { call, newsCount } of asked) {
      const entry = presence.find((candidate) => sameProfile(candidate, profileRefOf(call.peer)));
      if (entry) call.peerPresenceLearned(entry.online, newsCount);
    }
  }

  private route(message: ServerMessage): void {
    if (message.type === 'call_settings') {
      // Every settings message is news for the page, whether it answers us or another tab.
      const newest = this.settings.accept(message);
      if (newest) this.emit('callSettings', newest);
    }
    if (this.queries.settle(message)) return;
    switch (message.type) {
      case 'call_settings':
      case 'pong':
      case 'presence':
      case 'call_history':
      case 'ice_servers':
        return;
      case 'error':
        this.routeError(message);
        return;
      case 'call_invitation':
        this.invited(message);
        return;
      case 'call_invite':
        this.invitedByPlatform(message);
        return;
      case 'call_invite_accepted':
        this.inviteAccepted(message);
        return;
      default:
        this.routeCallMessage(message);
    }
  }

  private routeCallMessage(message: CallMessage): void {
    const callId = message.call_id;
    const known = this.callById(callId);
    if (known) {
      known.receive(message);
      return;
    }
    if (this.unknown.isEnded(callId)) return;

    const unnamed = NAMING_MESSAGES.has(message.type) ? [...this.calls].find((call) => call.awaitingId) : undefined;
    if (unnamed) {
      this.name(unnamed, callId);
      unnamed.receive(message);
      return;
    }
    if (message.type === 'call_ended' || message.type === 'call_declined') {
      // The end of a call we have not heard of yet: its invitation, if it still comes, must not ring.
      this.unknown.markEnded(callId);
      return;
    }
    this.unknown.keep(message);
  }

  private routeError(message: ServerMessageOf<'error'>): void {
    const call =
      (message.call_id ? this.callById(message.call_id) : undefined) ??
      (message.request_type === 'call_invitation' ? [...this.calls].find((c) => c.awaitingId && c.state !== 'ended') : undefined);
    if (call) {
      call.receive(message);
      return;
    }
    if (message.code === 'forbidden' && message.request_type === undefined) {
      this.emit('error', new CallError(CallErrorCode.Unauthorized, message.message, message.code));
    }
  }

  private invited(message: ServerMessageOf<'call_invitation'>): void {
    const callId = message.call_id;
    if (this.unknown.isEnded(callId)) return;
    // A call the platform started that we accepted: this is the caller's offer.
    const known = this.callById(callId);
    if (known) {
      known.offered(message.offer);
      return;
    }
    this.ring(message, message.offer);
  }

  /** A call the platform started (seed 000's `call_invite`): it rings like an invitation, without an offer yet. */
  private invitedByPlatform(message: ServerMessageOf<'call_invite'>): void {
    if (this.unknown.isEnded(message.call_id) || this.callById(message.call_id)) return;
    // `from_name` is the seed's `caller_name` when the platform gave a name; without one the seed says
    // "Someone", and the page is better off naming the profile.
    this.ring(message, undefined);
  }

  private ring(message: ServerMessageOf<'call_invitation' | 'call_invite'>, offer: SessionDescription<'offer'> | undefined): void {
    const callId = message.call_id;
    const peer = peerOf(message);
    const active = this.activeMachine();
    if (active && active.direction === 'outgoing' && !active.answered && sameProfile(profileRefOf(active.peer), profileRefOf(peer))) {
      // Glare: we called each other. The server lets only one invitation through, and this is it;
      // ours has been declined, so it gives way to theirs.
      active.abandon('superseded');
    } else if (active || this.ringingCalls.length > 0) {
      this.transport.send({ type: 'call_declined', call_id: callId, reason: 'busy' });
      this.unknown.markEnded(callId);
      return;
    }

    // Asked while it rings, so a stale set is fresh by the time the callee accepts.
    void this.ice.refresh();
    const call = new CallMachine({
      direction: 'incoming',
      type: message.call_type,
      peer,
      id: callId,
      ...(offer ? { offer } : {}),
      ringMs: Date.parse(message.expires_at) - Date.parse(message.sent_at),
      negotiator: this.negotiator(message.call_type, true),
      transport: this.transport,
      ...(this.options.call ? { timings: this.options.call } : {}),
    });
    this.track(call);
    this.deliverEarly(call, callId);
    this.emit('call', call);
    this.emit('incoming', call);
  }

  /**
   * The callee accepted a call the platform started for us: place it from here, with its id (every
   * tab of ours hears this; the server keeps the first offer and tells the others
   * `answered_elsewhere`). A tab already in a call leaves it to the others.
   */
  private inviteAccepted(message: ServerMessageOf<'call_invite_accepted'>): void {
    const callId = message.call_id;
    if (this.unknown.isEnded(callId) || this.callById(callId) || this.activeMachine()) return;
    const call = new CallMachine({
      direction: 'outgoing',
      type: message.call_type,
      peer: peerOf(message),
      id: callId,
      negotiator: this.negotiator(message.call_type, true),
      transport: this.transport,
      ...(this.options.call ? { timings: this.options.call } : {}),
    });
    this.track(call);
    this.emit('call', call);
    this.emit('outgoing', call);
    const conversation = message.conversation_id;
    void call.start(
      { profile_id: message.from_profile_id, profile_type: message.from_profile_type },
      conversation === null ? {} : { conversationId: conversation },
    );
  }

  private name(call: CallMachine, callId: string): void {
    call.adoptId(callId);
    if (call.state === 'ended') {
      this.calls.delete(call);
      this.unknown.markEnded(callId);
      return;
    }
    this.deliverEarly(call, callId);
  }

  private callById(callId: string): CallMachine | undefined {
    for (const call of this.calls) if (call.id === callId) return call;
    return undefined;
  }

  private deliverEarly(call: CallMachine, callId: string): void {
    for (const message of this.unknown.take(callId)) call.receive(message);
  }
}
