/** The core's view of the world: sockets, calls, and the ports through which it reaches them. */
import type { CallQualitySummary } from '../../shared/call-quality';
import type { ConnectFeature } from '../../shared/connect-features';
import type { CallLog, CallStatus, ServerMessage } from '../../shared/protocol';
import type { Identity } from '../../shared/identity';
import type { ProfileKey } from '../../shared/profile';
import type { SessionServerMessage } from '../../shared/session-protocol';
import type { WHITEBOARD_LINE_SYSTEM } from '../../shared/tables';

export type IdKind = 'number' | 'string';

/** A live socket of a profile (an item of `connections`). */
export interface SocketRecord {
  connectionId: string;
  profileKey: ProfileKey;
  connectedAt: string;
  /** What it declared at connect; written once with the record, never changed. */
  features: readonly ConnectFeature[];
}

/** A socket as the profile's sockets are listed: what reaching it takes, and its age (for the socket cap). */
export type LiveSocket = Pick<SocketRecord, 'connectionId' | 'profileKey' | 'connectedAt'>;

export type Party = 'caller' | 'callee';
export type Dropped = Party | 'both';

/**
 * The `caller_connection_id` of a call the platform started (`POST /v1/calls/invite`) until the
 * caller's client offers into it: the caller is then reached on all of its profile's sockets.
 */
export const UNBOUND = '';

/** Who started a call: absent for a caller's own `call_invitation`; `platform` for the backend API's invite. */
export type CallOrigin = 'platform';

/**
 * A call: the protocol's call log columns plus the routing state the core needs while the call
 * lasts (which sockets are in it, its timer). Only the log columns ever reach a client.
 */
export interface CallRecord extends CallLog {
  caller_key: ProfileKey;
  callee_key: ProfileKey;
  caller_id_kind: IdKind;
  callee_id_kind: IdKind;
  caller_name: string | null;
  caller_avatar: string | null;
  callee_name: string | null;
  callee_avatar: string | null;
  /** The caller's socket in the call; `UNBOUND` while a platform-started call waits for the caller's offer. */
  caller_connection_id: string;
  /** Callee sockets the invitation rang; narrowed to the answering (or accepting) socket once answered (or accepted). */
  callee_connection_ids: string[];
  origin?: CallOrigin;
  /** A platform-started call: the callee socket that accepted its `call_invite` (the offer goes there only). */
  accepted_by?: string;
  /** When ringing stops (ISO). */
  expires_at: string;
  /** Set while a timer is pending (ring timeout, resume grace, liveness check): indexed by `by_deadline`. */
  deadline_shard?: string;
  deadline_at?: string;
  /** Whose socket dropped mid-call (or both), until it resumes or the grace runs out. */
  disconnected_party?: Dropped;
  /**
   * The callee's settings refused the call: it never rang, and it is stored without `callee_key`, so
   * it never shows in the callee's history (the callee is still its party to the core).
   */
  hidden_from_callee?: true;
}

/** What the sender of a message is: its socket and the identity its token carried. */
export interface Sender {
  connectionId: string;
  identity: Identity;
  key: ProfileKey;
}

/** A profile's line: the one call it is in, claimed by a conditional write. */
export interface LineRecord {
  profileKey: ProfileKey;
  callId: string;
  callerKey: ProfileKey;
  calleeKey: ProfileKey;
  claimedAt: string;
  /** Set when a whiteboard session call holds the line (its `callId` is then of `whiteboard_call_history`). */
  system?: typeof WHITEBOARD_LINE_SYSTEM;
}

export type ClaimResult = { claimed: true } | { claimed: false; holder: LineRecord | undefined };

/** Fields a state transition sets; `undefined` leaves a field alone, `null` clears it. */
export interface CallChanges {
  status?: CallStatus;
  end_reason?: string | null;
  answered_at?: string;
  ended_at?: string;
  duration_seconds?: number;
  callee_connection_ids?: string[];
  /** One more callee socket for the ringing, appended (two appended at once both stay). */
  callee_connection_added?: string;
  caller_connection_id?: string;
  caller_name?: string | null;
  caller_avatar?: string | null;
  callee_name?: string | null;
  callee_avatar?: string | null;
  participants?: CallRecord['participants'];
  /** The callee's entry of `participants` only (no need to know the caller's to set it). */
  callee_participant_name?: string;
  /** The caller's entry of `participants` only. */
  caller_participant_name?: string;
  accepted_by?: string;
  expires_at?: string;
  deadline_at?: string | null;
  disconnected_party?: Dropped | null;
}

/** A party and the socket the call has it on. */
export interface BoundSocket {
  party: Party;
  connectionId: string;
}

/** The guard of a transition: it applies only if the call is still as the core last saw it. */
export interface CallGuard {
  status: CallStatus;
  /** Ringing calls: only before this time (an answer after `expires_at` is too late). */
  notExpiredAt?: string;
  /** Only if this profile is the callee. */
  calleeKey?: ProfileKey;
  /** Only if each of these parties is still bound to its socket. */
  boundSockets?: readonly BoundSocket[];
  /** Only if this socket is not among the callee's sockets yet. */
  calleeSocketAbsent?: string;
  /** Only if the pending timer is still the one the core saw. */
  deadlineAt?: string;
  /** Only if who is waiting to resume is still what the core saw. */
  dropped?: Dropped | 'nobody';
  /** Only if the caller has a socket in the call (`bound`) or not yet (`unbound`: a platform-started call). */
  callerSocket?: 'bound' | 'unbound';
  /** Only if this callee socket accepted the platform's call (`null`: nobody has accepted it). */
  acceptedBy?: string | null;
  /** Only if nobody accepted the call, or this socket did: who may answer it. */
  answerableBy?: string;
}

export interface CallStore {
  putSocket(socket: SocketRecord, ttlEpochSeconds: number): Promise<void>;
  deleteSocket(connectionId: string): Promise<void>;
  /** The features of each socket whose record is there (eventually consistent: a record is written once, at connect). */
  featuresOf(connectionIds: readonly string[]): Promise<Map<string, readonly ConnectFeature[]>>;
  socketsOf(profileKey: ProfileKey): Promise<LiveSocket[]>;
  isOnline(profileKey: ProfileKey): Promise<boolean>;

  getLine(profileKey: ProfileKey): Promise<LineRecord | undefined>;
  /** Claims a free line, or takes over one still held by `replacing`. */
  claimLine(line: LineRecord, replacing?: string): Promise<ClaimResult>;
  /** Frees the line if `callId` still holds it. */
  releaseLine(profileKey: ProfileKey, callId: string): Promise<void>;

  /** Writes a new call; false if the id exists. */
  createCall(call: CallRecord): Promise<boolean>;
  getCall(callId: string): Promise<CallRecord | undefined>;
  /**
   * Applies `changes` if `guard` holds: then the call as it is after the change (or, with `'before'`,
   * as it was); else, when the store says, the call as it found it.
   */
  updateCall(callId: string, guard: CallGuard, changes: CallChanges, returning?: 'after' | 'before'): Promise<CallWrite>;
  /**
   * Adds one side's end-of-call quality summary to the call's log, once: false when that side's is
   * there already (or there is no such call).
   */
  recordQuality(callId: string, party: Party, summary: CallQualitySummary): Promise<boolean>;
  /** Calls the profile took part in, newest first. */
  callsOf(profileKey: ProfileKey, limit: number, before?: string): Promise<{ items: CallRecord[]; more: boolean }>;
  /**
   * One page (at most `limit`) of the timers due at `now`, earliest first, and where the next page
   * starts (absent on the last page).
   */
  dueTimers(now: string, limit: number, after?: string): Promise<{ timers: DueTimer[]; next?: string }>;
  /**
   * Calls by id, eventually consistent: for the sweeper, whose every write is guarded, so a stale
   * image only makes a guard fail and the call is looked at again on the next sweep.
   */
  getCalls(callIds: readonly string[]): Promise<CallRecord[]>;
}

/**
 * What a guarded write did. A refused one carries the call as the store found it when the store
 * says (DynamoDB and the local store do, on request); absent, there is no such call, or a store
 * that does not say: read it to know.
 */
export type CallWrite = { won: true; call: CallRecord } | { won: false; current?: CallRecord };

/** A pending timer of a call, as the `by_deadline` index lists it. */
export interface DueTimer {
  callId: string;
  deadlineAt: string;
}

/**
 * One step of a shared GCRA token bucket: the conditional writes that admit a message at `nowMs`
 * (see `gcraStep` in rate-limiter.ts for the arithmetic).
 */
export interface GcraStep {
  nowMs: number;
  intervalMs: number;
  /** The theoretical arrival time after a message that finds the bucket full. */
  idleTatMs: number;
  /** The latest theoretical arrival time at which one more message still fits in the burst. */
  latestAdmittedTatMs: number;
  /** By then the bucket is full again whatever happened: the counter may expire. */
  fullAtMs: number;
}

/** What a shared rate counter counts: one socket's or one profile's messages of a class, or one caller's rings to one callee. */
export type RateCounter =
  /** A socket's counter names the profile the socket belongs to: the store may keep it with the profile's. */
  | { scope: 'socket'; rateClass: string; connectionId: string; profileKey: ProfileKey }
  | { scope: 'profile'; rateClass: string; profileKey: ProfileKey }
  | { scope: 'ring_pair'; callerKey: ProfileKey; calleeKey: ProfileKey };

/** A token wanted from a counter, at this step. */
export interface RateTake {
  counter: RateCounter;
  step: GcraStep;
}

/** Rate counters shared by every container (items of `connections`). */
export interface RateTokenStore {
  /** Takes one token; false when the counter is over its rate. */
  takeRateToken(counter: RateCounter, step: GcraStep): Promise<boolean>;
  /**
   * Takes one token from each counter, in order; false at the first that is over its rate (the
   * later ones are left alone). Counters the store keeps on one item move in one write, all or none.
   */
  takeRateTokens(takes: readonly RateTake[]): Promise<boolean>;
  /** Gives one token back (a counted event that turned out not to count); a full bucket stays as it is. */
  returnRateToken(counter: RateCounter, step: GcraStep): Promise<void>;
}

export type DeliveryResult = 'sent' | 'gone';

/** The @connections management API. */
export interface SocketPort {
  post(connectionId: string, payload: string): Promise<DeliveryResult>;
  /** GetConnection: false when the socket is gone (closed, with or without a `$disconnect`). */
  isConnected(connectionId: string): Promise<boolean>;
  /** DeleteConnection: closes the socket (its `$disconnect` follows); a socket already gone is fine. */
  close(connectionId: string): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export interface CallSettings {
  ringTimeoutSeconds: number;
  resumeGraceSeconds: number;
  livenessCheckSeconds: number;
  profileTypes: readonly string[];
}

/**
 * STUN and TURN servers for `ice_servers`: TURN REST credentials signed with `turnSecret` (or the
 * secret stored under `turnSecretArn`), and Kinesis Video Streams' managed TURN through its channels.
 */
export interface IceSettings {
  stunUrls: string[];
  turnUrls: string[];
  turnSecret: string | undefined;
  turnSecretArn: string | undefined;
  kvsChannelArns: string[];
}

/** What the messenger delivers: the chat API's messages, or the whiteboard API's (each API posts only to its own sockets). */
export type OutboundMessage = ServerMessage | SessionServerMessage;
