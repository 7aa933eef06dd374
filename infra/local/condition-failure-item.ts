/**
 * `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'` for the embedded store. DynamoDB puts the item
 * that failed a write's condition on the ConditionalCheckFailedException (`Item`, wire format; left
 * out when there is no item); dynalite ignores the parameter. Here, when dynalite refuses such a
 * write, the item is read from dynalite itself and added to the error body before it leaves, so the
 * adapters take the holder from the refusal as they do on AWS. On DynamoDB the item comes from the
 * same atomic step as the refusal; here it is read just after, so a write landing in between can show.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { TABLES, type TableDefinition } from '../../shared/tables';

type Listener = (request: IncomingMessage, response: ServerResponse) => void;
type WireItem = Record<string, unknown>;

const WRITES_WITH_CONDITIONS = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);
const CONDITION_FAILED = 'ConditionalCheckFailedException';
const TARGET_PREFIX = 'DynamoDB_20120810';

/** Key attribute names by table name, from the definitions the local store creates its tables from. */
const keyAttributesOf = (table: TableDefinition): string[] =>
  table.sortKey ? [table.partitionKey.name, table.sortKey.name] : [table.partitionKey.name];
const KEY_ATTRIBUTES = new Map<string, readonly string[]>(TABLES.map((table) => [table.localName, keyAttributesOf(table)]));

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The table and key a write that asked for the item on a failed condition names; undefined for anything else. */
export function conditionItemRequest(target: string | undefined, body: Buffer): { table: string; key: WireItem } | undefined {
  const operation = target?.split('.')[1];
  if (operation === undefined || !WRITES_WITH_CONDITIONS.has(operation)) return undefined;
  const request = parseObject(body.toString('utf8'));
  if (request?.ReturnValuesOnConditionCheckFailure !== 'ALL_OLD' || typeof request.TableName !== 'string') return undefined;
  const keyNames = KEY_ATTRIBUTES.get(request.TableName);
  const source = operation === 'PutItem' ? request.Item : request.Key;
  if (!keyNames || !isObject(source) || !keyNames.every((name) => name in source)) return undefined;
  return { table: request.TableName, key: Object.fromEntries(keyNames.map((name) => [name, source[name]])) };
}

/** A response dynalite can write into, kept in memory. */
class CapturedResponse {
  statusCode = 200;
  contentType = 'application/x-amz-json-1.0';
  private readonly headers = new Map<string, string | number | readonly string[]>();
  readonly body: Promise<string>;
  private resolve: (body: string) => void = () => undefined;

  constructor() {
    this.body = new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  setHeader(name: string, value: string | number | readonly string[]): this {
    this.headers.set(name.toLowerCase(), value);
    return this;
  }

  end(body?: string | Buffer): this {
    this.resolve(body === undefined ? '' : body.toString());
    return this;
  }
}

/** One request straight to dynalite's handler (past the guard: it comes from here, not from the network). */
async function askDynalite(
  listeners: readonly Listener[],
  headers: IncomingHttpHeaders,
  operation: string,
  input: object,
): Promise<string> {
  const body = Buffer.from(JSON.stringify(input));
  const request = Object.assign(Readable.from([body]), {
    headers: {
      ...headers,
      'x-amz-target': `${TARGET_PREFIX}.${operation}`,
      'content-type': 'application/x-amz-json-1.0',
      'content-length': String(body.length),
    },
    method: 'POST',
    url: '/',
  });
  const response = new CapturedResponse();
  for (const listener of listeners) Reflect.apply(listener, undefined, [request, response]);
  return response.body;
}

/**
 * Wraps `response.end` so that a failed condition of `asked` carries the item as it is now. Anything
 * else (a success, another error, an item that is gone) goes out exactly as dynalite wrote it.
 */
export function addItemOnConditionFailure(
  response: ServerResponse,
  asked: { table: string; key: WireItem },
  listeners: readonly Listener[],
  headers: IncomingHttpHeaders,
): void {
  const end = response.end.bind(response);
  const send = (body: string): void => {
    response.setHeader('content-length', Buffer.byteLength(body, 'utf8'));
    response.setHeader('x-amz-crc32', crc32(body));
    end(body);
  };
  response.end = ((chunk?: unknown) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined;
    const error = response.statusCode === 400 && text !== undefined ? parseObject(text) : undefined;
    if (!error || typeof error.__type !== 'string' || !error.__type.endsWith(CONDITION_FAILED)) {
      return chunk === undefined ? end() : end(chunk);
    }
    askDynalite(listeners, headers, 'GetItem', { TableName: asked.table, Key: asked.key, ConsistentRead: true }).then(
      (read) => {
        const item = parseObject(read)?.Item;
        send(JSON.stringify(isObject(item) ? { ...error, Item: item } : error));
      },
      () => send(text ?? ''),
    );
    return response;
  }) as ServerResponse['end'];
}
