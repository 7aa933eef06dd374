/**
 * The routing line: one JSON line per routing decision, the same locally and in CloudWatch. The
 * core decides it, the handlers write it, and the CDK observability construct builds its metric
 * filters and queries on its fields, so all three read its shape here.
 */

import type { CallQualityRating } from './call-quality';

export type Outcome =
  | 'connected'
  | 'disconnected'
  | 'ringing'
  /** A callee socket accepted a call the platform started; the caller's sockets are told to offer. */
  | 'accepted'
  | 'declined'
  | 'answered'
  | 'ended'
  | 'missed'
  | 'forwarded'
  | 'dropped'
  | 'peer_reconnecting'
  | 'resumed'
  | 'replied'
  /** Whiteboard session calls: a member joined (or rejoined) the session's call, or left it. */
  | 'joined'
  | 'left'
  /** A party's end-of-call quality summary was added to the call's log. */
  | 'recorded'
  | 'ignored'
  | 'refused';

/** What the core decided, before the handler adds where and how long. */
export interface RoutingDecision {
  call_id: string | null;
  from: string | null;
  to: string | null;
  outcome: Outcome;
  reason: string | null;
  sockets_reached: number;
  gone_sockets: number;
  /** The whiteboard session of a session call's line (absent on chat calls' lines). */
  session_id?: string;
  /** (`recorded` lines) The summary's rating, and whether that side's media went through a TURN relay. */
  rating?: CallQualityRating;
  relayed?: boolean;
}

export interface RoutingLine extends RoutingDecision {
  route: string;
  ms: number;
  request_id: string | null;
  connection_id: string | null;
}
