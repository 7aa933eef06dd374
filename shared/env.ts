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
  logLevel: 'LOG_LEVEL',
  /** Connect tokens whose `exp − iat` is longer than this are refused (defaults in `shared/limits.ts`). */
  tokenMaxLifetimeSeconds: 'TOKEN_MAX_LIFETIME_SECONDS',
  /** When set, connect tokens must carry this `iss` / this `aud`. */
  tokenIssuer: 'TOKEN_ISSUER',
  tokenAudience: 'TOKEN_AUDIENCE',
  /** Per-socket rate limits in messages per second (defaults in `shared/limits.ts`). */
  rateLimitOffers: 'RATE_LIMIT_OFFERS_PER_SECOND',
  rateLimitCandidates: 'RATE_LIMIT_CANDIDATES_PER_SECOND',
  rateLimitOther: 'RATE_LIMIT_OTHER_PER_SECOND',
  /** Who may call whom: `open` (any profile) or `conversation` (a call grant from the platform is required). */
  callPolicy: 'CALL_POLICY',
  /** The longest lifetime (`exp` − `iat`, seconds) a call grant may have. */
  callGrantMaxTtlSeconds: 'CALL_GRANT_MAX_TTL_SECONDS',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];
