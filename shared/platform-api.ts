/**
 * The platform's backend API (server to server, IAM-signed): its routes and the JSON it takes and
 * gives, defined once. The function table (`shared/routes.ts`) routes each to its own function,
 * the CDK stack puts them on an HTTP API and the local gateway serves the same routes; the
 * handlers validate with these schemas and the tests speak them.
 */
import * as v from 'valibot';
import { MAX_ID_CHARS, MAX_NAME_CHARS, MAX_PRESENCE_PROFILES } from './limits';
import { PROFILE_ID_PATTERN } from './profile';
import { CallIdSchema, CallTypeSchema, GrantConversationIdSchema, ProfileRefSchema, ProfileTypeSchema } from './protocol';
import { SessionIdSchema } from './session-id';

export const PLATFORM_API_VERSION = 'v1';
/** The HTTP API's one stage: its URL is the API's own, with no stage in the path. */
export const PLATFORM_STAGE = '$default';
/** The IAM action that calling a route takes; its resource is `arn:…:execute-api:{region}:{account}:{api}/$default/{METHOD}{path}`. */
export const INVOKE_ACTION = 'execute-api:Invoke';

export type HttpMethod = 'GET' | 'POST';

export interface HttpRoute {
  method: HttpMethod;
  /** API Gateway's path syntax: `{name}` is a path parameter. */
  path: string;
}

export const PLATFORM_ROUTES = {
  callGrants: { method: 'POST', path: `/${PLATFORM_API_VERSION}/call-grants` },
  presence: { method: 'POST', path: `/${PLATFORM_API_VERSION}/presence` },
  callLogs: { method: 'GET', path: `/${PLATFORM_API_VERSION}/profiles/{profile_type}/{profile_id}/calls` },
  callInvite: { method: 'POST', path: `/${PLATFORM_API_VERSION}/calls/invite` },
  sessionGrants: { method: 'POST', path: `/${PLATFORM_API_VERSION}/session-grants` },
} as const satisfies Record<string, HttpRoute>;

/** API Gateway's route key of an HTTP route: `POST /v1/presence`. */
export const httpRouteKey = (route: HttpRoute): string => `${route.method} ${route.path}`;

/** The path of a route with its parameters filled in (each escaped as one path segment). */
export function routePath(route: HttpRoute, parameters: Readonly<Record<string, string | number>> = {}): string {
  return route.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = parameters[name];
    if (value === undefined) throw new Error(`${route.path} needs the path parameter ${name}`);
    return encodeURIComponent(String(value));
  });
}

// --- POST /v1/call-grants ------------------------------------------------------------------------

export const CallGrantRequestSchema = v.object({
  caller: ProfileRefSchema,
  callee: ProfileRefSchema,
  conversation_id: GrantConversationIdSchema,
  call_type: v.optional(CallTypeSchema),
  /** At most the deployment's `CALL_GRANT_MAX_TTL_SECONDS`; its default when left out. */
  ttl_seconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
});
export type CallGrantRequest = v.InferOutput<typeof CallGrantRequestSchema>;

export interface CallGrantResponse {
  call_grant: string;
  expires_at: string;
}

// --- POST /v1/presence ---------------------------------------------------------------------------

export const PlatformPresenceRequestSchema = v.object({
  profiles: v.pipe(v.array(ProfileRefSchema), v.minLength(1), v.maxLength(MAX_PRESENCE_PROFILES)),
});
export type PlatformPresenceRequest = v.InferOutput<typeof PlatformPresenceRequestSchema>;

export interface PlatformPresenceEntry {
  profile_type: string;
  profile_id: string | number;
  /** As the seed's users list shows it: the profile has at least one live socket. */
  is_online: boolean;
}

export interface PlatformPresenceResponse {
  profiles: PlatformPresenceEntry[];
}

// --- GET /v1/profiles/{profile_type}/{profile_id}/calls -------------------------------------------

/** Path parameters arrive as text (API Gateway decodes them). */
export const CallLogsPathSchema = v.object({
  profile_type: ProfileTypeSchema,
  profile_id: v.pipe(v.string(), v.regex(PROFILE_ID_PATTERN, 'invalid profile id')),
});

/** Query string values arrive as text. */
export const CallLogsQuerySchema = v.object({
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d{1,3}$/, 'limit must be a whole number'), v.transform(Number))),
  before: v.optional(CallIdSchema),
});

// The call log items are the protocol's `CallLog` (shared/protocol.ts), newest first; `next` is the
// `before` of the next page.

// --- POST /v1/calls/invite -----------------------------------------------------------------------

export const CallInviteRequestSchema = v.object({
  caller: v.object({
    ...ProfileRefSchema.entries,
    /** Shown to the callee as seed 000's `caller_name` ("Someone" when left out). */
    name: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(MAX_NAME_CHARS))),
    /** The platform's user id: seed 000's `from_user_id` (the caller's profile id when left out). */
    user_id: v.optional(v.union([v.pipe(v.number(), v.safeInteger()), v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_ID_CHARS))])),
  }),
  callee: ProfileRefSchema,
  conversation_id: v.optional(GrantConversationIdSchema),
  call_type: CallTypeSchema,
});
export type CallInviteRequest = v.InferOutput<typeof CallInviteRequestSchema>;

export interface CallInviteResponse {
  call_id: string;
  /** `initiated`: the callee's sockets ring; `declined`: it never rang (see `end_reason`). */
  status: 'initiated' | 'declined';
  end_reason?: 'offline' | 'busy';
}

// --- POST /v1/session-grants --------------------------------------------------------------------

/** A whiteboard session: its id, its two members and its window (ISO-8601). */
export const SessionGrantRequestSchema = v.pipe(
  v.object({
    session_id: SessionIdSchema,
    tutor: ProfileRefSchema,
    student: ProfileRefSchema,
    starts_at: v.pipe(v.string(), v.isoTimestamp('starts_at must be an ISO-8601 time')),
    ends_at: v.pipe(v.string(), v.isoTimestamp('ends_at must be an ISO-8601 time')),
  }),
  v.check((request) => Date.parse(request.ends_at) > Date.parse(request.starts_at), 'ends_at must be after starts_at'),
);
export type SessionGrantRequest = v.InferOutput<typeof SessionGrantRequestSchema>;

export interface SessionGrantResponse {
  /** For both members: each presents it in `session_join`, `session_state` and `session_history`. */
  grant: string;
  /** The window's end: the grant's `exp`. */
  expires_at: string;
}

// --- Errors --------------------------------------------------------------------------------------

export const PLATFORM_ERROR_CODES = [
  'invalid_json',
  'invalid_request',
  'cannot_call_self',
  'already_in_call',
  'rate_limited',
  'ttl_too_long',
  /** A session grant's window is longer than the service takes, or its two members are one profile. */
  'invalid_session',
  'internal',
] as const;
export type PlatformErrorCode = (typeof PLATFORM_ERROR_CODES)[number];

export interface PlatformErrorBody {
  error: PlatformErrorCode;
  message: string;
}
