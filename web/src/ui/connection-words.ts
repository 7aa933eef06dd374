/**
 * How the page words a connection problem, one way everywhere: the user's own network being down
 * (the browser says it is offline) reads differently from the call service not answering.
 */
export type ConnectionProblem = 'offline' | 'service';

export function connectionProblem(): ConnectionProblem {
  return navigator.onLine === false ? 'offline' : 'service';
}

/** While the page reconnects by itself. */
export const RECONNECTING_WORDS: Record<ConnectionProblem, string> = {
  offline: "You're offline; check your internet connection",
  service: "Can't reach the call service; retrying…",
};

/** When something cannot be done for want of a connection (placing a call). */
export const NOT_CONNECTED_WORDS: Record<ConnectionProblem, string> = {
  offline: "You're offline. Check your internet connection and try again.",
  service: "Can't reach the call service right now. Try again in a moment.",
};

export const RECONNECT_NOW_LABEL = 'Reconnect now';
