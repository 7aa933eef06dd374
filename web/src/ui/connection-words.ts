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

/** Signing in found nobody to answer (instead of the browser's "Failed to fetch"). */
export const SIGN_IN_UNREACHABLE_WORDS: Record<ConnectionProblem, string> = {
  offline: "You're offline. Check your internet connection, then sign in again.",
  service: "Can't reach the call service. Check that it is running, then sign in again.",
};

/** Signing in got a server error instead of an answer. */
export const signInServerErrorWords = (status: number): string =>
  `The call service couldn't sign you in right now (HTTP ${status}). Try again in a moment.`;

export const RECONNECT_NOW_LABEL = 'Reconnect now';
