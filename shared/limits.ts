/** Limits of the wire contract, shared by the gateway, the handlers and the browser client. */

/** API Gateway closes the socket (1009) on a frame over 32 KB or a message over 128 KB. */
export const MAX_FRAME_BYTES = 32 * 1024;
export const MAX_MESSAGE_BYTES = 128 * 1024;

/** An SDP must fit in one browser frame together with the rest of its message. */
export const MAX_SDP_CHARS = 30_000;
export const MAX_CANDIDATE_CHARS = 1_024;
export const MAX_CANDIDATES_PER_MESSAGE = 50;
export const MAX_PRESENCE_PROFILES = 100;
/**
 * A profile's block list holds at most this many profiles: its settings are one item, read whole on
 * every invitation to the profile (500 entries stay well under DynamoDB's 400 KB item limit).
 */
export const MAX_BLOCKED_PROFILES = 500;
export const MAX_HISTORY_LIMIT = 100;
export const DEFAULT_HISTORY_LIMIT = 20;
export const MAX_NAME_CHARS = 100;
export const MAX_URL_CHARS = 2_048;
export const MAX_REASON_CHARS = 64;
export const MAX_ID_CHARS = 64;
/**
 * A message the two browsers of a call send each other over its data channel (see
 * `peer-protocol.ts`): 16 KiB is what every browser's SCTP stack takes in one message.
 */
export const MAX_PEER_MESSAGE_CHARS = 16 * 1024;
/**
 * An in-call chat message's text (peer-protocol `chat`): a few paragraphs, well inside one peer
 * message with its envelope even when every character is escaped in the JSON.
 */
export const MAX_CHAT_MESSAGE_CHARS = 2_000;

/**
 * The session call's shared whiteboard (`board-protocol.ts`), peer to peer. A stroke travels in
 * chunks of at most `MAX_BOARD_POINTS_PER_MESSAGE` points, so even the largest chunk (four-digit
 * coordinates) stays under `MAX_PEER_MESSAGE_CHARS`. The board as a whole is bounded so that the
 * state handed to a rejoining member stays a few megabytes at most.
 */
export const MAX_BOARD_POINTS_PER_MESSAGE = 1_000;
export const MAX_STROKE_POINTS = 4_000;
export const MAX_BOARD_STROKES = 2_000;
export const MAX_BOARD_POINTS = 200_000;
/** Undone stroke ids per `remove` message. */
export const MAX_BOARD_REMOVALS_PER_MESSAGE = 200;
/** Undone strokes remembered (so a late chunk cannot bring one back); the oldest are forgotten first. */
export const MAX_BOARD_TOMBSTONES = 4_000;

/**
 * A party's end-of-call quality summary (`call_quality`) is taken until this long after its call
 * ended: the client sends it as the call ends, and may have to reconnect first.
 */
export const CALL_QUALITY_WINDOW_SECONDS = 10 * 60;

/** Connection limits of API Gateway WebSocket APIs. */
export const IDLE_TIMEOUT_SECONDS = 10 * 60;
export const MAX_CONNECTION_SECONDS = 2 * 60 * 60;
/** Clients ping at least this often to stay under the idle timeout. */
export const PING_INTERVAL_SECONDS = 5 * 60;

/**
 * The longest a connect token may be valid for (`exp − iat`), overridable per deployment. A socket
 * lives past its token only until its next message, so a short lifetime bounds how long a revoked
 * user keeps a socket.
 */
export const DEFAULT_TOKEN_MAX_LIFETIME_SECONDS = 24 * 60 * 60;

/** Call timers (overridable per deployment through the environment). */
export const DEFAULT_RING_TIMEOUT_SECONDS = 45;
export const DEFAULT_RESUME_GRACE_SECONDS = 60;
/**
 * An answered call is due for a liveness check this long after its answer (or its last resume); from
 * then on the sweeper asks the management API, at most this often, whether both parties' sockets
 * are still there. A party found gone starts the resume grace as a lost `$disconnect` would.
 */
export const DEFAULT_LIVENESS_CHECK_SECONDS = 30;
/**
 * The sweeper drains every due call, a page at a time, until this little of its invocation's time is
 * left (its Lambda timeout is 50 s; one page of 100 calls takes well under a second).
 */
export const SWEEP_TIME_MARGIN_MS = 10_000;

/**
 * Rate limits (messages per second, and the burst that may be saved up), per socket and per
 * profile (all its sockets together). Offers ring devices; lookups (`presence_query`,
 * `call_history`) are how profiles are enumerated, and `call_settings` changes, which may each
 * rewrite a 500-entry block list, share their budget; candidates are the many small messages;
 * everything else shares the fourth budget. Offers are counted in the store per socket and per
 * profile, lookups per profile, so those limits hold across Lambda containers; candidates and the
 * rest are counted by each container, per socket and per profile. Excess gets `error`
 * `rate_limited` (once per episode, see `RATE_LIMITED_REPLY_INTERVAL_MS`).
 */
const SOCKET_RATE_LIMITS = {
  offers: { perSecond: 5, burst: 5 },
  // A contact list asks about up to 100 profiles per query: ten queries at once, then one a second.
  lookups: { perSecond: 1, burst: 10 },
  candidates: { perSecond: 20, burst: 40 },
  other: { perSecond: 20, burst: 40 },
} as const;

export const DEFAULT_RATE_LIMITS = {
  socket: SOCKET_RATE_LIMITS,
  profile: {
    // A person places a call every few seconds at most: ten at once, then one every two seconds.
    offers: { perSecond: 0.5, burst: 10 },
    // The same budgets as one socket's (and set together with them): lookups are a person's, and a
    // profile is in one call at a time, so its sockets together need no more than one socket does.
    lookups: SOCKET_RATE_LIMITS.lookups,
    candidates: SOCKET_RATE_LIMITS.candidates,
    other: SOCKET_RATE_LIMITS.other,
  },
} as const;

/**
 * A socket refused by a rate limit hears `rate_limited` for the first refusal of an episode (until
 * the limit admits it again), and at most this often per class; further refusals are dropped
 * without a reply. Counted by each container, so a socket served by n containers hears at most n.
 */
export const RATE_LIMITED_REPLY_INTERVAL_MS = 1_000;

/**
 * Sockets one profile may hold open; a new one beyond it closes the oldest (`too_many_sockets`):
 * a person opening another tab expects that tab to work.
 */
export const DEFAULT_SOCKETS_PER_PROFILE = 10;

/**
 * Unanswered rings from one caller to one callee: at most this many in any window, and one more
 * each window after that. Every invitation that passed the call policy counts (rang, offline or
 * refused alike); an answered call gives its ring back.
 */
export const DEFAULT_PAIR_RING_LIMIT = 3;
export const DEFAULT_PAIR_RING_WINDOW_SECONDS = 10 * 60;

/**
 * Call grants (see `shared/call-policy.ts`): the platform mints one per call, so its lifetime only
 * has to cover the click to the invitation. A grant that claims to live longer is refused.
 */
export const DEFAULT_CALL_GRANT_TTL_SECONDS = 5 * 60;
export const DEFAULT_CALL_GRANT_MAX_TTL_SECONDS = 5 * 60;
/** How far ahead of this service's clock a grant's `iat` may be (the platform's clock may run ahead). */
export const CALL_GRANT_CLOCK_SKEW_SECONDS = 30;
/** A grant is a few hundred characters; this bounds what the verifier is asked to parse. */
export const MAX_CALL_GRANT_CHARS = 4_096;

/**
 * Whiteboard session calls (overridable per deployment through the environment): how long a call
 * waits for the other member before it ends (`wait_limit`, never past the window's end), and how
 * long both members may be gone at once (dropped sockets) before it ends (`everyone_left`).
 */
export const DEFAULT_SESSION_WAIT_LIMIT_SECONDS = 15 * 60;
export const DEFAULT_SESSION_REJOIN_GRACE_SECONDS = 60;
/** How long before its window a session grant is good: members may join a little early. */
export const DEFAULT_SESSION_EARLY_JOIN_SECONDS = 10 * 60;
/** The longest window a session grant may cover (`ends_at` − `starts_at`). */
export const MAX_SESSION_WINDOW_SECONDS = 12 * 60 * 60;
