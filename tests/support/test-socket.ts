/** A real WebSocket client for tests: sends frames, and waits for the server's messages by type. */
import WebSocket from 'ws';
import { FEATURES_QUERY_PARAMETER } from '../../shared/connect-features';
import type { ServerMessage, ServerMessageOf, ServerMessageType } from '../../shared/protocol';

const DEFAULT_WAIT_MS = 3_000;

interface Waiter {
  matches: (message: ServerMessage) => boolean;
  resolve: (message: ServerMessage) => void;
}

export class TestSocket {
  /** Everything received, in order. */
  readonly received: ServerMessage[] = [];
  private readonly unclaimed: ServerMessage[] = [];
  private readonly waiters: Waiter[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.deliver(JSON.parse(String(data)) as ServerMessage));
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  /** `features`: the connect parameter's value (see `shared/connect-features.ts`); none by default, as a seed client. */
  static open(websocketUrl: string, token: string, features?: string): Promise<TestSocket> {
    const declared = features === undefined ? '' : `&${FEATURES_QUERY_PARAMETER}=${encodeURIComponent(features)}`;
    const ws = new WebSocket(`${websocketUrl}?token=${encodeURIComponent(token)}${declared}`);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestSocket(ws)));
      ws.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)));
      ws.once('error', reject);
    });
  }

  send(message: object): void {
    this.ws.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** The next message of `type` not yet taken by an earlier wait (optionally also matching `where`). */
  next<T extends ServerMessageType>(
    type: T,
    where: (message: ServerMessageOf<T>) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<ServerMessageOf<T>> {
    const matches = (message: ServerMessage): boolean => message.type === type && where(message as ServerMessageOf<T>);
    const index = this.unclaimed.findIndex(matches);
    if (index >= 0) return Promise.resolve(this.unclaimed.splice(index, 1)[0] as ServerMessageOf<T>);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { matches, resolve: (message) => resolve(message as ServerMessageOf<T>) };
      this.waiters.push(waiter);
      setTimeout(() => {
        const at = this.waiters.indexOf(waiter);
        if (at < 0) return;
        this.waiters.splice(at, 1);
        const seen = this.received.map((message) => message.type).join(', ') || 'nothing';
        reject(new Error(`no ${type} within ${timeoutMs} ms (received: ${seen})`));
      }, timeoutMs);
    });
  }

  /** Resolves with whatever of `types` arrived within `ms` (an empty list when nothing did). */
  async quietFor(ms: number, types?: readonly ServerMessageType[]): Promise<ServerMessage[]> {
    const before = this.received.length;
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.received.slice(before).filter((message) => !types || types.includes(message.type));
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }

  /** Drops the TCP connection without a close handshake (a network loss). */
  terminate(): void {
    this.ws.terminate();
  }

  private deliver(message: ServerMessage): void {
    this.received.push(message);
    const at = this.waiters.findIndex((waiter) => waiter.matches(message));
    if (at >= 0) {
      const [waiter] = this.waiters.splice(at, 1);
      waiter?.resolve(message);
    } else {
      this.unclaimed.push(message);
    }
  }
}
