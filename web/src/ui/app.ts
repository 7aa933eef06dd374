/**
 * The signed-in page: wires the call client to the views. Views render what they are given; the
 * decisions (which screen, which sound, which toast) are made here, in one place.
 */
import { profileKey, sameProfile, type ProfileRef } from '../../../shared/profile';
import {
  CallClient,
  CallError,
  CallErrorCode,
  profileRefOf,
  type Call,
  type CallEnd,
  type CallEndReason,
  type CallType,
  type ConnectionState,
} from '../client';
import { h } from './dom';
import { KnownNames } from './known-names';
import { devCallGrants } from './dev-call-grant';
import { describeEnd, describeError } from './outcomes';
import { Ringtone } from './ringtone';
import { tokenSource, type AppConfig, type Session } from './session';
import { CallScreen } from './views/call-screen';
import { DialerView, type Presence } from './views/dialer';
import { HeaderView } from './views/header';
import { HistoryView } from './views/history';
import { IncomingView } from './views/incoming';
import { Toasts } from './views/toasts';

/** Ends I caused: the screen closes at once. Others linger a moment so the user sees what happened. */
const LOCAL_ENDS: ReadonlySet<CallEndReason> = new Set(['hangup', 'cancelled', 'declined', 'failed', 'superseded']);
const ENDED_SCREEN_MS = 1_500;
/** The server writes the call log as the call ends; ask a moment later. */
const HISTORY_DELAY_MS = 600;
const PRESENCE_REFRESH_MS = 30_000;
const TITLE = document.title;

export class App {
  private readonly client: CallClient;
  private readonly header: HeaderView;
  private readonly dialer: DialerView;
  private readonly history: HistoryView;
  private readonly incoming: IncomingView;
  private readonly callScreen: CallScreen;
  private readonly toasts = new Toasts();
  private readonly ringtone = new Ringtone();
  private readonly names = new KnownNames();
  private readonly element: HTMLElement;
  private historyItems: Parameters<HistoryView['setItems']>[0] = [];
  private historyNext: string | undefined;
  private presenceTimer: ReturnType<typeof setInterval> | undefined;
  private wasReconnecting = false;

  constructor(
    private readonly root: HTMLElement,
    config: AppConfig,
    private readonly session: Session,
    private readonly onSignedOut: (notice?: string) => void,
  ) {
    const token = tokenSource(session);
    this.client = new CallClient({
      websocketUrl: config.websocketUrl,
      token,
      iceServers: config.iceServers,
      // Locally, calls a conversation-required deployment refuses without a grant get one from the dev endpoint.
      ...(config.callPolicy === 'conversation' && config.devLogin ? { vouchFor: devCallGrants(token) } : {}),
    });
    const me = session.me;
    this.header = new HeaderView(me, () => this.signOut());
    this.dialer = new DialerView({
      profileTypes: [me.profileType],
      onCall: (to, type) => this.placeCall(to, type),
      lookUp: (to) => this.presenceOf(to),
    });
    this.history = new HistoryView({
      me,
      names: this.names,
      onCallBack: (to, type) => this.placeCall(to, type),
      onMore: () => void this.loadHistory(true),
    });
    this.incoming = new IncomingView({ onAccept: (call) => this.accept(call), onDecline: (call) => call.decline() });
    this.callScreen = new CallScreen({ onHangup: (call) => this.hangUp(call) });

    this.element = h(
      'div',
      { class: 'app' },
      this.header.element,
      h('main', { class: 'home' }, h('div', { class: 'home-grid' }, this.dialer.element, this.history.element)),
      this.incoming.element,
      this.callScreen.element,
      this.toasts.element,
    );
  }

  start(): void {
    this.root.replaceChildren(this.element);
    const client = this.client;
    client.on('connection', (state) => this.connectionChanged(state));
    client.on('connected', () => {
      void this.loadHistory(false);
      this.dialer.refresh();
    });
    client.on('incoming', (call) => this.ring(call));
    // A call the platform started for me, accepted by the callee: placed from this page.
    client.on('outgoing', (call) => this.showOutgoing(call));
    client.on('error', (error) => {
      if (error.code === CallErrorCode.Unauthorized) this.signOut(describeError(error).message);
    });
    client.connect();
    this.presenceTimer = setInterval(() => void this.refreshPresence(), PRESENCE_REFRESH_MS);
    // Browsers only play sound after a user gesture; a click anywhere in the page counts.
    document.addEventListener('pointerdown', () => this.ringtone.unlock(), { once: true });
    // Closing the tab mid-call hangs up rather than leaving the peer waiting for a reconnect.
    addEventListener('pagehide', () => this.client.activeCall?.hangup());
  }

  // ---------------------------------------------------------------------------------------------
  // Calls
  // ---------------------------------------------------------------------------------------------

  private placeCall(to: ProfileRef & { name?: string }, type: CallType): void {
    this.ringtone.unlock();
    this.toasts.dismiss('call'); // the last call's outcome is old news
    if (sameProfile(to, profileRefOf(this.session.me))) {
      this.toasts.show("You can't call yourself.", { kind: 'warning', key: 'call', outcome: 'cannot_call_self' });
      return;
    }
    let call: Call;
    const name = to.name ?? this.names.get(to.profile_type, to.profile_id);
    try {
      call = this.client.placeCall(name ? { ...to, name } : to, type);
    } catch (error) {
      const failure = error instanceof CallError ? error : undefined;
      this.toasts.show(describeError(failure).message, { kind: 'error', key: 'call', outcome: failure?.code ?? 'failed' });
      return;
    }
    this.showOutgoing(call);
  }

  private showOutgoing(call: Call): void {
    this.showCall(call);
    call.on('state', (state) => {
      if (state === 'ringing') this.ringtone.play('ringback');
      else if (this.ringtone.tone === 'ringback') this.ringtone.stop();
    });
  }

  private ring(call: Call): void {
    if (this.incoming.current) return;
    this.toasts.dismiss('call');
    this.learnName(call);
    this.incoming.show(call);
    this.ringtone.play('incoming');
    document.title = `Incoming call · ${TITLE}`;
    call.on('ended', (end) => {
      if (this.incoming.current !== call) return;
      this.stopRinging();
      this.report(call, end);
      this.historySoon();
    });
  }

  private accept(call: Call): void {
    this.stopRinging();
    this.showCall(call);
    void call.accept();
  }

  private stopRinging(): void {
    this.incoming.hide();
    this.ringtone.stop();
    document.title = TITLE;
  }

  private showCall(call: Call): void {
    this.learnName(call);
    this.callScreen.attach(call);
    this.callScreen.setOwnConnection(this.client.connectionState);
    this.setInCall(true);
    call.on('ended', (end) => this.callEnded(call, end));
  }

  /** Remembers the peer's name now and whenever the server tells us more (answer, decline). */
  private learnName(call: Call): void {
    const remember = () => this.names.remember(call.peer.profileType, call.peer.profileId, call.peer.name);
    remember();
    call.on('peer', remember);
  }

  /** End always works and always returns to the main view, network or not. */
  private hangUp(call: Call): void {
    try {
      call.hangup();
    } finally {
      if (this.callScreen.current === call) this.closeCallScreen();
    }
  }

  private callEnded(call: Call, end: CallEnd): void {
    if (this.ringtone.tone === 'ringback') this.ringtone.stop();
    this.report(call, end);
    this.historySoon();
    if (this.callScreen.current !== call) return;
    if (LOCAL_ENDS.has(end.reason)) {
      this.closeCallScreen();
      return;
    }
    setTimeout(() => {
      if (this.callScreen.current === call) this.closeCallScreen();
    }, ENDED_SCREEN_MS);
  }

  private closeCallScreen(): void {
    this.callScreen.detach();
    this.setInCall(false);
  }

  private setInCall(inCall: boolean): void {
    this.dialer.setInCall(inCall);
    this.history.setInCall(inCall);
    document.body.classList.toggle('in-call', inCall);
  }

  private report(call: Call, end: CallEnd): void {
    const outcome = describeEnd(call, end);
    if (outcome) this.toasts.show(outcome.message, { kind: outcome.kind, key: 'call', outcome: outcome.outcome });
  }

  // ---------------------------------------------------------------------------------------------
  // Connection, history, presence
  // ---------------------------------------------------------------------------------------------

  private connectionChanged(state: ConnectionState): void {
    this.header.setConnection(state);
    this.callScreen.setOwnConnection(state);
    if (state === 'reconnecting') {
      this.wasReconnecting = true;
      this.toasts.show('Connection lost. Reconnecting…', { kind: 'warning', key: 'connection', sticky: true, outcome: 'reconnecting' });
    } else if (state === 'connected' && this.wasReconnecting) {
      this.wasReconnecting = false;
      this.toasts.show('Back online', { kind: 'success', key: 'connection', outcome: 'reconnected' });
    }
  }

  private async presenceOf(to: ProfileRef): Promise<Presence> {
    if (this.client.connectionState !== 'connected') return 'unknown';
    const [entry] = await this.client.queryPresence([to]);
    return entry ? (entry.online ? 'online' : 'offline') : 'unknown';
  }

  private historySoon(): void {
    setTimeout(() => void this.loadHistory(false), HISTORY_DELAY_MS);
  }

  private async loadHistory(older: boolean): Promise<void> {
    if (this.client.connectionState !== 'connected') return;
    try {
      const page = await this.client.fetchHistory(older && this.historyNext ? { before: this.historyNext } : {});
      this.historyItems = older ? [...this.historyItems, ...page.items] : page.items;
      this.historyNext = page.next;
      this.history.setItems(this.historyItems, this.historyNext !== undefined);
      await this.refreshPresence();
    } catch {
      // History is a convenience: the next call or reconnect tries again.
    }
  }

  private async refreshPresence(): Promise<void> {
    const peers = this.history.peers().slice(0, 100);
    if (peers.length === 0 || this.client.connectionState !== 'connected') return;
    try {
      const entries = await this.client.queryPresence(peers);
      this.history.setOnline(new Set(entries.filter((e) => e.online).map((e) => profileKey(e.profile_type, e.profile_id))));
    } catch {
      // Presence dots are a hint; keep the last ones.
    }
  }

  private signOut(notice?: string): void {
    clearInterval(this.presenceTimer);
    this.ringtone.stop();
    this.client.close();
    this.onSignedOut(notice);
  }
}
