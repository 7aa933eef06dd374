/**
 * DynamoDB as a function's role sees it: an endpoint in front of the embedded store that checks each
 * request's signature (by the function's own key) and then the signer's IAM statements, and passes
 * it on when they allow it, or refuses it as DynamoDB would. The store answers only the local key,
 * so what passes goes on signed again with it, headers and body unchanged. It sits on every store
 * call, so it reads one body and parses it once.
 */
import { parseJsonBody } from '../http-util';
import {
  createServer,
  request as httpRequest,
  Agent,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { admitSigned, type SignedEndpoint } from '../signed-endpoint';
import { dynamodbSignatureRefusal } from '../signature-refusals';
import { authorizationFor, signedHeadersOf, type SecretOf } from '../signature-v4';
import { LOCAL_CREDENTIALS } from '../store';
import { listenOnLoopback, type LoopbackServer } from './loopback-server';
import { dynamodbRefusal, awsJsonError, sendAnswer } from './access-denied';
import { dynamodbAccess } from './aws-requests';
import { authorizeRequest, type Authorize } from './caller-authorization';
import type { LocalAwsIdentity } from './local-identity';

export interface DynamoDbProxyOptions {
  /** The store's endpoint, `http://127.0.0.1:PORT`. */
  readonly upstream: string;
  readonly authorize: Authorize;
  /** The secret of each function's key, to check signatures with. */
  readonly secretOf: SecretOf;
  readonly identity: LocalAwsIdentity;
}

export type DynamoDbProxy = LoopbackServer;

/** DynamoDB's own limit on a request (BatchWriteItem's 16 MB); anything larger is refused unread. */
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

const header = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export async function startDynamoDbProxy(options: DynamoDbProxyOptions): Promise<DynamoDbProxy> {
  const upstream = new URL(options.upstream);
  // Keep-alive: handlers make several store calls per invocation; a new connection each would dominate.
  const agent = new Agent({ keepAlive: true });

  const scope = { service: 'dynamodb', region: options.identity.region };
  const endpoint: SignedEndpoint = {
    rules: { ...scope, secretOf: options.secretOf },
    maxBodyBytes: MAX_REQUEST_BYTES,
    tooLarge: () =>
      awsJsonError('1.0', 413, 'com.amazon.coral.service#RequestEntityTooLarge', {
        message: `Request size exceeded ${MAX_REQUEST_BYTES} bytes`,
      }),
    refuse: (problem) =>
      problem.refusal === 'UnrecognizedClient'
        ? dynamodbRefusal({ verdict: 'unknown-caller' }, options.identity)
        : dynamodbSignatureRefusal(problem),
  };

  /** The same request signed with the store's key, over the same headers (its Host, this proxy's, included). */
  const signedForStore = (request: IncomingMessage, body: Buffer): IncomingHttpHeaders => {
    const amzDate = header(request, 'x-amz-date') ?? '';
    const authorization = authorizationFor(
      { method: request.method ?? 'POST', url: request.url ?? '/', headers: request.headers, body },
      signedHeadersOf(request.headers),
      LOCAL_CREDENTIALS,
      scope,
      amzDate,
    );
    return { ...request.headers, authorization };
  };

  const forward = (request: IncomingMessage, response: ServerResponse, body: Buffer): void => {
    // The body was read whole, so it goes out with its length, never chunked.
    const { 'transfer-encoding': _chunked, ...headers } = signedForStore(request, body);
    const outgoing = httpRequest(
      {
        agent,
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: { ...headers, 'content-length': String(body.length) },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    outgoing.on('error', (error) => {
      if (response.headersSent) return void response.destroy(error);
      // A 500 the SDK retries, as it would a DynamoDB internal failure.
      sendAnswer(
        response,
        awsJsonError('1.0', 500, 'com.amazon.coral.service#InternalFailure', { message: `The store is unreachable: ${error.message}` }),
      );
    });
    outgoing.end(body);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const admitted = await admitSigned(request, response, endpoint);
    if (!admitted) return;
    const parsed = parseJsonBody(admitted.body);
    // Fail closed: what cannot be checked is never forwarded (dynalite would also run its older API
    // version's targets, which no IAM statement here names). DynamoDB's own answers for both cases.
    if (parsed === undefined) return sendAnswer(response, awsJsonError('1.0', 400, 'com.amazon.coral.service#SerializationException', {}));
    const accesses = dynamodbAccess(header(request, 'x-amz-target'), parsed, options.identity);
    if (accesses === undefined)
      return sendAnswer(response, awsJsonError('1.0', 400, 'com.amazon.coral.service#UnknownOperationException', {}));
    const decision = authorizeRequest(options.authorize, admitted.accessKeyId, accesses);
    if (decision.verdict === 'allowed') return forward(request, response, admitted.body);
    sendAnswer(response, dynamodbRefusal(decision, options.identity));
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent)
        sendAnswer(response, awsJsonError('1.0', 500, 'com.amazon.coral.service#InternalFailure', { message: String(error) }));
      else response.destroy();
    });
  });
  const listening = await listenOnLoopback(server);
  return {
    url: listening.url,
    close: async () => {
      await listening.close();
      agent.destroy();
    },
  };
}
