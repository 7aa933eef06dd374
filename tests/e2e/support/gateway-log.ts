/**
 * What the gateway says about sockets and calls, read from its own JSON log lines: which profile
 * each socket belongs to (the `$connect` routing line), how each socket closed (`connection_closed`),
 * and every routing decision about a call. Lets a test count what the server did, not only what a
 * page shows.
 */
import type { IsolatedGateway } from './isolated-gateway';

/** One routing decision (`msg: "routing"`), as the handlers log it. */
export interface RoutingLine {
  route: string;
  call_id: string | null;
  from: string | null;
  to: string | null;
  outcome: string;
  reason: string | null;
  connection_id: string | null;
  time: string;
}

/** A socket the gateway closed or saw close (`msg: "connection_closed"`). */
export interface ClosedSocket {
  connection_id: string;
  disconnect_status_code: number;
  time: string;
}

export class GatewayLog {
  private readonly routingLines: RoutingLine[] = [];
  private readonly closedSockets: ClosedSocket[] = [];
  /** Connection id -> profile key, from each socket's `$connect` line. */
  private readonly socketOwners = new Map<string, string>();
  private readonly unsubscribe: () => void;

  constructor(gateway: IsolatedGateway) {
    this.unsubscribe = gateway.onLogLine((line) => this.read(line));
  }

  /** Every routing decision about `callId`, in the order they were logged. */
  routing(callId: string): RoutingLine[] {
    return this.routingLines.filter((line) => line.call_id === callId);
  }

  /** The id of the newest call whose caller is `callerKey` (from its `ringing` decision). */
  newestCallOf(callerKey: string): string | undefined {
    return this.routingLines.findLast((line) => line.outcome === 'ringing' && line.from === callerKey)?.call_id ?? undefined;
  }

  /** The profile a socket signed in as, or undefined for a socket the log has not seen open. */
  ownerOf(connectionId: string | null): string | undefined {
    return connectionId === null ? undefined : this.socketOwners.get(connectionId);
  }

  /** Sockets of `profileKey` that closed with `code`. */
  closedSocketsOf(profileKey: string, code: number): ClosedSocket[] {
    return this.closedSockets.filter(
      (socket) => socket.disconnect_status_code === code && this.ownerOf(socket.connection_id) === profileKey,
    );
  }

  stop(): void {
    this.unsubscribe();
  }

  private read(text: string): void {
    if (!text.startsWith('{')) return;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    if (entry.msg === 'routing') {
      const line = entry as unknown as RoutingLine;
      this.routingLines.push(line);
      if (line.route === '$connect' && line.outcome === 'connected' && line.connection_id && line.from) {
        this.socketOwners.set(line.connection_id, line.from);
      }
    } else if (entry.msg === 'connection_closed') {
      this.closedSockets.push(entry as unknown as ClosedSocket);
    }
  }
}
