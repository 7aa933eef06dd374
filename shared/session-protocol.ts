/**
 * The whiteboard API's wire contract (shared/PROTOCOL.md, "Whiteboard session calls"): the session
 * call's messages, in a module of their own because they travel on a WebSocket API of their own
 * (its own route table: a chat socket cannot send them, a whiteboard socket cannot send chat calls'
 * messages). The same schemas validate on the server and in the browser.
 */
import * as v from 'valibot';
import { CallQualitySummarySchema } from './call-quality';
import { ERROR_CODES } from './errors';
import { SessionIdSchema } from './session-id';
import {
  MAX_CALL_GRANT_CHARS,
  MAX_CANDIDATES_PER_MESSAGE,
  MAX_HISTORY_LIMIT,
  MAX_NAME_CHARS,
  MAX_SDP_CHARS,
  MAX_URL_CHARS,
} from './limits';
import {
  CALL_ID_PATTERN,
  CallIdSchema,
  CallTypeSchema,
  IceCandidateSchema,
  IceServersQuerySchema,
  IceServersSchema,
  PingSchema,
  PongSchema,
  ProfileIdSchema,
  ProfileTypeSchema,
} from './protocol';

/** A session grant as a client passes it on (see `lambdas/auth/session-grant.ts`); verified by the server. */
export const SessionGrantSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_CALL_GRANT_CHARS));

/** The two members of a session, by the role the platform gave them. */
export const SESSION_ROLES = ['tutor', 'student'] as const;
export type SessionRole = (typeof SESSION_ROLES)[number];
export const SessionRoleSchema = v.picklist(SESSION_ROLES);

export const SESSION_CALL_STATUSES = ['waiting', 'active', 'ended'] as const;
export type SessionCallStatus = (typeof SESSION_CALL_STATUSES)[number];
export const SESSION_END_REASONS = ['ended_by_member', 'everyone_left', 'window_closed', 'wait_limit'] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

/** Any description a renegotiating peer connection sends: a fresh offer on each generation, its answer. */
export const SignalDescriptionSchema = v.object({
  type: v.picklist(['offer', 'answer']),
  sdp: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_SDP_CHARS)),
});

// ---------------------------------------------------------------------------------------------
// Client → server (each its own route of the whiteboard API)
// ---------------------------------------------------------------------------------------------

const vouched = { session_id: SessionIdSchema, session_grant: SessionGrantSchema };

export const SessionStateSchema = v.object({ type: v.literal('session_state'), ...vouched });

export const SessionJoinSchema = v.object({
  type: v.literal('session_join'),
  ...vouched,
  call_type: v.optional(CallTypeSchema, 'video'),
});

export const SessionSignalSchema = v.pipe(
  v.object({
    type: v.literal('session_signal'),
    call_id: CallIdSchema,
    description: v.optional(SignalDescriptionSchema),
    candidates: v.optional(v.pipe(v.array(IceCandidateSchema), v.minLength(1), v.maxLength(MAX_CANDIDATES_PER_MESSAGE))),
  }),
  v.check((message) => message.description !== undefined || message.candidates !== undefined, 'description or candidates is required'),
);

export const SessionLeaveSchema = v.object({ type: v.literal('session_leave'), call_id: CallIdSchema });
export const SessionEndSchema = v.object({ type: v.literal('session_end'), call_id: CallIdSchema });

export const SessionHistoryQuerySchema = v.object({
  type: v.literal('session_history'),
  ...vouched,
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_HISTORY_LIMIT))),
  before: v.optional(CallIdSchema),
});

/** A member's end-of-call quality summary, kept once per member on the call's log (as `call_quality` is); no reply on success. */
export const SessionQualitySchema = v.object({
  type: v.literal('session_quality'),
  call_id: CallIdSchema,
  summary: CallQualitySummarySchema,
});

export const SESSION_CLIENT_MESSAGE_SCHEMAS = {
  session_state: SessionStateSchema,
  session_join: SessionJoinSchema,
  session_signal: SessionSignalSchema,
  session_leave: SessionLeaveSchema,
  session_end: SessionEndSchema,
  session_history: SessionHistoryQuerySchema,
  session_quality: SessionQualitySchema,
  // The chat API's own two, on this API too: a session page fetches TURN credentials and keeps its socket alive here.
  ice_servers: IceServersQuerySchema,
  ping: PingSchema,
} as const;

type SessionClientSchemas = typeof SESSION_CLIENT_MESSAGE_SCHEMAS;
export type SessionMessageType = keyof SessionClientSchemas;
export type SessionClientMessage = { [T in SessionMessageType]: v.InferOutput<SessionClientSchemas[T]> }[SessionMessageType];
export type SessionClientMessageOf<T extends SessionMessageType> = Extract<SessionClientMessage, { type: T }>;
export type SessionClientMessageInput = { [T in SessionMessageType]: v.InferInput<SessionClientSchemas[T]> }[SessionMessageType];
export const SESSION_MESSAGE_TYPES = Object.keys(SESSION_CLIENT_MESSAGE_SCHEMAS) as SessionMessageType[];

export function isSessionMessageType(type: string): type is SessionMessageType {
  return Object.hasOwn(SESSION_CLIENT_MESSAGE_SCHEMAS, type);
}

// ---------------------------------------------------------------------------------------------
// Server → client
// ---------------------------------------------------------------------------------------------

const IsoTimeSchema = v.pipe(v.string(), v.isoTimestamp());

export const SessionMemberViewSchema = v.object({
  profile_type: ProfileTypeSchema,
  profile_id: ProfileIdSchema,
  /** Joined and on a live socket now. */
  present: v.boolean(),
});

export const SessionCallViewSchema = v.object({
  call_id: CallIdSchema,
  session_id: SessionIdSchema,
  call_type: CallTypeSchema,
  status: v.picklist(SESSION_CALL_STATUSES),
  started_by: SessionRoleSchema,
  members: v.object({ tutor: SessionMemberViewSchema, student: SessionMemberViewSchema }),
  /** Who makes the offer of this generation: the member who joined last while the other was present. */
  offerer: v.nullable(SessionRoleSchema),
  /** Counts joins: on a new one the offerer offers afresh and the other side replaces its peer connection. */
  generation: v.pipe(v.number(), v.integer(), v.minValue(1)),
  end_reason: v.optional(v.picklist(SESSION_END_REASONS)),
  window_ends_at: IsoTimeSchema,
});
export type SessionCallView = v.InferOutput<typeof SessionCallViewSchema>;

/** On every change of the session's call, to every whiteboard socket of both members; and as `session_state`'s answer. */
export const SessionCallMessageSchema = v.object({
  type: v.literal('session_call'),
  session_id: SessionIdSchema,
  call: v.nullable(SessionCallViewSchema),
  sent_at: IsoTimeSchema,
});

/** A `session_signal` forwarded to the other member's joined socket, stamped by the server. */
export const ServerSessionSignalSchema = v.object({
  type: v.literal('session_signal'),
  call_id: CallIdSchema,
  session_id: SessionIdSchema,
  generation: v.pipe(v.number(), v.integer(), v.minValue(1)),
  from_role: SessionRoleSchema,
  from_profile_id: ProfileIdSchema,
  from_profile_type: ProfileTypeSchema,
  from_name: v.nullable(v.pipe(v.string(), v.maxLength(MAX_NAME_CHARS))),
  from_avatar: v.nullable(v.pipe(v.string(), v.maxLength(MAX_URL_CHARS))),
  description: v.optional(SignalDescriptionSchema),
  candidates: v.optional(v.array(IceCandidateSchema)),
  sent_at: IsoTimeSchema,
});

export const SESSION_EVENT_KINDS = ['joined', 'left', 'dropped', 'rejoined'] as const;
export type SessionEventKind = (typeof SESSION_EVENT_KINDS)[number];
export const SessionEventSchema = v.object({ at: IsoTimeSchema, member: SessionRoleSchema, event: v.picklist(SESSION_EVENT_KINDS) });
export type SessionEvent = v.InferOutput<typeof SessionEventSchema>;

const MemberRefSchema = v.object({ profile_type: ProfileTypeSchema, profile_id: v.string() });

/** A `whiteboard_call_history` item as the protocol shows it. */
export const SessionCallLogSchema = v.object({
  call_id: CallIdSchema,
  session_id: SessionIdSchema,
  call_type: CallTypeSchema,
  status: v.picklist(SESSION_CALL_STATUSES),
  started_by: SessionRoleSchema,
  tutor: MemberRefSchema,
  student: MemberRefSchema,
  started_at: IsoTimeSchema,
  /** When both members were first present at once. */
  connected_at: v.nullable(IsoTimeSchema),
  ended_at: v.nullable(IsoTimeSchema),
  end_reason: v.nullable(v.picklist(SESSION_END_REASONS)),
  /** From `connected_at` to `ended_at`; null when the two were never present at once. */
  duration_seconds: v.nullable(v.number()),
  events: v.array(SessionEventSchema),
  /** Each member's end-of-call quality summary (`session_quality`), where that member sent one. */
  quality: v.optional(v.object({ tutor: v.optional(CallQualitySummarySchema), student: v.optional(CallQualitySummarySchema) })),
});
export type SessionCallLog = v.InferOutput<typeof SessionCallLogSchema>;

export const SessionHistorySchema = v.object({
  type: v.literal('session_history'),
  session_id: SessionIdSchema,
  /** Newest first. */
  items: v.array(SessionCallLogSchema),
  next: v.optional(CallIdSchema),
});

/** The same `error` the chat API sends. */
export const SessionErrorSchema = v.object({
  type: v.literal('error'),
  code: v.picklist(ERROR_CODES),
  message: v.string(),
  request_type: v.optional(v.string()),
  call_id: v.optional(CallIdSchema),
});

export const SessionServerMessageSchema = v.variant('type', [
  SessionCallMessageSchema,
  ServerSessionSignalSchema,
  SessionHistorySchema,
  SessionErrorSchema,
  IceServersSchema,
  PongSchema,
]);
export type SessionServerMessage = v.InferOutput<typeof SessionServerMessageSchema>;
export type SessionServerMessageOf<T extends SessionServerMessage['type']> = Extract<SessionServerMessage, { type: T }>;

export type SessionParseResult =
  | { ok: true; message: SessionClientMessage }
  | { ok: false; code: 'invalid_json' | 'invalid_message' | 'unknown_type'; message: string; requestType?: string };

/** Parses one frame of the whiteboard API as a client message. */
export function parseSessionClientMessage(text: string): SessionParseResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, code: 'invalid_json', message: 'The frame is not valid JSON' };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, code: 'invalid_message', message: 'A message must be a JSON object' };
  }
  const type: unknown = (data as { type?: unknown }).type;
  if (typeof type !== 'string') return { ok: false, code: 'invalid_message', message: 'A message needs a string field "type"' };
  if (!isSessionMessageType(type)) {
    return { ok: false, code: 'unknown_type', message: `Unknown message type "${type.slice(0, 64)}"`, requestType: type.slice(0, 64) };
  }
  const result = v.safeParse(SESSION_CLIENT_MESSAGE_SCHEMAS[type], data);
  if (!result.success) {
    const issues = result.issues.slice(0, 3).map((issue) => {
      const path = v.getDotPath(issue);
      return path ? `${path}: ${issue.message}` : issue.message;
    });
    return { ok: false, code: 'invalid_message', message: issues.join('; '), requestType: type };
  }
  return { ok: true, message: result.output };
}

export function parseSessionServerMessage(text: string): SessionServerMessage | undefined {
  try {
    const result = v.safeParse(SessionServerMessageSchema, JSON.parse(text));
    return result.success ? result.output : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a string is a call id (for clients that keep one across reloads). */
export const isCallId = (text: string): boolean => CALL_ID_PATTERN.test(text);
