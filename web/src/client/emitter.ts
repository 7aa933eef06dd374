/**
 * A minimal typed event emitter. `Events` maps each event name to its payload type, so a listener
 * gets the payload it expects and a typo in an event name is a compile error.
 */
export type Listener<T> = (payload: T) => void;
export type Unsubscribe = () => void;

/** The listening half of an emitter: what a subscriber may do. */
export interface Subscribable<Events extends object> {
  /** Adds a listener; the returned function removes it again. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): Unsubscribe;
  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void;
}

export class Emitter<Events extends object> implements Subscribable<Events> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  /** Adds a listener; the returned function removes it again. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): Unsubscribe {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    this.listeners.get(event)?.delete(listener as Listener<never>);
  }

  protected emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<Events[K]>)(payload);
      } catch (error) {
        // A broken listener must not stop the others, nor the state machine that emitted.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  protected removeAllListeners(): void {
    this.listeners.clear();
  }
}
