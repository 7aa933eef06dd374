/**
 * Sockets per profile are capped, and the newest are kept: a person opening another tab expects it
 * to work. At `$connect`, once the new socket is recorded, the profile's sockets are listed and
 * each beyond the cap, oldest first, is told `too_many_sockets` and closed. Connects that run at
 * once each list the sockets and pick the same oldest ones (ordered by connect time, then id), so
 * they converge; one that finds itself among them (newer sockets connected meanwhile) refuses its
 * own connect, since a socket still connecting cannot be told or closed.
 */
import type { ServerMessage } from '../../shared/protocol';
import type { Delivery, Messenger } from './messenger';
import type { CallStore, LiveSocket, SocketPort } from './model';

export interface SocketCapDeps {
  /** A profile's sockets of one API (the chat API's, or the whiteboard API's as its own store lists them). */
  store: Pick<CallStore, 'socketsOf' | 'deleteSocket'>;
  messenger: Messenger;
  /** Only for closing sockets. */
  sockets: SocketPort;
}

export interface SocketCapOutcome {
  /** Older sockets told and closed (or found gone). */
  closed: Delivery;
  /** The new socket is itself beyond the cap: its connect must be refused (its record is gone). */
  refuseOpened: boolean;
}

const byAge = (a: LiveSocket, b: LiveSocket): number =>
  a.connectedAt < b.connectedAt ? -1 : a.connectedAt > b.connectedAt ? 1 : a.connectionId < b.connectionId ? -1 : 1;

/** The sockets beyond the cap, oldest first: everything but the newest `cap`. */
export function socketsBeyondCap(sockets: readonly LiveSocket[], cap: number): LiveSocket[] {
  const oldestFirst = [...sockets].sort(byAge);
  return oldestFirst.slice(0, Math.max(0, oldestFirst.length - cap));
}

export const TOO_MANY_SOCKETS: ServerMessage = {
  type: 'error',
  code: 'too_many_sockets',
  message: 'This profile opened too many connections; this one was closed. Reconnect only when the person asks to.',
};

/** Enforces the cap after `opened` was recorded. */
export async function capSockets(deps: SocketCapDeps, opened: LiveSocket, cap: number): Promise<SocketCapOutcome> {
  const listed = await deps.store.socketsOf(opened.profileKey);
  // The index is read eventually consistently and may not list the new socket yet; it counts all the same.
  const all = listed.some((socket) => socket.connectionId === opened.connectionId) ? listed : [...listed, opened];
  const beyond = socketsBeyondCap(all, cap);
  const older = beyond.filter((socket) => socket.connectionId !== opened.connectionId);
  const refuseOpened = older.length < beyond.length;

  const closed: Delivery = { reached: [], gone: [] };
  await Promise.all(
    older.map(async ({ connectionId }) => {
      const told = await deps.messenger.warnBeforeClosing(connectionId, TOO_MANY_SOCKETS);
      await deps.sockets.close(connectionId);
      closed.reached.push(...told.reached);
      closed.gone.push(...told.gone);
    }),
  );
  if (refuseOpened) await deps.store.deleteSocket(opened.connectionId);
  return { closed, refuseOpened };
}
