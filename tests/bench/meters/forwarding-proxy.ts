/**
 * A loopback HTTP proxy that forwards every request to one upstream unchanged, Host header
 * included (the store and the @connections API check the SigV4 signature, which covers it), and
 * hands each finished exchange (request and response, bodies included) to an observer. The meters
 * sit on it: what the handlers send and get back is what they would without it.
 */
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Exchange {
  method: string;
  path: string;
  requestHeaders: IncomingHttpHeaders;
  requestBody: Buffer;
  status: number;
  responseBody: Buffer;
}

export interface ForwardingProxy {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Where requests go from now on, e.g. `http://127.0.0.1:4567`. */
  setUpstream(url: string): void;
  /** Requests received and not yet answered. */
  inFlight(): number;
  close(): Promise<void>;
}

/** An upstream that never answers fails the request after this, rather than holding it forever. */
const UPSTREAM_TIMEOUT_MS = 30_000;

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/**
 * An observer that returns a promise holds the response until it settles: a meter that has to look
 * at the store after a write does so before the client (and so its next write) goes on.
 */
export async function startForwardingProxy(observe: (exchange: Exchange) => void | Promise<void>): Promise<ForwardingProxy> {
  let upstream: URL | undefined;
  let inFlight = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });

  const server: Server = createServer((request, response) => {
    inFlight++;
    void (async () => {
      try {
        const requestBody = await readAll(request);
        if (!upstream) throw new Error('the proxy has no upstream yet');
        const target = upstream;
        const headers: OutgoingHttpHeaders = { ...request.headers };
        const answer = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
          const outgoing = httpRequest(
            {
              host: target.hostname,
              port: target.port,
              method: request.method,
              path: request.url,
              headers,
              agent,
              timeout: UPSTREAM_TIMEOUT_MS,
            },
            (upstreamResponse) => {
              readAll(upstreamResponse).then(
                (body) => resolve({ status: upstreamResponse.statusCode ?? 502, headers: upstreamResponse.headers, body }),
                reject,
              );
            },
          );
          outgoing.on('timeout', () => outgoing.destroy(new Error('upstream timed out')));
          outgoing.on('error', reject);
          outgoing.end(requestBody);
        });
        await observe({
          method: request.method ?? 'GET',
          path: request.url ?? '/',
          requestHeaders: request.headers,
          requestBody,
          status: answer.status,
          responseBody: answer.body,
        });
        const { 'transfer-encoding': _chunked, connection: _connection, ...passed } = answer.headers;
        response.writeHead(answer.status, { ...passed, 'content-length': answer.body.length });
        response.end(answer.body);
      } catch (error) {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(`proxy: ${error instanceof Error ? error.message : String(error)}\n`);
      } finally {
        inFlight--;
      }
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    setUpstream: (url) => {
      upstream = new URL(url);
    },
    inFlight: () => inFlight,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
