/** What the gateway tests need beyond the shared harness: raw upgrades, close codes, socket ids. */
import { request, type IncomingHttpHeaders } from 'node:http';
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import WebSocket from 'ws';
import { CONNECTIONS_TABLE } from '../../shared/tables';

/** Tries to open a socket; resolves with the HTTP status of a refusal, or 101 when it opened (then closes it). */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  const ws = new WebSocket(url, { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_request, response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    ws.once('error', reject);
  });
}

export function closedWith(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

/** The connection ids the store holds for a profile, as the `$connect` handler wrote them. */
export async function connectionIdsOf(db: DynamoDBDocumentClient, profileKey: string): Promise<string[]> {
  const [byProfile] = CONNECTIONS_TABLE.indexes;
  const { Items = [] } = await db.send(
    new QueryCommand({
      TableName: CONNECTIONS_TABLE.localName,
      IndexName: byProfile.indexName,
      KeyConditionExpression: '#key = :key',
      ExpressionAttributeNames: { '#key': byProfile.partitionKey.name },
      ExpressionAttributeValues: { ':key': profileKey },
    }),
  );
  return Items.map((item) => String(item.connection_id));
}

export async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 3_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An HTTP request with full control over the path and Host header (fetch normalizes both). */
export function rawRequest(
  url: string,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: target.hostname,
        port: target.port,
        method: options.method ?? 'GET',
        path: options.path ?? target.pathname,
        headers: options.headers,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** Makes an SDK client send what a web page's fetch would: its requests carry the page's `Origin` (signed, like every header). */
export function sentFromAPage(client: ApiGatewayManagementApiClient | DynamoDBClient, origin: string): void {
  const addOrigin = (request: unknown): void => {
    if (isRecord(request) && isRecord(request.headers)) request.headers.origin = origin;
  };
  const options = { step: 'build', name: 'sentFromAPage' } as const;
  if (client instanceof DynamoDBClient) {
    client.middlewareStack.add(
      (next) => (args) => {
        addOrigin(args.request);
        return next(args);
      },
      options,
    );
  } else {
    client.middlewareStack.add(
      (next) => (args) => {
        addOrigin(args.request);
        return next(args);
      },
      options,
    );
  }
}
