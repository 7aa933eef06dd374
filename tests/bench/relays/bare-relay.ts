/**
 * The floor: a WebSocket relay that does nothing but forward. A client connects as `/?id=NAME`;
 * each frame names its recipient in `to` and is passed on as it came. No validation, no
 * authentication, no log, no store: what remains of a hop's latency here is the network and
 * `ws` itself.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface BareRelay {
  port: number;
  close(): Promise<void>;
}

export async function startBareRelay(host = '127.0.0.1'): Promise<BareRelay> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(426).end();
  });
  const sockets = new Map<string, WebSocket>();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });

  wss.on('connection', (ws, request) => {
    const id = new URL(request.url ?? '/', 'http://relay.invalid').searchParams.get('id');
    if (!id) return ws.close(1008, 'id required');
    sockets.set(id, ws);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = data.toString();
      let to: unknown;
      try {
        to = (JSON.parse(text) as { to?: unknown }).to;
      } catch {
        return;
      }
      if (typeof to === 'string') sockets.get(to)?.send(text);
    });
    ws.on('close', () => {
      if (sockets.get(id) === ws) sockets.delete(id);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets.values()) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
