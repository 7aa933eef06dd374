/** The vocabulary of a call shared by the call, the client and the UI. */
import type { ProfileId } from '../../../shared/profile';
import type { CallError } from './errors';

export type CallType = 'voice' | 'video';
export type CallDirection = 'outgoing' | 'incoming';

/**
 * `calling`: the invitation is on its way (outgoing); `ringing`: it rings on the callee's devices
 * (both sides); `connecting`: answered, media is being connected; `connected`: media flows;
 * `ended`: over, see `CallEnd`.
 */
export type CallState = 'calling' | 'ringing' | 'connecting' | 'connected' | 'ended';

/** Why a call ended, from this client's point of view. */
export type CallEndReason =
  /** I hung up an answered call. */
  | 'hangup'
  /** I cancelled my outgoing call before it was answered. */
  | 'cancelled'
  /** I declined an incoming call. */
  | 'declined'
  /** The peer hung up. */
  | 'peer_hangup'
  /** The caller cancelled before I answered. */
  | 'peer_cancelled'
  /** My outgoing call: the callee declined, was busy, was offline, or did not answer in time. */
  | 'rejected'
  | 'busy'
  | 'offline'
  | 'no_answer'
  /** An incoming call rang out unanswered. */
  | 'missed'
  /** Another device of mine answered or declined the incoming call. */
  | 'answered_elsewhere'
  | 'declined_elsewhere'
  /** The peer's connection was gone for longer than the grace period. */
  | 'disconnected'
  /** The peer called me at the same moment; the call continues as their incoming call. */
  | 'superseded'
  /** Something failed: see `CallEnd.error`. */
  | 'failed';

export interface CallEnd {
  reason: CallEndReason;
  error?: CallError;
  /** Seconds from connected to ended; null when media never connected. */
  durationSeconds: number | null;
}

/** The other party of a call, as the server stamped it. */
export interface Peer {
  profileId: ProfileId;
  profileType: string;
  name: string | null;
  avatar: string | null;
}
