/**
 * Local sign-in, so the web client works without an identity provider: `POST /dev/token` signs a
 * token for any profile (the gateway only listens on loopback unless told otherwise), and
 * `GET /config.json` tells the client where the WebSocket is, whether dev sign-in exists and which
 * call policy applies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as v from 'valibot';
import type { CallPolicy } from '../../shared/call-policy';
import { CLIENT_CONFIG_FILE, type ClientConfig } from '../../shared/client-config';
import { TokenClaimsSchema, type TokenClaims } from '../../shared/identity';
import { WHITEBOARD_LOCAL_PATH } from '../../shared/routes';
import { readBody, sendJson } from './http-util';

export { DEV_CALL_GRANT_PATH, DEV_TOKEN_PATH } from '../../shared/client-config';
export const CONFIG_PATH = `/${CLIENT_CONFIG_FILE}`;
const MAX_BODY_BYTES = 8 * 1024;

export interface DevLoginSettings {
  enabled: boolean;
  profileTypes: readonly string[];
  sign: (claims: TokenClaims) => Promise<{ token: string; expiresAt: Date }>;
}

export const refuse = (response: ServerResponse, status: number, error: string, message: string): void =>
  sendJson(response, status, { error, message });

/**
 * Whether the request is a JSON `POST`; otherwise it has been refused. Requiring JSON makes a
 * cross-site page go through a CORS preflight, which this server never grants.
 */
export function acceptJsonPost(request: IncomingMessage, response: ServerResponse): boolean {
  if (request.method !== 'POST') {
    refuse(response, 405, 'method_not_allowed', 'Use POST');
    return false;
  }
  if (!(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
    refuse(response, 415, 'unsupported_media_type', 'Send Content-Type: application/json');
    return false;
  }
  return true;
}

/** The parsed JSON body (`{ input }`), or undefined once a too large or non-JSON body has been refused. */
export async function readJsonBody(request: IncomingMessage, response: ServerResponse): Promise<{ input: unknown } | undefined> {
  const read = await readBody(request, MAX_BODY_BYTES);
  if (!read.ok) {
    refuse(response, 413, 'too_large', `The body exceeds ${MAX_BODY_BYTES} bytes`);
    return undefined;
  }
  try {
    return { input: JSON.parse(read.body.toString('utf8')) as unknown };
  } catch {
    refuse(response, 400, 'invalid_json', 'The body is not JSON');
    return undefined;
  }
}

export async function handleDevToken(request: IncomingMessage, response: ServerResponse, settings: DevLoginSettings): Promise<void> {
  if (!settings.enabled) return refuse(response, 404, 'not_found', 'Dev sign-in is turned off');
  if (!acceptJsonPost(request, response)) return;
  const body = await readJsonBody(request, response);
  if (!body) return;
  const claims = v.safeParse(TokenClaimsSchema, body.input);
  if (!claims.success) return refuse(response, 400, 'invalid_claims', v.summarize(claims.issues));
  if (!settings.profileTypes.includes(claims.output.profile_type)) {
    return refuse(response, 400, 'invalid_claims', `profile_type must be one of: ${settings.profileTypes.join(', ')}`);
  }
  const { token, expiresAt } = await settings.sign(claims.output);
  sendJson(response, 200, { token, expires_at: expiresAt.toISOString() });
}

/** The WebSocket URL follows the Host the page was loaded from, so localhost and 127.0.0.1 both work. */
export function handleConfig(
  request: IncomingMessage,
  response: ServerResponse,
  settings: { devLogin: boolean; fallbackHost: string; callPolicy: CallPolicy },
): void {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    refuse(response, 405, 'method_not_allowed', 'Use GET');
    return;
  }
  const host = request.headers.host || settings.fallbackHost;
  const config: ClientConfig = {
    websocketUrl: `ws://${host}/`,
    devLogin: settings.devLogin,
    iceServers: [],
    callPolicy: settings.callPolicy,
    // The whiteboard API: its own route table, on the same port under its own path.
    whiteboard_websocket_url: `ws://${host}${WHITEBOARD_LOCAL_PATH}`,
  };
  sendJson(response, 200, config);
}
