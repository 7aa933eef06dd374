/**
 * A client socket of the bench: sends frames (counting them and their bytes, which is what API
 * Gateway bills on the way in), and files every received frame in its inbox as its dialect reads it.
 */
import WebSocket from 'ws';
import { billedMessages } from '../aws-prices';
import { Inbox, type Inbound } from './inbox';

export type Classify = (message: unknown) => Inbound | undefined;

const OPEN_TIMEOUT_MS = 15_000;

export class BenchSocket {
  readonly inbox = new Inbox();
  framesSent = 0;
  bytesSent = 0;
  /** Frames sent in API Gateway's 32 KB message steps. */
  billedSent = 0;
  framesReceived = 0;
  private readonly closed: Promise<void>;

  private constructor(
    private readonly ws: WebSocket,
    classify: Classify,
  ) {
    ws.on('message', (data) => {
      const at = performance.now();
      this.framesReceived++;
      let message: unknown;
      try {
        message = JSON.parse(String(data));
      } catch {
        return;
      }
      const inbound = classify(message);
      if (inbound) this.inbox.deliver({ inbound, at });
    });
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
  }

  static open(url: string, classify: Classify): Promise<BenchSocket> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`no connection to ${new URL(url).origin} within ${OPEN_TIMEOUT_MS} ms`));
      }, OPEN_TIMEOUT_MS);
      // Created before 'open', so nothing sent right after the handshake is missed.
      const socket = new BenchSocket(ws, classify);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve(socket);
      });
      ws.once('unexpected-response', (_request, response) => {
        clearTimeout(timer);
        ws.terminate();
        reject(new Error(`upgrade refused with ${response.statusCode}`));
      });
      ws.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends one text frame; returns `performance.now()` just before it went out. */
  send(frame: string): number {
    const bytes = Buffer.byteLength(frame);
    this.framesSent++;
    this.bytesSent += bytes;
    this.billedSent += billedMessages(bytes);
    const at = performance.now();
    this.ws.send(frame);
    return at;
  }

  /** Closes with a handshake, or drops the connection if the peer does not answer in time. */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    this.ws.terminate();
  }
}
