/**
 * The signaling connection: one WebSocket at a time to the gateway, kept alive for as long as the
 * client wants it. It reconnects with backoff whenever the socket closes, pings under the
 * 10-minute idle limit (and treats a missing pong as a dead socket), replaces itself before the
 * 2-hour cap (the new socket opens before the old one closes), and queues outgoing messages while
 * no socket is open. A socket closed because its token expired reconnects with a fresh token from
 * the token source, or stops with `unauthorized` when the source has only the expired one. A
 * socket the server closed because the profile has too many stays closed (`too_many_sockets`)
 * until the owner calls `reconnect()`. It knows nothing about calls: it emits `open` after every
 * (re)connection so the owner can re-bind what it had.
 *
 * `MessageSocket` is that connection for any of the service's WebSocket APIs, given how to read its
 * frames and how to keep it alive (`SocketProtocol`); `SignalingSocket` is the chat API's.
 */
import * as v from 'valibot';
import { CLIENT_FEATURES, FEATURES_QUERY_PARAMETER, featuresQueryValue } from '../../../shared/connect-features';
import { MAX_CONNECTION_SECONDS, MAX_FRAME_BYTES, PING_INTERVAL_SECONDS } from '../../../shared/limits';
import { parseServerMessage, type ClientMessageInput, type ServerMessage } from '../../../shared/protocol';
import { TOKEN_QUERY_PARAMETER } from '../../../shared/connect-token';
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { Emitter } from './emitter';
import { CallError, CallErrorCode } from './errors';
import { isTokenExpired } from './token';

/** `connecting` until the first socket opens, `reconnecting` whenever it is lost after that. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Why a socket just opened. */
export type OpenReason = 'first' | 'reconnected' | 'rotated';

/** The part of the browser's WebSocket this class uses (the `ws` package fits it too). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export type WebSocketFactory = (url: string) => WebSocketLike;
export type TokenSource = string | (() => string | Promise<string>);

export interface SignalingSocketOptions {
  /** The gateway's WebSocket URL, without the token. */
  url: string;
  /** The sign-in token, or a function asked for a current one before every connection attempt. */
  token: TokenSource;
  createWebSocket: WebSocketFactory;
  /** How often to ping; the gateway closes sockets idle for 10 minutes. */
  pingIntervalMs: number;
  /** A ping unanswered this long means the socket is dead even if the browser has not noticed. */
  pongTimeoutMs: number;
  /** When to replace a socket; the gateway closes every socket after 2 hours. */
  maxConnectionMs: number;
  /** A socket that has not opened by then is abandoned and retried. */
  connectTimeoutMs: number;
  /** After a replacement opens, the old socket stays open this long for messages still in flight. */
  handoverMs: number;
  /** A connection that lived at least this long resets the backoff when it closes. */
  stableAfterMs: number;
  /** Messages kept while closed; the oldest are dropped beyond it. */
  maxQueued: number;
  backoff: BackoffOptions;
  /** Asked when the socket is due for replacement; while it returns true, the replacement waits. */
  deferRotation: () => boolean;
}

export const DEFAULT_SOCKET_OPTIONS: Omit<SignalingSocketOptions, 'url' | 'token' | 'createWebSocket'> = {
  pingIntervalMs: PING_INTERVAL_SECONDS * 1000,
  pongTimeoutMs: 15_000,
  // Five minutes of margin, spread a little so that tabs opened together do not rotate together.
  maxConnectionMs: (MAX_CONNECTION_SECONDS - 5 * 60) * 1000 - Math.round(Math.random() * 60_000),
  connectTimeoutMs: 10_000,
  handoverMs: 5_000,
  stableAfterMs: 10_000,
  maxQueued: 200,
  backoff: DEFAULT_BACKOFF,
  deferRotation: () => false,
};

/** How long a deferred replacement waits before asking again. */
const ROTATION_RETRY_MS = 10_000;

/**
 * The server's notice, just before it closes a socket, that the profile opened more sockets than
 * it allows. Matched by its code on the raw frame, so it is recognized whether or not this build's
 * list of error codes has it yet.
 */
const TooManySocketsNoticeSchema = v.object({ type: v.literal('error'), code: v.literal('too_many_sockets') });

function isTooManySocketsNotice(frame: string): boolean {
  try {
    return v.is(TooManySocketsNoticeSchema, JSON.parse(frame));
  } catch {
    return false;
  }
}

export interface MessageSocketEvents<In> {
  state: ConnectionState;
  /** A socket opened; listeners may send before the queue is flushed (for example `call_resume`). */
  open: { reason: OpenReason };
  message: In;
  /** Problems that stop the connection (an expired token) or a message (too large). */
  error: CallError;
}

export type SignalingSocketEvents = MessageSocketEvents<ServerMessage>;

/** What a socket needs to know of the API it speaks. */
export interface SocketProtocol<In, Out> {
  /** A server frame, or undefined for one to ignore. */
  parse(frame: string): In | undefined;
  /** Sent every `pingIntervalMs`; a message for which `answersPing` holds must follow within `pongTimeoutMs`. */
  ping(): Out;
  answersPing(message: In): boolean;
  /** The server's notice that the token this socket connected with has expired (it closes the socket next). */
  isTokenExpired(message: In): boolean;
  /** Messages to drop when they arrive on a socket that is being replaced. */
  ignoredWhileReplaced(message: In): boolean;
}

const CHAT_PROTOCOL: SocketProtocol<ServerMessage, ClientMessageInput> = {
  parse: parseServerMessage,
  ping: () => ({ type: 'ping', ts: Date.now() }),
  answersPing: (message) => message.type === 'pong',
  isTokenExpired: (message) => message.type === 'error' && message.code === 'token_expired',
  // On the socket being replaced, this is our own replacement's `call_resume` moving the call.
  ignoredWhileReplaced: (message) => message.type === 'call_ended' && message.reason === 'resumed_elsewhere',
};

/** One WebSocket and the timers that belong to it. */
interface Connection {
  ws: WebSocketLike;
  /** The token it connected with. */
  token: string;
  opened: boolean;
  finished: boolean;
  /** The server said it closes this socket because the profile has too many. */
  evicted: boolean;
  openedAt: number;
  timers: ReturnType<typeof setTimeout>[];
  pingTimer?: ReturnType<typeof setTimeout>;
  /** When this client last sent a frame, and last heard one: a ping is due once either is `pingIntervalMs` old. */
  lastSentAt: number;
  lastHeardAt: number;
  pongDeadline?: ReturnType<typeof setTimeout>;
}

const encoder = new TextEncoder();
const OPEN = 1;

export class MessageSocket<In extends { type: string }, Out extends { type: string }> extends Emitter<MessageSocketEvents<In>> {
  private readonly options: SignalingSocketOptions;
  private readonly backoff: Backoff;
  private current: Connection | undefined;
  /** A replacement socket opening while `current` still serves (the 2-hour rotation). */
  private replacement: Connection | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private queue: string[] = [];
  private stateValue: ConnectionState = 'connecting';
  private started = false;
  private stopped = false;
  private everOpened = false;
  /** Closed by the server for too many sockets: no reconnect until `reconnect()`. */
  private held = false;
  /** A token the server said has expired (`error` `token_expired`); connecting with it again is pointless. */
  private expiredToken: string | undefined;

  constructor(
    options: Pick<SignalingSocketOptions, 'url' | 'token'> & Partial<SignalingSocketOptions>,
    private readonly protocol: SocketProtocol<In, Out>,
  ) {
    super();
    this.options = {
      ...DEFAULT_SOCKET_OPTIONS,
      createWebSocket: (url) => new WebSocket(url),
      ...options,
    };
    this.backoff = new Backoff(this.options.backoff);
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  get isOpen(): boolean {
    return this.current?.opened === true && this.current.ws.readyState === OPEN;
  }

  /** Messages waiting for a socket. */
  get queued(): number {
    return this.queue.length;
  }

  connect(): void {
    if (this.started) return;
    this.started = true;
    void this.open('first');
  }

  /**
   * Sends a message now, or queues it until a socket opens. With `queue: false` a closed
   * connection is an error instead (for messages that are wrong to deliver late).
   * @returns true when it went out now
   */
  send(message: Out, { queue = true }: { queue?: boolean } = {}): boolean {
    const frame = JSON.stringify(message);
    if (encoder.encode(frame).length > MAX_FRAME_BYTES) {
      throw new CallError(CallErrorCode.MessageTooLarge, `A ${message.type} message would exceed ${MAX_FRAME_BYTES} bytes`);
    }
    if (this.isOpen && this.current) {
      this.current.ws.send(frame);
      this.sentOn(this.current);
      return true;
    }
    if (!queue || this.stopped) {
      throw new CallError(CallErrorCode.NotConnected, 'Not connected to the call service');
    }
    this.queue.push(frame);
    if (this.queue.length > this.options.maxQueued) this.queue.shift();
    return false;
  }

  /** Retries at once (for example when the browser reports it is online again); not after `too_many_sockets`. */
  reconnectNow(): void {
    if (this.stopped || this.held || !this.started || this.current) return;
    clearTimeout(this.retryTimer);
    this.backoff.reset();
    void this.open(this.everOpened ? 'reconnected' : 'first');
  }

  /**
   * Connects again after the server closed the socket for too many sockets: the user's choice,
   * since this tab's socket will in turn close another one.
   */
  reconnect(): void {
    if (this.stopped || !this.held) return;
    this.held = false;
    this.backoff.reset();
    this.setState('reconnecting');
    void this.open('reconnected');
  }

  /** Replaces the socket with a new one, opening the new one before closing the old. */
  rotate(): void {
    if (this.stopped || !this.current?.opened || this.replacement) return;
    if (this.options.deferRotation()) {
      this.current.timers.push(setTimeout(() => this.rotate(), ROTATION_RETRY_MS));
      return;
    }
    void this.open('rotated');
  }

  /** Closes for good: no reconnect, queued messages are dropped. */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.queue = [];
    for (const connection of [this.current, this.replacement]) {
      if (connection) this.finish(connection, 1000, 'client closed');
    }
    this.current = undefined;
    this.replacement = undefined;
    this.setState('closed');
  }

  // ---------------------------------------------------------------------------------------------

  private async open(reason: OpenReason): Promise<void> {
    let token: string;
    try {
      const source = this.options.token;
      token = typeof source === 'string' ? source : await source();
    } catch (error) {
      this.fail(new CallError(CallErrorCode.Unauthorized, 'No sign-in token is available', undefined, { cause: error }));
      return;
    }
    if (this.stopped) return;
    if (token === this.expiredToken || isTokenExpired(token)) {
      // Retrying with a token that can only be refused would loop forever.
      this.fail(new CallError(CallErrorCode.Unauthorized, 'The sign-in token has expired'));
      return;
    }

    const separator = this.options.url.includes('?') ? '&' : '?';
    const ws = this.options.createWebSocket(
      `${this.options.url}${separator}${TOKEN_QUERY_PARAMETER}=${encodeURIComponent(token)}&${FEATURES_QUERY_PARAMETER}=${featuresQueryValue(CLIENT_FEATURES)}`,
    );
    const connection: Connection = {
      ws,
      token,
      opened: false,
      finished: false,
      evicted: false,
      openedAt: 0,
      lastSentAt: 0,
      lastHeardAt: 0,
      timers: [],
    };
    if (reason === 'rotated') this.replacement = connection;
    else this.current = connection;

    connection.timers.push(
      setTimeout(() => {
        if (!connection.opened) this.lost(connection);
      }, this.options.connectTimeoutMs),
    );
    ws.addEventListener('open', () => this.opened(connection, reason));
    ws.addEventListener('message', (event) => this.received(connection, event.data));
    ws.addEventListener('close', () => this.lost(connection));
    // 'error' is always followed by 'close', which does the work.
    ws.addEventListener('error', () => undefined);
  }

  private opened(connection: Connection, reason: OpenReason): void {
    if (connection.finished || this.stopped) return;
    connection.opened = true;
    connection.openedAt = Date.now();

    if (connection === this.replacement) {
      const previous = this.current;
      this.current = connection;
      this.replacement = undefined;
      // The old socket may still receive what was sent to it before the server re-bound the call.
      if (previous) previous.timers.push(setTimeout(() => this.finish(previous, 1000, 'replaced'), this.options.handoverMs));
      if (previous?.pingTimer) clearTimeout(previous.pingTimer);
    }

    connection.lastSentAt = connection.lastHeardAt = connection.openedAt;
    this.armPing(connection);
    connection.timers.push(setTimeout(() => this.rotate(), this.options.maxConnectionMs));
    const openReason: OpenReason = reason === 'rotated' ? 'rotated' : this.everOpened ? 'reconnected' : 'first';
    this.everOpened = true;
    this.setState('connected');
    this.emit('open', { reason: openReason });
    this.flush();
  }

  private received(connection: Connection, data: unknown): void {
    if (connection.finished || typeof data !== 'string') return;
    connection.lastHeardAt = Date.now();
    this.armPing(connection);
    const message = this.protocol.parse(data);
    if ((!message || message.type === 'error') && isTooManySocketsNotice(data)) {
      connection.evicted = true; // acted on when the server closes the socket
      return;
    }
    if (!message) return;
    if (this.protocol.answersPing(message)) {
      clearTimeout(connection.pongDeadline);
      connection.pongDeadline = undefined;
    }
    // The server closes the socket next; the reconnect asks the token source for a fresh token.
    if (this.protocol.isTokenExpired(message)) this.expiredToken = connection.token;
    if (connection !== this.current && this.protocol.ignoredWhileReplaced(message)) return;
    this.emit('message', message);
  }

  private sentOn(connection: Connection): void {
    connection.lastSentAt = Date.now();
    this.armPing(connection);
  }

  /**
   * The next ping: `pingIntervalMs` after the earlier of the last frame sent and the last heard.
   * A frame out keeps the socket under the idle timeout and a frame in shows it alive, so while
   * both flow (a call being set up) no billed ping is needed; silence either way pings as before.
   */
  private armPing(connection: Connection): void {
    clearTimeout(connection.pingTimer);
    const quietSince = Math.min(connection.lastSentAt, connection.lastHeardAt);
    const due = Math.max(0, quietSince + this.options.pingIntervalMs - Date.now());
    connection.pingTimer = setTimeout(() => this.ping(connection), due);
  }

  private ping(connection: Connection): void {
    if (connection !== this.current || !this.isOpen) return;
    connection.ws.send(JSON.stringify(this.protocol.ping()));
    connection.lastSentAt = Date.now();
    // The pong (or its absence, through the deadline below) decides what follows: wait a whole interval.
    clearTimeout(connection.pingTimer);
    connection.pingTimer = setTimeout(() => this.ping(connection), this.options.pingIntervalMs);
    if (connection.pongDeadline === undefined) {
      connection.pongDeadline = setTimeout(() => this.lost(connection), this.options.pongTimeoutMs);
    }
  }

  /** The socket closed, failed to open, or stopped answering pings. */
  private lost(connection: Connection): void {
    if (connection.finished) return;
    const lived = connection.opened ? Date.now() - connection.openedAt : 0;
    this.finish(connection, 4000, 'lost');

    if (connection === this.replacement) {
      this.replacement = undefined;
      // Refused for too many sockets, a replacement would be refused again: keep the old one until it closes.
      if (connection.evicted) return;
      // The old socket still works; try the replacement again a little later.
      this.retryTimer = setTimeout(() => this.rotate(), this.backoff.next());
      return;
    }
    if (connection !== this.current || this.stopped) return;
    this.current = undefined;
    if (connection.evicted && !this.replacement) {
      // Reconnecting would close another tab of this profile, which would reconnect in turn.
      this.held = true;
      clearTimeout(this.retryTimer);
      this.setState('closed');
      this.emit(
        'error',
        new CallError(CallErrorCode.TooManySockets, 'The connection was closed: this profile has too many tabs or devices connected'),
      );
      return;
    }
    if (lived >= this.options.stableAfterMs) this.backoff.reset();
    this.setState(this.everOpened ? 'reconnecting' : 'connecting');
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.open(this.everOpened ? 'reconnected' : 'first'), this.backoff.next());
  }

  private finish(connection: Connection, code: number, reason: string): void {
    if (connection.finished) return;
    connection.finished = true;
    for (const timer of connection.timers) clearTimeout(timer);
    clearTimeout(connection.pingTimer);
    clearTimeout(connection.pongDeadline);
    try {
      connection.ws.close(code, reason);
    } catch {
      // Closing a socket that never opened can throw in some browsers; it is gone either way.
    }
  }

  private flush(): void {
    const frames = this.queue;
    this.queue = [];
    for (const frame of frames) {
      if (!this.isOpen || !this.current) {
        this.queue.push(frame);
        continue;
      }
      this.current.ws.send(frame);
      this.sentOn(this.current);
    }
  }

  private fail(error: CallError): void {
    this.emit('error', error);
    this.close();
  }

  private setState(state: ConnectionState): void {
    if (state === this.stateValue) return;
    this.stateValue = state;
    this.emit('state', state);
  }
}

/** The chat API's signaling connection. */
export class SignalingSocket extends MessageSocket<ServerMessage, ClientMessageInput> {
  constructor(options: Pick<SignalingSocketOptions, 'url' | 'token'> & Partial<SignalingSocketOptions>) {
    super(options, CHAT_PROTOCOL);
  }
}
