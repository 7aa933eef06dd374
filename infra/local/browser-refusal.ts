/**
 * What keeps a web page in the user's browser away from the local AWS stand-ins (the store, the
 * @connections API, the as-deployed DynamoDB proxy and secrets endpoint). On AWS a page cannot use
 * them: they want a SigV4 `Authorization` header, which a page can only send cross-origin after a
 * CORS preflight, and the page knows no key. Locally the keys are well known (`local`), so the
 * endpoints also refuse anything a browser sends: every cross-origin request (the simple ones
 * included: a `text/plain` POST, a form post) carries `Origin`, current browsers mark every request
 * to a loopback address with `Sec-Fetch-Site` (a no-cors GET, an image, included), and a preflight
 * (`OPTIONS`) is never answered with CORS headers. A page whose own name was made to
 * resolve to 127.0.0.1 (DNS rebinding) is caught by the Host check: these endpoints are addressed by
 * loopback names only.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { hostnameOf, isLoopbackHostname } from './host-check';

export type BrowserRefusalReason = 'foreign_host' | 'web_page' | 'preflight';

/** Why a request to a loopback-only AWS endpoint is refused before anything else, or undefined. */
export function browserRefusal(method: string | undefined, headers: IncomingHttpHeaders): BrowserRefusalReason | undefined {
  if (headers.host === undefined || !isLoopbackHostname(hostnameOf(headers.host))) return 'foreign_host';
  if (method === 'OPTIONS') return 'preflight';
  if (headers.origin !== undefined || headers['sec-fetch-site'] !== undefined) return 'web_page';
  return undefined;
}

const MESSAGES: Record<BrowserRefusalReason, string> = {
  foreign_host: 'Unrecognized Host header: this endpoint answers loopback names only',
  web_page: 'Requests from web pages are refused: this endpoint serves the local handlers and tools only',
  preflight: 'CORS preflights are refused: this endpoint serves no web page',
};

/** 403 with no CORS header at all, so a browser hands the page nothing. The body is read and dropped. */
export function refuseBrowserRequest(request: IncomingMessage, response: ServerResponse, reason: BrowserRefusalReason): void {
  request.resume();
  const body = JSON.stringify({ message: MESSAGES[reason] });
  response.writeHead(403, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  response.end(body);
}
