/**
 * The wire contract (shared/PROTOCOL.md) as runtime schemas and the TypeScript types inferred from them.
 * The same schemas validate on the server (handlers) and in the browser (call client).
 */
import * as v from 'valibot';
import { CallQualitySummarySchema } from './call-quality';
import { ERROR_CODES } from './errors';
import {
  MAX_BLOCKED_PROFILES,
  MAX_CANDIDATE_CHARS,
  MAX_CANDIDATES_PER_MESSAGE,
  MAX_CALL_GRANT_CHARS,
  MAX_HISTORY_LIMIT,
  MAX_ID_CHARS,
  MAX_NAME_CHARS,
  MAX_PRESENCE_PROFILES,
  MAX_REASON_CHARS,
  MAX_SDP_CHARS,
  MAX_URL_CHARS,
} from './limits';
import { PROFILE_ID_PATTERN, PROFILE_TYPE_PATTERN } from './profile';

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

/** Call ids are ULIDs: 26 Crockford base32 characters, sortable by creation time. */
export const CALL_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export const CallIdSchema = v.pipe(v.string(), v.regex(CALL_ID_PATTERN, 'call_id must be a server-assigned call id'));
export const ProfileIdSchema = v.union(
  [v.pipe(v.number(), v.safeInteger(), v.minValue(0)), v.pipe(v.string(), v.regex(PROFILE_ID_PATTERN))],
  'profile id must be a non-negative integer or a short string',
);
export const ProfileTypeSchema = v.pipe(v.string(), v.regex(PROFILE_TYPE_PATTERN, 'invalid profile type'));
export const ConversationIdSchema = v.nullish(
  v.union([v.pipe(v.number(), v.safeInteger()), v.pipe(v.string(), v.maxLength(MAX_ID_CHARS))]),
);
/** The conversation a call grant vouches for, and the platform names: a whole number or a non-empty string. */
export const GrantConversationIdSchema = v.union([
  v.pipe(v.number(), v.safeInteger()),
  v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_ID_CHARS)),
]);
export const CallTypeSchema = v.picklist(['voice', 'video']);
/** A call grant as a client passes it on (see `shared/call-policy.ts`); verified by the server. */
export const CallGrantSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_CALL_GRANT_CHARS));
const NameSchema = v.pipe(v.string(), v.maxLength(MAX_NAME_CHARS));

/**
 * (ext) Who may call a profile, its own setting: anyone the deployment's policy lets call
 * (`everyone`, the default), only callers with a call grant for the pair (`conversations`), or no one.
 */
export const WHO_CAN_CALL = ['everyone', 'conversations', 'nobody'] as const;
export type WhoCanCall = (typeof WHO_CAN_CALL)[number];
export const DEFAULT_WHO_CAN_CALL: WhoCanCall = 'everyone';

export const SessionDescriptionSchema = <T extends 'offer' | 'answer'>(type: T) =>
  v.object({
    type: v.literal(type),
    sdp: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_SDP_CHARS)),
  });

/** An RTCIceCandidateInit; `candidate: ""` marks the end of candidates. */
export const IceCandidateSchema = v.object({
  candidate: v.pipe(v.string(), v.maxLength(MAX_CANDIDATE_CHARS)),
  sdpMid: v.nullish(v.pipe(v.string(), v.maxLength(MAX_ID_CHARS))),
  sdpMLineIndex: v.nullish(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1023))),
  usernameFragment: v.nullish(v.pipe(v.string(), v.maxLength(256))),
});
export type IceCandidate = v.InferOutput<typeof IceCandidateSchema>;

/** Fields a seed-format client sends to address the other party; the server matches by socket instead. */
const addressing = {
  call_id: v.optional(CallIdSchema),
  conversation_id: ConversationIdSchema,
  to_profile_id: v.optional(ProfileIdSchema),
  to_profile_type: v.optional(ProfileTypeSchema),
};

// ---------------------------------------------------------------------------------------------
// Messages from a client. Unknown keys (such as spoofed `from_*`) are stripped by `v.object`.
// ---------------------------------------------------------------------------------------------

export const CallInvitationSchema = v.object({
  type: v.literal('call_invitation'),
  call_type: CallTypeSchema,
  to_profile_id: ProfileIdSchema,
  to_profile_type: ProfileTypeSchema,
  offer: SessionDescriptionSchema('offer'),
  conversation_id: ConversationIdSchema,
  /** (ext) The platform's call grant for this caller, callee and conversation (see `shared/call-policy.ts`). */
  call_grant: v.optional(CallGrantSchema),
  /** (ext) The call the platform started and the callee accepted (`call_invite_accepted`): this is its offer. */
  call_id: v.optional(CallIdSchema),
});

export const CallAnswerSchema = v.object({
  type: v.literal('call_answer'),
  answer: SessionDescriptionSchema('answer'),
  ...addressing,
});

export const IceCandidateMessageSchema = v.pipe(
  v.object({
    type: v.literal('ice_candidate'),
    candidate: v.optional(IceCandidateSchema),
    candidates: v.optional(v.pipe(v.array(IceCandidateSchema), v.minLength(1), v.maxLength(MAX_CANDIDATES_PER_MESSAGE))),
    ...addressing,
  }),
  v.check(
    (message) => (message.candidate === undefined) !== (message.candidates === undefined),
    'exactly one of candidate or candidates is required',
  ),
);

export const CallDeclinedSchema = v.object({
  type: v.literal('call_declined'),
  reason: v.optional(v.picklist(['rejected', 'busy']), 'rejected'),
  ...addressing,
});

export const CallEndedSchema = v.object({
  type: v.literal('call_ended'),
  reason: v.optional(v.pipe(v.string(), v.maxLength(MAX_REASON_CHARS))),
  ...addressing,
});

export const PingSchema = v.object({
  type: v.literal('ping'),
  ts: v.optional(v.union([v.number(), v.pipe(v.string(), v.maxLength(MAX_ID_CHARS))])),
});

export const ProfileRefSchema = v.object({ profile_id: ProfileIdSchema, profile_type: ProfileTypeSchema });

export const PresenceQuerySchema = v.object({
  type: v.literal('presence_query'),
  profiles: v.pipe(
    v.array(
      v.object({
        ...ProfileRefSchema.entries,
        /** (ext) A call grant for the asker calling this profile: what a profile that takes calls from its conversations only asks. */
        call_grant: v.optional(CallGrantSchema),
      }),
    ),
    v.maxLength(MAX_PRESENCE_PROFILES),
  ),
});

export const CallHistoryQuerySchema = v.object({
  type: v.literal('call_history'),
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_HISTORY_LIMIT))),
  before: v.optional(CallIdSchema),
});

export const CallResumeSchema = v.object({
  type: v.literal('call_resume'),
  call_id: CallIdSchema,
  /**
   * (ext) Sent by a callee device the call was ringing on: bind the new socket to the ringing (or
   * hear how the call ended), never take an answered call over.
   */
  ringing: v.optional(v.boolean()),
});

export const IceServersQuerySchema = v.object({ type: v.literal('ice_servers') });

/** (ext) A callee's socket accepts a call the platform started (`call_invite`). */
export const CallInviteAcceptSchema = v.object({
  type: v.literal('call_invite_accept'),
  call_id: CallIdSchema,
});

/** (ext) Reads the sender's call settings; any field given changes them (see PROTOCOL.md, "Call settings"). */
export const CallSettingsQuerySchema = v.object({
  type: v.literal('call_settings'),
  who_can_call: v.optional(v.picklist(WHO_CAN_CALL, `who_can_call must be one of ${WHO_CAN_CALL.join(', ')}`)),
  /** Added to the block list (already blocked: kept where it is); `name` is what the list shows. */
  block: v.optional(
    v.pipe(
      v.array(v.object({ ...ProfileRefSchema.entries, name: v.nullish(NameSchema) })),
      v.maxLength(MAX_BLOCKED_PROFILES, `at most ${MAX_BLOCKED_PROFILES} profiles at once`),
    ),
  ),
  unblock: v.optional(
    v.pipe(v.array(ProfileRefSchema), v.maxLength(MAX_BLOCKED_PROFILES, `at most ${MAX_BLOCKED_PROFILES} profiles at once`)),
  ),
});

/**
 * (ext) A later offer or answer of an answered call (perfect negotiation: an ICE restart, a screen
 * or camera added); forwarded to the other party's bound socket. The callee is the polite peer.
 */
export const CallRenegotiateSchema = v.object({
  type: v.literal('call_renegotiate'),
  call_id: CallIdSchema,
  description: v.variant('type', [SessionDescriptionSchema('offer'), SessionDescriptionSchema('answer')]),
});

/**
 * (ext) One side's end-of-call quality summary, sent once when its call ends (the call may be over
 * already). Kept on the call's log under the sender's side; no reply on success.
 */
export const CallQualitySchema = v.object({
  type: v.literal('call_quality'),
  call_id: CallIdSchema,
  summary: CallQualitySummarySchema,
});

/** Every client message's schema by its `type`: the router's table, and the source of the types below. */
export const CLIENT_MESSAGE_SCHEMAS = {
  call_invitation: CallInvitationSchema,
  call_answer: CallAnswerSchema,
  ice_candidate: IceCandidateMessageSchema,
  call_declined: CallDeclinedSchema,
  call_ended: CallEndedSchema,
  ping: PingSchema,
  presence_query: PresenceQuerySchema,
  call_history: CallHistoryQuerySchema,
  call_resume: CallResumeSchema,
  ice_servers: IceServersQuerySchema,
  call_invite_accept: CallInviteAcceptSchema,
  call_settings: CallSettingsQuerySchema,
  call_renegotiate: CallRenegotiateSchema,
  call_quality: CallQualitySchema,
} as const;

type ClientSchemas = typeof CLIENT_MESSAGE_SCHEMAS;
export type ClientMessageType = keyof ClientSchemas;
export type ClientMessage = { [T in ClientMessageType]: v.InferOutput<ClientSchemas[T]> }[ClientMessageType];
export type ClientMessageOf<T extends ClientMessageType> = Extract<ClientMessage, { type: T }>;
/** What a client may send, before defaults are applied (for example `call_declined` without `reason`). */
export type ClientMessageInput = { [T in ClientMessageType]: v.InferInput<ClientSchemas[T]> }[ClientMessageType];

export const CLIENT_MESSAGE_TYPES = Object.keys(CLIENT_MESSAGE_SCHEMAS) as ClientMessageType[];

export function isClientMessageType(type: string): type is ClientMessageType {
  return Object.hasOwn(CLIENT_MESSAGE_SCHEMAS, type);
}

// ---------------------------------------------------------------------------------------------
// Messages from the server
// ---------------------------------------------------------------------------------------------

const IsoTimeSchema = v.pipe(v.string(), v.isoTimestamp());

/** Fields stamped on everything forwarded: the call, the conversation and the sender, from its token. */
const envelope = {
  call_id: CallIdSchema,
  conversation_id: v.nullable(v.union([v.number(), v.string()])),
  from_profile_id: ProfileIdSchema,
  from_profile_type: ProfileTypeSchema,
  from_name: v.nullable(v.pipe(v.string(), v.maxLength(MAX_NAME_CHARS))),
  from_avatar: v.nullable(v.pipe(v.string(), v.maxLength(MAX_URL_CHARS))),
  sent_at: IsoTimeSchema,
};
export type Envelope = v.InferOutput<v.ObjectSchema<typeof envelope, undefined>>;

export const DECLINE_REASONS = ['offline', 'busy', 'rejected', 'timeout'] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];
export const END_REASONS = [
  'hangup',
  'cancelled',
  'timeout',
  'disconnected',
  'answered_elsewhere',
  'declined_elsewhere',
  /** Sent to a party's previous socket when another device of that party took the call over with `call_resume`. */
  'resumed_elsewhere',
] as const;
export type EndReason = (typeof END_REASONS)[number];

export const ServerCallInvitationSchema = v.object({
  type: v.literal('call_invitation'),
  ...envelope,
  call_type: CallTypeSchema,
  to_profile_id: ProfileIdSchema,
  to_profile_type: ProfileTypeSchema,
  offer: SessionDescriptionSchema('offer'),
  expires_at: IsoTimeSchema,
});

/**
 * (ext) A call the platform's backend started (`POST /v1/calls/invite`), to every socket of the
 * callee: seed 000's `call_invite` fields unchanged (`from_user_id`, `call_id`, `caller_name`,
 * `timestamp`), plus the protocol's usual ones. It carries no offer: the caller's client sends
 * that once the callee accepted (`call_invite_accept`).
 */
export const CallInviteSchema = v.object({
  type: v.literal('call_invite'),
  from_user_id: v.string(),
  caller_name: v.string(),
  timestamp: IsoTimeSchema,
  ...envelope,
  call_type: CallTypeSchema,
  expires_at: IsoTimeSchema,
});

/** (ext) To every socket of the caller, once a callee socket accepted the platform's call: send the offer now. */
export const CallInviteAcceptedSchema = v.object({
  type: v.literal('call_invite_accepted'),
  ...envelope,
  call_type: CallTypeSchema,
  expires_at: IsoTimeSchema,
});

export const CallRingingSchema = v.object({
  type: v.literal('call_ringing'),
  call_id: CallIdSchema,
  conversation_id: envelope.conversation_id,
  to_profile_id: ProfileIdSchema,
  to_profile_type: ProfileTypeSchema,
  devices: v.pipe(v.number(), v.integer(), v.minValue(1)),
  expires_at: IsoTimeSchema,
  sent_at: IsoTimeSchema,
});

export const ServerCallAnswerSchema = v.object({
  type: v.literal('call_answer'),
  ...envelope,
  answer: SessionDescriptionSchema('answer'),
});

export const ServerIceCandidateSchema = v.object({
  type: v.literal('ice_candidate'),
  ...envelope,
  candidate: v.optional(IceCandidateSchema),
  candidates: v.optional(v.array(IceCandidateSchema)),
});

export const ServerCallDeclinedSchema = v.object({
  type: v.literal('call_declined'),
  ...envelope,
  reason: v.picklist(DECLINE_REASONS),
});

export const ServerCallEndedSchema = v.object({
  type: v.literal('call_ended'),
  ...envelope,
  reason: v.picklist(END_REASONS),
});

export const PeerReconnectingSchema = v.object({
  type: v.literal('peer_reconnecting'),
  ...envelope,
  grace_seconds: v.number(),
});

/** (ext) Sent to both parties when a participant's new socket has taken over an answered call. */
export const CallResumedSchema = v.object({
  type: v.literal('call_resumed'),
  ...envelope,
});

/** (ext) The other party's `call_renegotiate`, as sent. */
export const ServerCallRenegotiateSchema = v.object({
  type: v.literal('call_renegotiate'),
  ...envelope,
  description: CallRenegotiateSchema.entries.description,
});

export const ErrorMessageSchema = v.object({
  type: v.literal('error'),
  code: v.picklist(ERROR_CODES),
  message: v.string(),
  request_type: v.optional(v.string()),
  call_id: v.optional(CallIdSchema),
});

export const PongSchema = v.object({
  type: v.literal('pong'),
  ts: v.optional(v.union([v.number(), v.string()])),
  sent_at: IsoTimeSchema,
});

export const PresenceSchema = v.object({
  type: v.literal('presence'),
  profiles: v.array(v.object({ profile_id: ProfileIdSchema, profile_type: ProfileTypeSchema, online: v.boolean() })),
});

export const CALL_STATUSES = ['initiated', 'answered', 'ended', 'declined', 'missed'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];
export const FINAL_CALL_STATUSES: readonly CallStatus[] = ['ended', 'declined', 'missed'];

/** A `call_logs` item as the protocol shows it (ids as strings, times as ISO-8601). */
export const CallLogSchema = v.object({
  call_id: CallIdSchema,
  conversation_id: v.nullable(v.union([v.number(), v.string()])),
  caller_profile_id: v.string(),
  caller_profile_type: v.string(),
  caller_user_id: v.nullable(v.string()),
  callee_profile_id: v.string(),
  callee_profile_type: v.string(),
  call_type: CallTypeSchema,
  status: v.picklist(CALL_STATUSES),
  end_reason: v.nullable(v.string()),
  started_at: IsoTimeSchema,
  answered_at: v.nullable(IsoTimeSchema),
  ended_at: v.nullable(IsoTimeSchema),
  duration_seconds: v.nullable(v.number()),
  participants: v.array(v.object({ profile_id: v.string(), profile_type: v.string(), name: v.nullable(v.string()) })),
  created_at: IsoTimeSchema,
  /** (ext) Each side's end-of-call quality summary (`call_quality`), where that side sent one. */
  quality: v.optional(
    v.object({
      caller: v.optional(CallQualitySummarySchema),
      callee: v.optional(CallQualitySummarySchema),
    }),
  ),
});
export type CallLog = v.InferOutput<typeof CallLogSchema>;

export const CallHistorySchema = v.object({
  type: v.literal('call_history'),
  items: v.array(CallLogSchema),
  next: v.optional(CallIdSchema),
});

export const IceServerSchema = v.object({
  urls: v.union([v.string(), v.array(v.string())]),
  username: v.optional(v.string()),
  credential: v.optional(v.string()),
});
export type IceServer = v.InferOutput<typeof IceServerSchema>;

export const IceServersSchema = v.object({
  type: v.literal('ice_servers'),
  ice_servers: v.array(IceServerSchema),
  ttl: v.number(),
});

export const BlockedProfileSchema = v.object({
  profile_id: ProfileIdSchema,
  profile_type: ProfileTypeSchema,
  name: v.nullable(NameSchema),
});
export type BlockedProfileEntry = v.InferOutput<typeof BlockedProfileSchema>;

/** (ext) A profile's call settings, to every socket of the profile whenever they change. */
export const ServerCallSettingsSchema = v.object({
  type: v.literal('call_settings'),
  who_can_call: v.picklist(WHO_CAN_CALL),
  /** Newest first. */
  blocked: v.array(BlockedProfileSchema),
  sent_at: IsoTimeSchema,
});

export const ServerMessageSchema = v.variant('type', [
  ServerCallInvitationSchema,
  CallInviteSchema,
  CallInviteAcceptedSchema,
  CallRingingSchema,
  ServerCallAnswerSchema,
  ServerIceCandidateSchema,
  ServerCallDeclinedSchema,
  ServerCallEndedSchema,
  PeerReconnectingSchema,
  CallResumedSchema,
  ErrorMessageSchema,
  PongSchema,
  PresenceSchema,
  CallHistorySchema,
  IceServersSchema,
  ServerCallSettingsSchema,
  ServerCallRenegotiateSchema,
]);

export type ServerMessage = v.InferOutput<typeof ServerMessageSchema>;
export type ServerMessageType = ServerMessage['type'];
export type ServerMessageOf<T extends ServerMessageType> = Extract<ServerMessage, { type: T }>;

// ---------------------------------------------------------------------------------------------
// Parsing a frame
// ---------------------------------------------------------------------------------------------

export type ParseResult<T> =
  | { ok: true; message: T }
  | { ok: false; code: 'invalid_json' | 'invalid_message' | 'unknown_type'; message: string; requestType?: string };

/** Parses one frame's text as a client message: the single place where untrusted input becomes typed. */
export function parseClientMessage(text: string): ParseResult<ClientMessage> {
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
  if (typeof type !== 'string') {
    return { ok: false, code: 'invalid_message', message: 'A message needs a string field "type"' };
  }
  if (!isClientMessageType(type)) {
    return { ok: false, code: 'unknown_type', message: `Unknown message type "${type.slice(0, 64)}"`, requestType: type.slice(0, 64) };
  }
  const result = v.safeParse(CLIENT_MESSAGE_SCHEMAS[type], data);
  if (!result.success) {
    return { ok: false, code: 'invalid_message', message: describeIssues(result.issues), requestType: type };
  }
  return { ok: true, message: result.output };
}

export function parseServerMessage(text: string): ServerMessage | undefined {
  try {
    const result = v.safeParse(ServerMessageSchema, JSON.parse(text));
    return result.success ? result.output : undefined;
  } catch {
    return undefined;
  }
}

/** The first few problems a schema found, each with the path of the field it is about. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const path = v.getDotPath(issue);
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
