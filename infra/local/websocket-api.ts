/**
 * The WebSocket side of API Gateway: the upgrade runs the REQUEST authorizer and `$connect` before
 * the socket opens (refusing with their status), each message is routed on its `type` to its own
 * concurrent invocation, and `$disconnect` runs once whichever side closes.
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { MAX_MESSAGE_BYTES } from '../../shared/limits';
import { TOKEN_QUERY_PARAMETER } from '../../shared/connect-token';
import { evaluateAuthorizerResult } from './authorizer-policy';
import { ClientConnection, CLOSE_GOING_AWAY, type ConnectionLimits } from './client-connection';
import {
  authorizerEvent,
  connectEvent,
  describeUpgradeRequest,
  disconnectEvent,
  messageEvent,
  type ApiDescription,
  type AuthorizerContextValues,
  type DisconnectStatus,
  type UpgradeRequestFacts,
} from './events';
import type { GatewayFunctions, LoadedFunction } from './functions';
import { newGatewayId } from './ids';
import type { Invoker } from './invoker';
import type { GatewayLog } from './log';
import { DEFAULT_ROUTE, selectRoute } from './route-selection';

export interface WebSocketApiSettings {
  api: ApiDescription;
  functions: GatewayFunctions;
  invoker: Invoker;
  log: GatewayLog;
  limits: ConnectionLimits;
  /** The path this API answers upgrades on (besides under its stage); default `/`. */
  path?: string;
}

/** Finds open sockets for the management API. */
export interface ConnectionDirectory {
  get(connectionId: string): ClientConnection | undefined;
}

class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly body: string = JSON.stringify({ message: STATUS_CODES[status] ?? 'Error' }),
  ) {
    super(reason);
  }
}

/** Only this exact message means "refuse"; any other failure is the authorizer's own fault (500). */
const isUnauthorized = (error: unknown): boolean => error instanceof Error && error.message === 'Unauthorized';
const INTERNAL_ERROR = () => new UpgradeRefused(500, 'internal', JSON.stringify({ message: 'Internal server error' }));
const SOCKET_LOST: DisconnectStatus = { statusCode: 1006, reason: 'Connection was closed abnormally' };
const KEY_PATTERN = /^[+/0-9A-Za-z]{22}==$/;

/** Answers an upgrade request with an HTTP error, as API Gateway does when `$connect` refuses. */
export function refuseUpgrade(socket: Duplex, status: number, body: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
      body,
  );
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** A header of a `$connect` result, by case-insensitive name. */
function resultHeader(result: Record<string, unknown>, name: string): string | undefined {
  if (!isRecord(result.headers)) return undefined;
  const entry = Object.entries(result.headers).find(([key]) => key.toLowerCase() === name);
  return entry === undefined ? undefined : String(entry[1]);
}

export class WebSocketApi implements ConnectionDirectory {
  private readonly connections = new Map<string, ClientConnection>();
  /** The subprotocol `$connect` agreed to, per upgrade request (API Gateway echoes only that). */
  private readonly agreedProtocols = new WeakMap<IncomingMessage, string>();
  private readonly server: WebSocketServer;
  private readonly selectableRoutes: ReadonlySet<string>;
  private readonly connectFunction: LoadedFunction;
  private readonly disconnectFunction: LoadedFunction;
  private accepting = true;

  constructor(private readonly settings: WebSocketApiSettings) {
    const { routes } = settings.functions;
    this.selectableRoutes = new Set([...routes.keys()].filter((key) => !key.startsWith('$')));
    const required = (routeKey: string): LoadedFunction => {
      const fn = routes.get(routeKey);
      if (!fn) throw new Error(`No function for ${routeKey}`);
      return fn;
    };
    this.connectFunction = required('$connect');
    this.disconnectFunction = required('$disconnect');
    required(DEFAULT_ROUTE);
    this.server = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      // ws closes with 1009 past this many bytes in one message, as API Gateway does.
      maxPayload: MAX_MESSAGE_BYTES,
      handleProtocols: (offered, request) => {
        const agreed = this.agreedProtocols.get(request);
        return agreed !== undefined && offered.has(agreed) ? agreed : false;
      },
    });
  }

  get(connectionId: string): ClientConnection | undefined {
    return this.connections.get(connectionId);
  }

  /** Takes an HTTP upgrade request; never throws (a failure refuses the upgrade with 500). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    this.upgrade(request, socket, head).catch((error: unknown) => {
      const refusal = error instanceof UpgradeRefused ? error : INTERNAL_ERROR();
      if (!(error instanceof UpgradeRefused)) this.settings.log.error('upgrade_failed', { error: String(error) });
      this.settings.log.info('connection_refused', { status: refusal.status, reason: refusal.reason });
      refuseUpgrade(socket, refusal.status, refusal.body);
    });
  }

  /** Stops taking sockets, closes the open ones (1001) and waits for them to end, at most `graceMs`. */
  async closeAll(graceMs: number): Promise<void> {
    this.accepting = false;
    for (const connection of this.connections.values()) connection.close(CLOSE_GOING_AWAY);
    const deadline = Date.now() + graceMs;
    while (this.connections.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const connection of this.connections.values()) connection.terminate();
    // A destroyed socket reports its close on a later tick.
    const hardDeadline = Date.now() + graceMs;
    while (this.connections.size > 0 && Date.now() < hardDeadline) await new Promise((resolve) => setTimeout(resolve, 5));
    this.server.close();
  }

  private isOpenPath(request: IncomingMessage): boolean {
    const { pathname } = new URL(request.url ?? '/', 'http://gateway.invalid');
    const base = this.settings.path ?? '/';
    const stagePath = `/${this.settings.api.stage}${base === '/' ? '' : base}`;
    return pathname === base || pathname === `${base}/` || pathname === stagePath || pathname === `${stagePath}/`;
  }

  private newConnectionId(): string {
    let id = newGatewayId();
    while (this.connections.has(id)) id = newGatewayId();
    return id;
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (!this.accepting) throw new UpgradeRefused(503, 'shutting_down');
    if (!this.isOpenPath(request)) throw new UpgradeRefused(404, 'unknown_path');
    // Malformed handshakes are refused before any function runs.
    const version = request.headers['sec-websocket-version'];
    if (
      request.method !== 'GET' ||
      !KEY_PATTERN.test(request.headers['sec-websocket-key'] ?? '') ||
      (version !== '13' && version !== '8')
    ) {
      throw new UpgradeRefused(400, 'invalid_handshake');
    }

    const facts = describeUpgradeRequest(request, this.newConnectionId(), Date.now());
    const authorizer = await this.authorize(facts);
    const requestId = newGatewayId();
    const connected = await this.settings.invoker.invoke(
      this.connectFunction,
      connectEvent(this.settings.api, facts, requestId, authorizer),
      '$connect',
      requestId,
    );
    if (!connected.ok) throw INTERNAL_ERROR();
    const result = isRecord(connected.result) ? connected.result : {};
    const status = typeof result.statusCode === 'number' ? result.statusCode : 200;
    if (status < 200 || status > 299) {
      throw new UpgradeRefused(status, 'connect_refused', typeof result.body === 'string' ? result.body : undefined);
    }

    // `$connect` has run, so from here on the socket's end must reach `$disconnect`.
    if (!this.accepting || !socket.writable) {
      this.disconnected(facts, authorizer, SOCKET_LOST);
      throw new UpgradeRefused(this.accepting ? 400 : 503, 'closed_during_connect');
    }
    const protocol = resultHeader(result, 'sec-websocket-protocol');
    if (protocol !== undefined) this.agreedProtocols.set(request, protocol);

    let opened = false;
    this.server.handleUpgrade(request, socket, head, (ws) => {
      opened = true;
      const connection = new ClientConnection(ws, socket, facts, authorizer, this.settings.limits, {
        message: (from, data, isBinary) => this.route(from, data, isBinary),
        closed: (from, closeStatus) => {
          this.connections.delete(from.id);
          this.disconnected(from.facts, from.authorizer, closeStatus);
        },
      });
      this.connections.set(connection.id, connection);
      this.settings.log.info('connection_opened', { connection_id: connection.id, principal_id: authorizer.principalId ?? null });
    });
    // ws answers a handshake it rejects by itself, without calling back.
    if (!opened) this.disconnected(facts, authorizer, SOCKET_LOST);
  }

  /** Runs the REQUEST authorizer; resolves with the context every later event carries. */
  private async authorize(facts: UpgradeRequestFacts): Promise<AuthorizerContextValues> {
    const { authorizer } = this.settings.functions;
    if (!authorizer) return {};
    // The identity source is required: without it API Gateway answers 401 and never calls the function.
    if (!facts.queryStringParameters?.[TOKEN_QUERY_PARAMETER]) throw new UpgradeRefused(401, 'missing_identity_source');
    const requestId = newGatewayId();
    const event = authorizerEvent(this.settings.api, facts, requestId);
    const outcome = await this.settings.invoker.invoke(authorizer, event, 'authorizer', requestId, isUnauthorized);
    if (!outcome.ok) throw isUnauthorized(outcome.error) ? new UpgradeRefused(401, 'unauthorized') : INTERNAL_ERROR();
    const decision = evaluateAuthorizerResult(outcome.result, event.methodArn);
    if (decision.effect === 'Deny') throw new UpgradeRefused(403, 'denied');
    if (decision.effect === 'Invalid') {
      this.settings.log.error('authorizer_invalid_result', { problem: decision.problem });
      throw INTERNAL_ERROR();
    }
    return decision.authorizer;
  }

  private route(connection: ClientConnection, data: Buffer, isBinary: boolean): void {
    const text = isBinary ? undefined : data.toString('utf8');
    const routeKey = selectRoute(text, this.selectableRoutes);
    const fn = this.settings.functions.routes.get(routeKey);
    if (!fn) return;
    const requestId = newGatewayId();
    const event = messageEvent(
      this.settings.api,
      connection.facts,
      routeKey,
      requestId,
      connection.authorizer,
      text !== undefined ? { text } : { binary: data },
    );
    // Not awaited: every message is its own invocation, with no ordering between them.
    void this.settings.invoker.invoke(fn, event, routeKey, requestId).then((outcome) => {
      if (outcome.ok) return;
      // What API Gateway sends the client when an integration fails.
      const notice = { message: 'Internal server error', connectionId: connection.id, requestId };
      connection.post(Buffer.from(JSON.stringify(notice)));
    });
  }

  private disconnected(
    facts: UpgradeRequestFacts | ClientConnection['facts'],
    authorizer: AuthorizerContextValues,
    status: DisconnectStatus,
  ): void {
    this.settings.log.info('connection_closed', {
      connection_id: facts.connectionId,
      disconnect_status_code: status.statusCode,
      disconnect_reason: status.reason,
    });
    const requestId = newGatewayId();
    void this.settings.invoker.invoke(
      this.disconnectFunction,
      disconnectEvent(this.settings.api, facts, requestId, authorizer, status),
      '$disconnect',
      requestId,
    );
  }
}
