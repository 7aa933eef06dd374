/**
 * Who the user is and how the page reaches the service: `config.json`, and a sign-in token that
 * comes either from the platform (`#token=…` in the URL fragment, when embedded) or from the local
 * dev sign-in (`POST /dev/token`). The session lives in sessionStorage: per tab, so two tabs can
 * be two different people. So does the last local sign-in the form offers again: a new window
 * starts empty rather than as the person of another window (who could then only call themselves).
 */
import * as v from 'valibot';
import { DEFAULT_CALL_POLICY } from '../../../shared/call-policy';
import { CLIENT_CONFIG_FILE, ClientConfigSchema, DEV_TOKEN_PATH, type ClientConfig } from '../../../shared/client-config';
import { profileIdFromInput, type ProfileId } from '../../../shared/profile';
import { readTokenClaims } from '../client';
import { connectionProblem, SIGN_IN_UNREACHABLE_WORDS, signInServerErrorWords } from './connection-words';

export type AppConfig = ClientConfig;

export async function loadConfig(): Promise<AppConfig> {
  try {
    const response = await fetch(CLIENT_CONFIG_FILE, { cache: 'no-store' });
    const parsed = v.safeParse(ClientConfigSchema, await response.json());
    if (parsed.success) return parsed.output;
  } catch {
    // Fall through to the same-origin default.
  }
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return { websocketUrl: `${scheme}://${location.host}/`, devLogin: false, iceServers: [], callPolicy: DEFAULT_CALL_POLICY };
}

export interface Me {
  profileId: ProfileId;
  profileType: string;
  name: string;
  avatar: string | null;
}

export interface Session {
  me: Me;
  token: string;
  /** ms since epoch; undefined when the token does not say. */
  expiresAt: number | undefined;
  source: 'dev' | 'embedded';
}

/** The platform hands the page its token as `#token=…`. */
const FRAGMENT_TOKEN_PARAMETER = 'token';
const STORAGE_KEY = 'callsignal.session';
const LAST_LOGIN_KEY = 'callsignal.lastLogin';
/** Dev tokens are renewed when they have less than this left. */
const RENEW_BEFORE_MS = 5 * 60 * 1000;

function sessionFromToken(token: string, source: Session['source']): Session | undefined {
  const claims = readTokenClaims(token);
  if (!claims) return undefined;
  return {
    me: { profileId: claims.profile_id, profileType: claims.profile_type, name: claims.name, avatar: claims.avatar ?? null },
    token,
    expiresAt: claims.exp === undefined ? undefined : claims.exp * 1000,
    source,
  };
}

/** The platform's token from `#token=…`; removed from the address bar so it is not shared or bookmarked. */
function takeFragmentToken(): Session | undefined {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get(FRAGMENT_TOKEN_PARAMETER);
  if (!token) return undefined;
  params.delete(FRAGMENT_TOKEN_PARAMETER);
  const rest = params.toString();
  history.replaceState(null, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
  return sessionFromToken(token, 'embedded');
}

export function restoreSession(): Session | undefined {
  const fromFragment = takeFragmentToken();
  if (fromFragment) {
    save(fromFragment);
    return fromFragment;
  }
  const stored = sessionStorage.getItem(STORAGE_KEY);
  const session = stored
    ? sessionFromToken(stored.slice(stored.indexOf(':') + 1), stored.startsWith('dev:') ? 'dev' : 'embedded')
    : undefined;
  if (session?.expiresAt !== undefined && session.expiresAt < Date.now() && session.source === 'embedded') return undefined;
  return session;
}

export function forgetSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

function save(session: Session): void {
  sessionStorage.setItem(STORAGE_KEY, `${session.source}:${session.token}`);
}

export interface DevLogin {
  name: string;
  profileType: string;
  profileId: string;
  /** A picture address, or '' for none (checked with `avatarUrlProblem` before it is sent). */
  avatar: string;
}

const DevLoginSchema = v.object({ name: v.string(), profileType: v.string(), profileId: v.string(), avatar: v.optional(v.string(), '') });

export function lastDevLogin(): DevLogin | undefined {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(LAST_LOGIN_KEY) ?? 'null');
    const result = v.safeParse(DevLoginSchema, parsed);
    return result.success ? result.output : undefined;
  } catch {
    return undefined;
  }
}

const DevTokenSchema = v.object({ token: v.string() });
const DevErrorSchema = v.object({ message: v.string() });

/** Signs in through the local dev endpoint. Numeric ids travel as numbers, like the platform's. */
export async function devSignIn(login: DevLogin): Promise<Session> {
  const response = await fetch(DEV_TOKEN_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      profile_id: profileIdFromInput(login.profileId),
      profile_type: login.profileType,
      name: login.name.trim(),
      ...(login.avatar.trim() ? { avatar: login.avatar.trim() } : {}),
    }),
  }).catch((failure: unknown) => {
    // The browser's own words ("Failed to fetch") say nothing to a person.
    throw new Error(SIGN_IN_UNREACHABLE_WORDS[connectionProblem()], { cause: failure });
  });
  const body: unknown = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = v.safeParse(DevErrorSchema, body);
    if (error.success) throw new Error(error.output.message);
    throw new Error(response.status >= 500 ? signInServerErrorWords(response.status) : `Sign-in failed (HTTP ${response.status})`);
  }
  const parsed = v.safeParse(DevTokenSchema, body);
  const session = parsed.success ? sessionFromToken(parsed.output.token, 'dev') : undefined;
  if (!session) throw new Error('The server sent an unreadable token');
  save(session);
  sessionStorage.setItem(LAST_LOGIN_KEY, JSON.stringify(login));
  localStorage.removeItem(LAST_LOGIN_KEY); // where earlier versions kept it, shared by every window
  return session;
}

/**
 * Told when an embedded page's token has run out (the connection then stops, and the page asks
 * the user to sign in again): dispatched on `window`, and posted to the embedding page, which
 * should load this page again with a fresh `#token=`.
 */
export const TOKEN_EXPIRED_EVENT = 'callsignal:token-expired';

function announceExpiredToken(): void {
  window.dispatchEvent(new CustomEvent(TOKEN_EXPIRED_EVENT));
  // Only the event's name travels, never the token, so any embedding origin may hear it.
  if (window.parent !== window) window.parent.postMessage({ type: TOKEN_EXPIRED_EVENT }, '*');
}

/**
 * The token for the next connection attempt (asked again after the server closed a socket whose
 * token expired): dev tokens are renewed before they expire; an embedded page cannot renew its own.
 */
export function tokenSource(session: Session): () => Promise<string> {
  let current = session;
  return async () => {
    const expiring = current.expiresAt !== undefined && current.expiresAt - Date.now() < RENEW_BEFORE_MS;
    if (current.source === 'dev' && expiring) {
      const { name, profileType, profileId, avatar } = current.me;
      current = await devSignIn({ name, profileType, profileId: String(profileId), avatar: avatar ?? '' });
    }
    if (current.source === 'embedded' && current.expiresAt !== undefined && current.expiresAt <= Date.now()) announceExpiredToken();
    return current.token;
  };
}
