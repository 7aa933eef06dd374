/**
 * The door of every local AWS stand-in: refuse what a browser sends (`browser-refusal.ts`), read the
 * body, and let through only a request signed with a key the endpoint knows, answering any other
 * the way its service does. What passes is the body and the key that signed it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendAnswer, type ServiceAnswer } from './as-deployed/access-denied';
import { browserRefusal, refuseBrowserRequest } from './browser-refusal';
import { readBody } from './http-util';
import type { SignatureProblem } from './signature-refusals';
import { verifySignature, type SignatureRules } from './signature-v4';

export interface SignedEndpoint {
  readonly rules: SignatureRules;
  /** The service's own limit; a larger body is refused before its signature is checked. */
  readonly maxBodyBytes: number;
  tooLarge(): ServiceAnswer;
  refuse(problem: SignatureProblem): ServiceAnswer;
  /** Told of each refusal, for a log line. */
  refused?(fields: Readonly<Record<string, string>>): void;
}

export interface Admitted {
  readonly accessKeyId: string;
  readonly body: Buffer;
}

/** The admitted request, or undefined once the refusal has been sent. */
export async function admitSigned(
  request: IncomingMessage,
  response: ServerResponse,
  endpoint: SignedEndpoint,
): Promise<Admitted | undefined> {
  const browser = browserRefusal(request.method, request.headers);
  if (browser) {
    endpoint.refused?.({
      reason: browser,
      ...(request.headers.origin ? { origin: request.headers.origin } : {}),
      host: request.headers.host ?? '',
    });
    refuseBrowserRequest(request, response, browser);
    return undefined;
  }
  const read = await readBody(request, endpoint.maxBodyBytes);
  if (!read.ok) {
    sendAnswer(response, endpoint.tooLarge());
    return undefined;
  }
  const verdict = verifySignature(
    { method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, body: read.body },
    endpoint.rules,
  );
  if (!verdict.valid) {
    endpoint.refused?.({ reason: verdict.refusal, message: verdict.message });
    sendAnswer(response, endpoint.refuse(verdict));
    return undefined;
  }
  return { accessKeyId: verdict.accessKeyId, body: read.body };
}
