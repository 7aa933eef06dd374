/**
 * Environment variable names given to the handlers, defined once: the local gateway sets them
 * in its own process, the CDK stack sets them on every function.
 */
export const ENV = {
  connectionsTable: 'CONNECTIONS_TABLE',
  callLogsTable: 'CALL_LOGS_TABLE',
  profileSettingsTable: 'PROFILE_SETTINGS_TABLE',
  /** Base URL of the @connections management API, for example `https://{api}.execute-api.{region}.amazonaws.com/{stage}`. */
  managementEndpoint: 'WEBSOCKET_MANAGEMENT_ENDPOINT',
  ringTimeoutSeconds: 'RING_TIMEOUT_SECONDS',
  resumeGraceSeconds: 'RESUME_GRACE_SECONDS',
  /** How often the sweeper asks whether both parties of an answered call still have their sockets. */
  livenessCheckSeconds: 'LIVENESS_CHECK_SECONDS',
  /** Comma-separated profile types that may connect (defaults to tutor, student, parent, advertiser). */
  profileTypes: 'PROFILE_TYPES',
  /** The JWT signing secret itself (local), or the ARN of the secret that holds it (AWS). */
  jwtSecret: 'JWT_SECRET',
  jwtSecretArn: 'JWT_SECRET_ARN',
  /** Comma-separated STUN URLs offered by `ice_servers`. */
  stunUrls: 'STUN_URLS',
  /** Comma-separated TURN URLs and the shared secret for short-lived TURN credentials (TURN REST API). */
  turnUrls: 'TURN_URLS',
  turnSecret: 'TURN_SECRET',
  /** On AWS: the ARN of the Secrets Manager secret holding that shared secret (read once per container). */
  turnSecretArn: 'TURN_SECRET_ARN',
  /** Comma-separated ARNs of the Kinesis Video Streams signaling channels whose managed TURN `ice_servers` hands out. */
  kvsChannelArns: 'KVS_CHANNEL_ARNS',
  logLevel: 'LOG_LEVEL',
  /** Connect tokens whose `exp − iat` is longer than this are refused (defaults in `shared/limits.ts`). */
  tokenMaxLifetimeSeconds: 'TOKEN_MAX_LIFETIME_SECONDS',
  /** When set, connect tokens must carry this `iss` / this `aud`. */
  tokenIssuer: 'TOKEN_ISSUER',
  tokenAudience: 'TOKEN_AUDIENCE',
  /**
   * Rate limits in messages per second (defaults in `shared/limits.ts`): offers per socket;
   * candidates and the rest per socket and per profile alike. A rate given without its burst keeps
   * the default's ratio of burst to rate.
   */
  rateLimitOffers: 'RATE_LIMIT_OFFERS_PER_SECOND',
  rateLimitCandidates: 'RATE_LIMIT_CANDIDATES_PER_SECOND',
  rateLimitOther: 'RATE_LIMIT_OTHER_PER_SECOND',
  /** Offers per profile, across its sockets, and the burst. */
  profileRateLimitOffers: 'PROFILE_RATE_LIMIT_OFFERS_PER_SECOND',
  profileRateLimitOffersBurst: 'PROFILE_RATE_LIMIT_OFFERS_BURST',
  /** Lookups (`presence_query`, `call_history`) per profile and per socket, and the burst. */
  rateLimitLookups: 'RATE_LIMIT_LOOKUPS_PER_SECOND',
  rateLimitLookupsBurst: 'RATE_LIMIT_LOOKUPS_BURST',
  /** Sockets one profile may hold open; a new one beyond it closes the oldest. */
  socketsPerProfile: 'SOCKETS_PER_PROFILE',
  /** Unanswered rings from one caller to one callee: at most this many in any window of this many seconds. */
  pairRingLimit: 'PAIR_RING_LIMIT',
  pairRingWindowSeconds: 'PAIR_RING_WINDOW_SECONDS',
  /** Who may call whom: `open` (any profile) or `conversation` (a call grant from the platform is required). */
  callPolicy: 'CALL_POLICY',
  /** The longest lifetime (`exp` − `iat`, seconds) a call grant may have. */
  callGrantMaxTtlSeconds: 'CALL_GRANT_MAX_TTL_SECONDS',
  /** Whiteboard session calls: their table, the whiteboard API's @connections endpoint, their timers (`shared/limits.ts`). */
  whiteboardCallHistoryTable: 'WHITEBOARD_CALL_HISTORY_TABLE',
  whiteboardManagementEndpoint: 'WHITEBOARD_MANAGEMENT_ENDPOINT',
  sessionWaitLimitSeconds: 'SESSION_WAIT_LIMIT_SECONDS',
  sessionRejoinGraceSeconds: 'SESSION_REJOIN_GRACE_SECONDS',
  sessionEarlyJoinSeconds: 'SESSION_EARLY_JOIN_SECONDS',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];
