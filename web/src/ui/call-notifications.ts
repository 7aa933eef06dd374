/**
 * Calls reach a person whose tab is in the background: a system notification for an incoming call
 * (closed once it stops ringing, or when the tab is looked at) and one for a call missed meanwhile.
 * The call still rings in the page. Clicking a notification brings the tab forward.
 *
 * Permission is asked for politely: once per browser, after the person's first action in the page,
 * as an offer they can turn down; the browser's own prompt only follows their "Turn on".
 */
import type { Call } from '../client';
import { displayName } from './format';
import type { Toasts } from './views/toasts';

const ASKED_KEY = 'callsignal.notificationsOffered';
const OFFER_TOAST_KEY = 'notifications';

export interface CallNotificationsProps {
  toasts: Toasts;
  /** Whether now is a good moment for the offer (not while a call is on the screen). */
  mayOffer: () => boolean;
}

const supported = (): boolean => typeof Notification !== 'undefined';

export class CallNotifications {
  private ringing: { call: Call; notification: Notification | undefined } | undefined;

  constructor(private readonly props: CallNotificationsProps) {
    document.addEventListener('visibilitychange', () => this.visibilityChanged());
  }

  /**
   * Offers notifications after the first action (a click, or a key that presses a button) that
   * leaves the person at a good moment: not one that placed or answered a call.
   */
  offerAfterFirstAction(): void {
    if (!supported() || Notification.permission !== 'default' || this.offered()) return;
    const onAction = () => {
      // Looked at once the action has had its effect.
      setTimeout(() => {
        if (!this.props.mayOffer()) return;
        document.removeEventListener('click', onAction, true);
        this.offer();
      }, 0);
    };
    document.addEventListener('click', onAction, true);
  }

  /** A call rings here: notify now if the tab is hidden, or as soon as it is hidden while it rings. */
  incoming(call: Call): void {
    this.closeRinging();
    this.ringing = { call, notification: undefined };
    if (document.visibilityState === 'hidden') this.notifyRinging();
    const stop = () => {
      if (this.ringing?.call === call) this.closeRinging();
    };
    call.on('state', (state) => {
      if (state !== 'ringing') stop();
    });
  }

  /** An incoming call ended unanswered (rang out, or the caller gave up). */
  missed(call: Call): void {
    if (document.visibilityState !== 'hidden') return;
    this.notify(`Missed ${call.type} call`, { body: `From ${this.nameOf(call)}`, tag: `callsignal-missed-${call.id ?? ''}` });
  }

  /**
   * A call takes the screen: an offer still showing would cover it, so it goes, and comes back
   * after a later action (the person never answered it).
   */
  withdrawOffer(): void {
    if (!this.props.toasts.isShowing(OFFER_TOAST_KEY)) return;
    this.props.toasts.dismiss(OFFER_TOAST_KEY);
    try {
      localStorage.removeItem(ASKED_KEY);
    } catch {
      return;
    }
    this.offerAfterFirstAction();
  }

  private offered(): boolean {
    try {
      return localStorage.getItem(ASKED_KEY) !== null;
    } catch {
      return true; // no storage: never pester on every visit
    }
  }

  private offer(): void {
    if (Notification.permission !== 'default' || this.offered()) return;
    try {
      localStorage.setItem(ASKED_KEY, new Date().toISOString());
    } catch {
      // Offered this once anyway.
    }
    this.props.toasts.show('Get a notification when someone calls while this tab is in the background?', {
      kind: 'info',
      key: OFFER_TOAST_KEY,
      sticky: true,
      outcome: 'notifications_offer',
      action: { label: 'Turn on', testId: 'notifications-turn-on', run: () => void Notification.requestPermission() },
    });
  }

  private visibilityChanged(): void {
    if (!this.ringing) return;
    if (document.visibilityState === 'hidden') this.notifyRinging();
    else {
      this.ringing.notification?.close(); // the page shows the call itself
      this.ringing.notification = undefined;
    }
  }

  private notifyRinging(): void {
    const ringing = this.ringing;
    if (!ringing || ringing.notification || ringing.call.state !== 'ringing') return;
    const { call } = ringing;
    ringing.notification = this.notify(`Incoming ${call.type} call`, {
      body: `${this.nameOf(call)} is calling`,
      tag: `callsignal-call-${call.id ?? ''}`,
      requireInteraction: true,
    });
  }

  private closeRinging(): void {
    this.ringing?.notification?.close();
    this.ringing = undefined;
  }

  private notify(title: string, options: NotificationOptions): Notification | undefined {
    if (!supported() || Notification.permission !== 'granted') return undefined;
    try {
      const notification = new Notification(title, options);
      notification.addEventListener('click', () => {
        window.focus();
        notification.close();
      });
      return notification;
    } catch {
      // Some browsers allow notifications only from a service worker: the page still rings.
      return undefined;
    }
  }

  private nameOf(call: Call): string {
    return displayName(call.peer.name, call.peer.profileType, call.peer.profileId);
  }
}
