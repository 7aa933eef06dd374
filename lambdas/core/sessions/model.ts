/** The whiteboard session call core's view: a session call, its members, and the ports it reaches the world through. */
import type { CallQualitySummary } from '../../../shared/call-quality';
import type { ProfileKey } from '../../../shared/profile';
import type { CallLog } from '../../../shared/protocol';
import type { SessionCallStatus, SessionEndReason, SessionEvent, SessionRole } from '../../../shared/session-protocol';
import type { IdKind, LiveSocket } from '../model';

/** One member of a session call: who (from the grant), and whether and where it is in the call now. */
export interface SessionMember {
  key: ProfileKey;
  profile_type: string;
  profile_id: string;
  id_kind: IdKind;
  /** From the member's token, the last time it joined. */
  name: string | null;
  avatar: string | null;
  /** The whiteboard socket it joined from, while present. */
  socket: string | null;
  /** Since when it has been gone (dropped or left); null while present or before it ever joined. */
  absent_since: string | null;
  ever_joined: boolean;
}

/** A session call: the `whiteboard_call_history` item (its state while open, its log afterwards). */
export interface SessionCallRecord {
  call_id: string;
  session_id: string;
  call_type: CallLog['call_type'];
  status: SessionCallStatus;
  started_by: SessionRole;
  started_at: string;
  connected_at: string | null;
  ended_at: string | null;
  end_reason: SessionEndReason | null;
  duration_seconds: number | null;
  tutor: SessionMember;
  student: SessionMember;
  offerer: SessionRole | null;
  generation: number;
  window_ends_at: string;
  /** When a call the other member never came to ends (`wait_limit`): at most the window's end. */
  wait_until: string;
  events: SessionEvent[];
  /** Every write is guarded by the version it read (optimistic concurrency: one conditional put). */
  version: number;
  /** The earliest pending timer (window end, wait limit, rejoin grace), while open: indexed by `by_deadline`. */
  deadline_at: string | null;
  /** Each member's end-of-call quality summary, written once each (`session_quality`). */
  tutor_quality?: CallQualitySummary;
  student_quality?: CallQualitySummary;
}

export interface SessionSettings {
  waitLimitSeconds: number;
  rejoinGraceSeconds: number;
}

/** A whiteboard socket of a profile, as `connections` records it. */
export interface WhiteboardSocket {
  connectionId: string;
  profileKey: ProfileKey;
  /** The session call it joined last, if any (its `$disconnect` is then that member's drop). */
  callId: string | null;
}

export interface SessionStore {
  putWhiteboardSocket(socket: LiveSocket, ttlEpochSeconds: number): Promise<void>;
  /** The socket's record, then deleted. */
  takeWhiteboardSocket(connectionId: string): Promise<WhiteboardSocket | undefined>;
  /** Marks the socket as in this call, if its record still exists. */
  bindWhiteboardSocket(connectionId: string, callId: string): Promise<void>;
  whiteboardSocketsOf(profileKey: ProfileKey): Promise<LiveSocket[]>;

  /** The session's open call id, if its pointer is set. */
  openCallOf(sessionId: string): Promise<string | undefined>;
  /** Sets the pointer if absent, or if it still names `replacing` (a call found over). */
  pointSession(sessionId: string, callId: string, replacing?: string): Promise<boolean>;
  /** Clears the pointer if it still names `callId`. */
  clearSession(sessionId: string, callId: string): Promise<void>;

  getCall(callId: string): Promise<SessionCallRecord | undefined>;
  /** Writes a new call; false if the id exists. */
  createCall(call: SessionCallRecord): Promise<boolean>;
  /** Writes `next` if the stored call is still at `expectedVersion`. */
  replaceCall(next: SessionCallRecord, expectedVersion: number): Promise<boolean>;
  /** Adds the member's end-of-call quality summary, once: false when that member's is there already. */
  recordQuality(callId: string, role: SessionRole, summary: CallQualitySummary): Promise<boolean>;
  /** The session's calls, newest first. */
  callsOfSession(sessionId: string, limit: number, before?: string): Promise<{ items: SessionCallRecord[]; more: boolean }>;
  /** Ids of open calls whose earliest timer is due at `now`. */
  dueCalls(now: string, limit: number): Promise<string[]>;
}
