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
 * Per-socket rate limits (messages per second, and the burst a socket may save up). Offers are
 * the expensive messages (they ring devices), candidates the many small ones; everything else
 * shares the third budget. Excess gets `error` `rate_limited`. Offers are counted in the store, so
 * their limit holds across Lambda containers; the other two are counted by each container.
 */
export const DEFAULT_RATE_LIMITS = {
  offers: { perSecond: 5, burst: 5 },
  candidates: { perSecond: 20, burst: 40 },
  other: { perSecond: 20, burst: 40 },
} as const;

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
