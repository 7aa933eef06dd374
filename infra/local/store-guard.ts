/**
 * The embedded store's front door. dynalite answers anyone: it grants every CORS preflight and
 * sends `Access-Control-Allow-Origin: *`, and it never checks a signature, so any web page could read
 * `call_logs` with a made-up `Authorization` header. Its request handler is wrapped instead of put
 * behind a proxy (no second hop on every handler call): a request reaches dynalite only when it is
 * no browser's (`browser-refusal.ts`) and is signed with the local key, as DynamoDB would want it.
 * A refused conditional write that asked for the item gets it, as from DynamoDB (`condition-failure-item.ts`).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { awsJsonError, sendAnswer } from './as-deployed/access-denied';
import { addItemOnConditionFailure, conditionItemRequest } from './condition-failure-item';
import { admitSigned, type SignedEndpoint } from './signed-endpoint';
import { dynamodbSignatureRefusal } from './signature-refusals';
import type { SignatureRules } from './signature-v4';

/** DynamoDB's (and dynalite's) limit on one request. */
export const MAX_STORE_REQUEST_BYTES = 16 * 1024 * 1024;

export function storeEndpoint(rules: SignatureRules, refused?: SignedEndpoint['refused']): SignedEndpoint {
  return {
    rules,
    maxBodyBytes: MAX_STORE_REQUEST_BYTES,
    tooLarge: () =>
      awsJsonError('1.0', 413, 'com.amazon.coral.service#RequestEntityTooLarge', {
        message: `Request size exceeded ${MAX_STORE_REQUEST_BYTES} bytes`,
      }),
    refuse: dynamodbSignatureRefusal,
    ...(refused ? { refused } : {}),
  };
}

type Listener = (request: IncomingMessage, response: ServerResponse) => void;

/** Puts the door in front of the server's own request handler (dynalite's), in place. */
export function guardStoreServer(server: Server, endpoint: SignedEndpoint): void {
  const inner = server.listeners('request');
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    admitSigned(request, response, endpoint).then(
      (admitted) => {
        if (!admitted) return;
        const target = request.headers['x-amz-target'];
        const asksForItem = conditionItemRequest(typeof target === 'string' ? target : undefined, admitted.body);
        if (asksForItem) addItemOnConditionFailure(response, asksForItem, inner as Listener[], request.headers);
        // The body has been read; dynalite reads it again from this, with the same headers.
        const replay = Object.assign(Readable.from(admitted.body.length > 0 ? [admitted.body] : []), {
          headers: request.headers,
          method: request.method,
          url: request.url,
        });
        for (const listener of inner) Reflect.apply(listener, server, [replay, response]);
      },
      (error: unknown) => {
        if (response.headersSent) return void response.destroy();
        sendAnswer(response, awsJsonError('1.0', 500, 'com.amazon.coral.service#InternalFailure', { message: String(error) }));
      },
    );
  });
}
