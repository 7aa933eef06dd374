/**
 * The one notice about our own connection outside a call: a toast that says what is wrong in
 * words that tell the user's network from the service, with "Reconnect now", and "Back online"
 * when it is over. In a call the call screen's banner says it instead, so the toast goes away.
 */
import type { ConnectionState } from '../client';
import { connectionProblem, RECONNECT_NOW_LABEL, RECONNECTING_WORDS } from './connection-words';
import type { Toasts } from './views/toasts';

const TOAST_KEY = 'connection';

export class ConnectionNotice {
  private state: ConnectionState = 'connecting';
  private inCall = false;
  private wasReconnecting = false;

  constructor(
    private readonly toasts: Toasts,
    private readonly reconnectNow: () => void,
  ) {}

  /** A change of the connection, of being in a call, or of the browser's online state (no arguments). */
  update(change: { state?: ConnectionState; inCall?: boolean } = {}): void {
    const previous = this.state;
    this.state = change.state ?? this.state;
    this.inCall = change.inCall ?? this.inCall;
    if (this.state === 'reconnecting') {
      this.wasReconnecting = true;
      if (this.inCall) this.toasts.dismiss(TOAST_KEY);
      else this.showReconnecting();
    } else if (this.state === 'connected' && previous !== 'connected' && this.wasReconnecting) {
      this.wasReconnecting = false;
      if (this.inCall) this.toasts.dismiss(TOAST_KEY);
      else this.toasts.show('Back online', { kind: 'success', key: TOAST_KEY, outcome: 'reconnected' });
    }
    // `closed` is the page's to word (signed out, or too many tabs: see App).
  }

  /** The server closed the socket and the user will reconnect (too many tabs): "Back online" follows. */
  expectReconnect(): void {
    this.wasReconnecting = true;
  }

  private showReconnecting(): void {
    const problem = connectionProblem();
    this.toasts.show(RECONNECTING_WORDS[problem], {
      kind: 'warning',
      key: TOAST_KEY,
      sticky: true,
      outcome: problem === 'offline' ? 'offline_network' : 'reconnecting',
      action: {
        label: RECONNECT_NOW_LABEL,
        testId: 'reconnect-now',
        run: () => {
          this.reconnectNow();
          // The action's toast closes on click; the problem is still there until the socket opens.
          if (this.state === 'reconnecting' && !this.inCall) this.showReconnecting();
        },
      },
    });
  }
}
