/**
 * The call screen, loaded apart from the page's first script: with its chat, device settings,
 * sharing and quality views it is the largest part of the page, and no call is on screen when the
 * page opens. A call shown before it is in is shown once it arrives.
 */
import type { Call, ConnectionState } from '../client';
import { DeferredView } from './deferred-view';
import type { CallScreen, CallScreenProps } from './views/call-screen';

export class DeferredCallScreen {
  private readonly deferred: DeferredView<CallScreen>;
  /** The call to show once the screen is in. */
  private waiting: Call | undefined;
  private ownConnection: ConnectionState = 'connected';

  constructor(props: CallScreenProps) {
    this.deferred = new DeferredView(
      async () => new (await import('./views/call-screen')).CallScreen(props),
      (screen) => {
        screen.setOwnConnection(this.ownConnection);
        if (this.waiting) screen.attach(this.waiting);
        this.waiting = undefined;
      },
    );
  }

  get element(): HTMLElement {
    return this.deferred.element;
  }

  get current(): Call | undefined {
    return this.deferred.loaded ? this.deferred.loaded.current : this.waiting;
  }

  attach(call: Call): void {
    const screen = this.deferred.loaded;
    if (screen) {
      screen.attach(call);
      return;
    }
    this.waiting = call;
    this.deferred.load();
  }

  setOwnConnection(state: ConnectionState): void {
    this.ownConnection = state;
    this.deferred.loaded?.setOwnConnection(state);
  }

  detach(): void {
    this.waiting = undefined;
    this.deferred.loaded?.detach();
  }
}
