/**
 * The signed-in page: wires the call client to the views. Views render what they are given; the
 * decisions (which screen, which sound, which toast) are made here, in one place.
 */
import { CLIENT_CONFIG_FILE } from '../../../shared/client-config';
import { profileKey, sameProfile, type ProfileRef } from '../../../shared/profile';
import {
  CallClient,
  CallError,
  CallErrorCode,
  profileRefOf,
  type Call,
  type CallEnd,
  type CallEndReason,
  type CallSettings,
  type CallSettingsChange,
  type CallType,
  type ConnectionState,
} from '../client';
import { h } from './dom';
import { displayName } from './format';
import { KnownNames } from './known-names';
import { MissedCalls, watchHistoryViewed } from './missed-calls';
import { devCallGrants } from './dev-call-grant';
import { CallNotifications } from './call-notifications';
import { ConnectionNotice } from './connection-notice';
import { describeConnectionError, describeEnd, describeError, describeSettingsError } from './outcomes';
import { DeferredCallScreen } from './deferred-call-screen';
import { DeferredSettingsPanel } from './deferred-settings-panel';
import { Ringtone } from './ringtone';
import { tokenSource, type AppConfig, type Session } from './session';
import { ConfirmDialog } from './views/confirm-dialog';
import { DialerView, type Presence } from './views/dialer';
import { HeaderView } from './views/header';
import { HistoryView } from './views/history';
import { IncomingView } from './views/incoming';
import { Toasts } from './views/toasts';
import { withPreferredDevices } from '../client/device-choice';
import { pageDevicePreferences } from '../client/device-preferences';

/** Ends I caused: the screen closes at once. Others linger a moment so the user sees what happened. */
const LOCAL_ENDS: ReadonlySet<CallEndReason> = new Set(['hangup', 'cancelled', 'declined', 'failed', 'superseded']);
/** An incoming call that ended before anyone here answered: a missed call, with a way to call back. */
const MISSED_ENDS: ReadonlySet<CallEndReason> = new Set(['missed', 'peer_cancelled']);
const ENDED_SCREEN_MS = 1_500;
/** The server writes the call log as the call ends; ask a moment later. */
const HISTORY_DELAY_MS = 600;
const PRESENCE_REFRESH_MS = 30_000;
const TITLE = document.title;

/** A profile to block or unblock, with its name when we know it. */
type NamedProfile = ProfileRef & { name?: string };

export class App {
  private readonly client: CallClient;
  private readonly header: HeaderView;
  private readonly dialer: DialerView;
  private readonly history: HistoryView;
  private readonly incoming: IncomingView;
  private readonly callScreen: DeferredCallScreen;
  private readonly settingsPanel: DeferredSettingsPanel;
  private readonly confirmDialog = new ConfirmDialog();
  private readonly toasts = new Toasts();
  private readonly ringtone = new Ringtone();
  private readonly names = new KnownNames();
  private readonly missedCalls: MissedCalls;
  private stopWatchingHistory: (() => void) | undefined;
  private readonly element: HTMLElement;
  private historyItems: Parameters<HistoryView['setItems']>[0] = [];
  private historyNext: string | undefined;
  private presenceTimer: ReturnType<typeof setInterval> | undefined;
  private readonly connectionNotice: ConnectionNotice;
  private readonly notifications: CallNotifications;
  /** The server closed our socket because this profile has too many; only the user reconnects. */
  private disconnectedForTooManySockets = false;

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
      // Calls open the microphone and camera picked last (see views/device-settings.ts).
      getUserMedia: withPreferredDevices(
        (constraints) => navigator.mediaDevices.getUserMedia(constraints),
        () => navigator.mediaDevices.enumerateDevices(),
        pageDevicePreferences(),
      ),
      // The page's own origin answering again is the cue to reconnect at once (see ReachabilityWatch).
      probeUrl: CLIENT_CONFIG_FILE,
      // Locally, calls a conversation-required deployment refuses without a grant get one from the dev endpoint.
      ...(config.callPolicy === 'conversation' && config.devLogin ? { vouchFor: devCallGrants(token) } : {}),
    });
    const me = session.me;
    this.header = new HeaderView(
      me,
      () => this.signOut(),
      () => this.settingsPanel.open(this.header.settingsButton),
    );
    this.settingsPanel = new DeferredSettingsPanel({
      onOpen: () => void this.loadSettings(),
      onWhoCanCall: (who_can_call) => this.changeSettings({ who_can_call }),
      onUnblock: ({ profile_id, profile_type }) => this.changeSettings({ unblock: [{ profile_id, profile_type }] }),
    });
    this.dialer = new DialerView({
      profileTypes: [me.profileType],
      onCall: (to, type) => this.placeCall(to, type),
      lookUp: (to) => this.presenceOf(to),
      nameOf: (to) => this.names.get(to.profile_type, to.profile_id),
    });
    this.history = new HistoryView({
      me,
      names: this.names,
      onCallBack: (to, type) => this.placeCall(to, type),
      onBlock: (profile, button) => this.confirmBlock(profile, button),
      onUnblock: (profile) => void this.unblock(profile),
      onMore: () => void this.loadHistory(true),
    });
    this.missedCalls = new MissedCalls(me, (unseen) => this.history.setMissedCount(unseen));
    this.incoming = new IncomingView({
      onAccept: (call) => this.accept(call),
      onDecline: (call) => call.decline(),
      onBlock: (call) => this.declineAndBlock(call),
    });
    this.callScreen = new DeferredCallScreen({ onHangup: (call) => this.hangUp(call), onReconnectNow: () => this.client.reconnectNow() });
    this.connectionNotice = new ConnectionNotice(this.toasts, () => this.client.reconnectNow());
    this.notifications = new CallNotifications({
      toasts: this.toasts,
      mayOffer: () => !this.callScreen.current && !this.incoming.current,
    });

    this.element = h(
      'div',
      { class: 'app' },
      this.header.element,
      h(
        'main',
        { class: 'home' },
        // The page's title for screen readers; on screen, the two cards say what they are.
        h('h1', { class: 'visually-hidden' }, 'Your calls'),
        h('div', { class: 'home-grid' }, this.dialer.element, this.history.element),
      ),
      this.incoming.element,
      this.callScreen.element,
      this.settingsPanel.element,
      this.confirmDialog.element,
      this.toasts.element,
    );
  }

  start(): void {
    this.root.replaceChildren(this.element);
    const client = this.client;
    client.on('connection', (state) => this.connectionChanged(state));
    client.on('connected', () => {
      this.disconnectedForTooManySockets = false;
      void this.loadHistory(false);
      void this.loadSettings();
      this.dialer.refresh();
    });
    client.on('incoming', (call) => this.ring(call));
    // A call the platform started for me, accepted by the callee: placed from this page.
    client.on('outgoing', (call) => this.showOutgoing(call));
    client.on('callSettings', (settings) => this.settingsChanged(settings));
    client.on('error', (error) => {
      if (error.code === CallErrorCode.Unauthorized) this.signOut(describeConnectionError(error.code).message);
      else if (error.code === CallErrorCode.TooManySockets) this.disconnectedByServer();
    });
    client.connect();
    this.stopWatchingHistory = watchHistoryViewed(
      () => this.historyInFront(),
      () => this.missedCalls.markSeen(),
    );
    this.presenceTimer = setInterval(() => void this.refreshPresence(), PRESENCE_REFRESH_MS);
    // Browsers only play sound after a user gesture; a click anywhere in the page counts.
    document.addEventListener('pointerdown', () => this.ringtone.unlock(), { once: true });
    this.notifications.offerAfterFirstAction();
    // Closing the tab mid-call hangs up rather than leaving the peer waiting for a reconnect.
    addEventListener('pagehide', () => this.client.activeCall?.hangup());
    // Whether the browser is online decides the words of a connection problem.
    for (const event of ['online', 'offline']) addEventListener(event, () => this.networkChanged());
  }

  // ---------------------------------------------------------------------------------------------
  // Calls
  // ---------------------------------------------------------------------------------------------

  private placeCall(to: ProfileRef & { name?: string }, type: CallType): void {
    this.ringtone.unlock();
    this.toasts.dismiss('call'); // the last call's outcome is old news
    if (this.disconnectedForTooManySockets) {
      this.showTooManySockets();
      return;
    }
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
      const who = displayName(name, to.profile_type, to.profile_id);
      this.toasts.show(describeError(failure, who).message, { kind: 'error', key: 'call', outcome: failure?.code ?? 'failed' });
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
    this.closeDialogs();
    this.notifications.withdrawOffer();
    this.toasts.dismiss('call');
    this.learnName(call);
    this.incoming.show(call);
    this.ringtone.play('incoming');
    document.title = `Incoming call · ${TITLE}`;
    this.notifications.incoming(call);
    call.on('ended', (end) => {
      if (this.incoming.current !== call) return;
      if (end.reason === 'missed' || end.reason === 'peer_cancelled') this.notifications.missed(call);
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
    this.closeDialogs();
    this.notifications.withdrawOffer();
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
    // The dial buttons first: the focus goes back to the one that placed the call, which must be enabled again.
    this.setInCall(false);
    this.callScreen.detach();
  }

  private setInCall(inCall: boolean): void {
    this.dialer.setInCall(inCall);
    this.history.setInCall(inCall);
    document.body.classList.toggle('in-call', inCall);
    this.connectionNotice.update({ inCall });
  }

  private report(call: Call, end: CallEnd): void {
    const outcome = describeEnd(call, end);
    if (!outcome) return;
    if (call.direction === 'incoming' && MISSED_ENDS.has(end.reason)) {
      // A missed call waits to be seen, and offers the obvious next step.
      const name = call.peer.name ?? this.names.get(call.peer.profileType, call.peer.profileId);
      const to = { ...profileRefOf(call.peer), ...(name ? { name } : {}) };
      this.toasts.show(outcome.message, {
        kind: outcome.kind,
        key: 'call',
        outcome: outcome.outcome,
        sticky: true,
        action: { label: 'Call back', testId: 'toast-call-back', run: () => this.placeCall(to, call.type) },
      });
      return;
    }
    this.toasts.show(outcome.message, { kind: outcome.kind, key: 'call', outcome: outcome.outcome });
  }

  /** The history is in front of the person: on screen, and no call, question or panel over it. */
  private historyInFront(): boolean {
    return (
      !this.callScreen.current &&
      !this.incoming.current &&
      !this.settingsPanel.isOpen &&
      !this.confirmDialog.element.open &&
      this.history.isOnScreen()
    );
  }

  /** The settings and the question are modal: they would cover a call's screen and keep it from the keyboard. */
  private closeDialogs(): void {
    this.settingsPanel.close();
    this.confirmDialog.close();
  }

  // ---------------------------------------------------------------------------------------------
  // Who can call me, blocks
  // ---------------------------------------------------------------------------------------------

  private settingsChanged(settings: CallSettings): void {
    for (const profile of settings.blocked) this.names.remember(profile.profile_type, profile.profile_id, profile.name);
    this.settingsPanel.setSettings(settings);
    this.history.setBlocked(new Set(settings.blocked.map((profile) => profileKey(profile.profile_type, profile.profile_id))));
  }

  private async loadSettings(): Promise<void> {
    if (this.client.connectionState !== 'connected') {
      if (this.settingsPanel.isOpen) this.settingsPanel.setLoadFailed();
      return;
    }
    try {
      await this.client.callSettings(); // the answer arrives as a `callSettings` event too
    } catch {
      this.settingsPanel.setLoadFailed();
    }
  }

  /** A change from the settings panel: rejects with the reason in plain words. */
  private async changeSettings(change: CallSettingsChange): Promise<void> {
    try {
      await this.client.updateCallSettings(change);
    } catch (error) {
      throw new Error(describeSettingsError(error));
    }
  }

  /** "Decline and block" on the incoming screen: the block goes first, so a call back at once is refused. */
  private declineAndBlock(call: Call): void {
    const name = call.peer.name ?? this.names.get(call.peer.profileType, call.peer.profileId);
    void this.block({ ...profileRefOf(call.peer), ...(name ? { name } : {}) }, 'call');
    call.decline();
  }

  private confirmBlock(profile: NamedProfile, button: HTMLElement): void {
    const who = displayName(profile.name, profile.profile_type, profile.profile_id);
    this.confirmDialog.ask(
      {
        title: `Block ${who}?`,
        body: `${who} won't be able to call you. They won't be told. You can unblock them in Call settings.`,
        confirmLabel: 'Block',
        onConfirm: () => void this.block(profile, 'settings'),
      },
      button,
    );
  }

  private async block(profile: NamedProfile, toastKey: string): Promise<void> {
    const who = displayName(profile.name, profile.profile_type, profile.profile_id);
    try {
      await this.client.updateCallSettings({ block: [profile] });
      this.toasts.show(`You blocked ${who}. Their calls won't reach you; you can unblock them in Call settings.`, {
        kind: 'success',
        key: toastKey,
        outcome: 'blocked',
      });
    } catch (error) {
      this.toasts.show(`Couldn't block ${who}. ${describeSettingsError(error)}`, { kind: 'error', key: toastKey, outcome: 'block_failed' });
    }
  }

  private async unblock(profile: NamedProfile): Promise<void> {
    const who = displayName(profile.name, profile.profile_type, profile.profile_id);
    try {
      await this.client.updateCallSettings({ unblock: [{ profile_id: profile.profile_id, profile_type: profile.profile_type }] });
      this.toasts.show(`${who} can call you again.`, { kind: 'success', key: 'settings', outcome: 'unblocked' });
    } catch (error) {
      this.toasts.show(`Couldn't unblock ${who}. ${describeSettingsError(error)}`, {
        kind: 'error',
        key: 'settings',
        outcome: 'unblock_failed',
      });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Connection, history, presence
  // ---------------------------------------------------------------------------------------------

  /** Reconnecting by itself would close another tab of ours, which would do the same: the user decides. */
  private disconnectedByServer(): void {
    this.disconnectedForTooManySockets = true;
    this.connectionNotice.expectReconnect(); // "Back online" once the user reconnects
    this.showTooManySockets();
  }

  private showTooManySockets(): void {
    const { message, kind } = describeConnectionError(CallErrorCode.TooManySockets);
    this.toasts.show(message, {
      kind,
      key: 'connection',
      sticky: true,
      outcome: CallErrorCode.TooManySockets,
      action: { label: 'Reconnect', testId: 'reconnect', run: () => this.client.reconnect() },
    });
  }

  private connectionChanged(state: ConnectionState): void {
    this.header.setConnection(state);
    this.callScreen.setOwnConnection(state);
    this.connectionNotice.update({ state });
  }

  private networkChanged(): void {
    this.callScreen.setOwnConnection(this.client.connectionState);
    this.connectionNotice.update();
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
      this.missedCalls.update(this.history.missedCalls());
      this.dialer.refreshName(); // the history may have named the profile being dialled
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
    this.stopWatchingHistory?.();
    this.missedCalls.dispose();
    this.ringtone.stop();
    this.client.close();
    this.onSignedOut(notice);
  }
}
