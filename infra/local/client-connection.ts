/**
 * One open client socket, with API Gateway's limits on it: frames over 32 KB and messages over
 * 128 KB close it with 1009 (nothing of the offending message is routed), and it is closed with
 * 1001 after the idle timeout and after the maximum connection time. Reports its end exactly once.
 */
import type { Duplex } from 'node:stream';
import { isUtf8 } from 'node:buffer';
import type { RawData, WebSocket } from 'ws';
import { MAX_FRAME_BYTES } from '../../shared/limits';
import type { AuthorizerContextValues, ConnectionFacts, DisconnectStatus } from './events';
import { FrameLimitScanner } from './frame-limit';

export interface ConnectionLimits {
  idleTimeoutMs: number;
  maxConnectionMs: number;
}

export interface ConnectionEvents {
  message(connection: ClientConnection, data: Buffer, isBinary: boolean): void;
  closed(connection: ClientConnection, status: DisconnectStatus): void;
}

export const CLOSE_MESSAGE_TOO_BIG = { code: 1009, reason: 'Message too big' } as const;
export const CLOSE_GOING_AWAY = { code: 1001, reason: 'Going away' } as const;
/** What API Gateway reports for a DeleteConnection. */
export const CLOSE_DELETED = { code: 1000, reason: 'Connection Closed Normally' } as const;

/** A peer that never answers our close frame is dropped after this (ws itself would wait 30 s). */
const CLOSE_HANDSHAKE_MS = 2_000;

const CLOSE_CODE_NAMES: Record<number, string> = {
  1000: 'Connection Closed Normally',
  1001: 'Going away',
  1005: 'No status code was present',
  1006: 'Connection was closed abnormally',
};

/** ws refuses malformed input itself; these are the close codes it sends for it. */
const WS_ERROR_CLOSE_CODES: Record<string, number> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: 1009,
  WS_ERR_INVALID_UTF8: 1007,
};

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

export class ClientConnection {
  lastActiveAt: number;
  /** Set when this side started the close: its code and reason become the `$disconnect` status. */
  private serverClose: DisconnectStatus | undefined;
  private ended = false;
  private messagesSeen = 0;
  /** After an oversized frame, how many earlier messages may still be routed. */
  private routableMessages: number | undefined;
  private readonly idleTimer: NodeJS.Timeout;
  private readonly lifetimeTimer: NodeJS.Timeout;
  private closeHandshakeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ws: WebSocket,
    socket: Duplex,
    readonly facts: ConnectionFacts,
    readonly authorizer: AuthorizerContextValues,
    limits: ConnectionLimits,
    private readonly events: ConnectionEvents,
  ) {
    this.lastActiveAt = facts.connectedAt;
    this.idleTimer = setTimeout(() => this.close(CLOSE_GOING_AWAY), limits.idleTimeoutMs);
    this.lifetimeTimer = setTimeout(() => this.close(CLOSE_GOING_AWAY), limits.maxConnectionMs);

    const scanner = new FrameLimitScanner(MAX_FRAME_BYTES);
    // Prepended, so it reads each chunk before ws turns it into messages.
    const scan = (chunk: Buffer): void => {
      const oversized = scanner.push(chunk);
      if (!oversized) return;
      socket.off('data', scan);
      this.routableMessages = oversized.messagesBefore;
      this.close(CLOSE_MESSAGE_TOO_BIG);
    };
    socket.prependListener('data', scan);

    ws.on('message', (data, isBinary) => this.received(toBuffer(data), isBinary));
    ws.on('error', (error: Error & { code?: string }) => {
      const code = (error.code ? WS_ERROR_CLOSE_CODES[error.code] : undefined) ?? 1002;
      this.serverClose ??= { statusCode: code, reason: code === 1009 ? CLOSE_MESSAGE_TOO_BIG.reason : error.message };
    });
    ws.on('close', (code, reason) => this.end(code, reason.toString()));
  }

  get id(): string {
    return this.facts.connectionId;
  }

  /** Open and not being closed: what the management API treats as not gone. */
  get isOpen(): boolean {
    return !this.ended && !this.serverClose && this.ws.readyState === this.ws.OPEN;
  }

  /** Sends one server message; false when the socket is gone. */
  post(payload: Buffer): boolean {
    if (!this.isOpen) return false;
    // Text frames, as API Gateway sends; bytes that are not UTF-8 could only travel as binary.
    this.ws.send(payload, { binary: !isUtf8(payload) });
    this.lastActiveAt = Date.now();
    return true;
  }

  /** Closes from the server side (limits, DeleteConnection, shutdown). */
  close({ code, reason }: { code: number; reason: string }): void {
    if (this.ended || this.serverClose) return;
    this.serverClose = { statusCode: code, reason };
    this.ws.close(code, reason);
    this.closeHandshakeTimer = setTimeout(() => this.ws.terminate(), CLOSE_HANDSHAKE_MS);
  }

  /** Drops the TCP connection at once (shutdown of a peer that did not answer). */
  terminate(): void {
    this.ws.terminate();
  }

  private received(data: Buffer, isBinary: boolean): void {
    this.messagesSeen++;
    const routable = this.routableMessages !== undefined ? this.messagesSeen <= this.routableMessages : !this.serverClose;
    if (!routable || this.ended) return;
    this.lastActiveAt = Date.now();
    this.idleTimer.refresh();
    this.events.message(this, data, isBinary);
  }

  private end(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.lifetimeTimer);
    clearTimeout(this.closeHandshakeTimer);
    const status = this.serverClose ?? { statusCode: code, reason: reason || CLOSE_CODE_NAMES[code] || `Client closed with code ${code}` };
    this.events.closed(this, status);
  }
}
