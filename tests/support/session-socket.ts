/** A real WebSocket client of the whiteboard API for tests: sends frames, waits for the server's messages by type. */
import WebSocket from 'ws';
import type { SessionClientMessageInput, SessionServerMessage, SessionServerMessageOf } from '../../shared/session-protocol';

const DEFAULT_WAIT_MS = 3_000;
type SessionMessageKind = SessionServerMessage['type'];

interface Waiter {
  matches: (message: SessionServerMessage) => boolean;
  resolve: (message: SessionServerMessage) => void;
}

export class SessionSocket {
  readonly received: SessionServerMessage[] = [];
  private readonly unclaimed: SessionServerMessage[] = [];
  private readonly waiters: Waiter[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.deliver(JSON.parse(String(data)) as SessionServerMessage));
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  static open(url: string, token: string): Promise<SessionSocket> {
    const ws = new WebSocket(`${url}?token=${encodeURIComponent(token)}`);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new SessionSocket(ws)));
      ws.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)));
      ws.once('error', reject);
    });
  }

  send(message: SessionClientMessageInput | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(message));
  }

  next<T extends SessionMessageKind>(
    type: T,
    where: (message: SessionServerMessageOf<T>) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<SessionServerMessageOf<T>> {
    const matches = (message: SessionServerMessage): boolean => message.type === type && where(message as SessionServerMessageOf<T>);
    const index = this.unclaimed.findIndex(matches);
    if (index >= 0) return Promise.resolve(this.unclaimed.splice(index, 1)[0] as SessionServerMessageOf<T>);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { matches, resolve: (message) => resolve(message as SessionServerMessageOf<T>) };
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

  /** Whatever arrived within `ms`. */
  async quietFor(ms: number): Promise<SessionServerMessage[]> {
    const before = this.received.length;
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.received.slice(before);
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }

  terminate(): void {
    this.ws.terminate();
  }

  private deliver(message: SessionServerMessage): void {
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
