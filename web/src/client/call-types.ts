/** The vocabulary of a call shared by the call, the client and the UI, and the call as they see it. */
import type { PeerMediaState } from '../../../shared/peer-protocol';
import type { ProfileId, ProfileRef } from '../../../shared/profile';
import type { Subscribable } from './emitter';
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
  /** Another device of mine took the answered call over (`call_resume`); the call goes on there. */
  | 'resumed_elsewhere'
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

/** A profile as the client names it (a call's peer, the signed-in user). */
export interface ProfileIdentity {
  profileId: ProfileId;
  profileType: string;
}

/** The other party of a call, as the server stamped it. */
export interface Peer extends ProfileIdentity {
  name: string | null;
  avatar: string | null;
}

/** The same profile in the wire's shape, for `sameProfile` and the server's messages. */
export function profileRefOf({ profileId, profileType }: ProfileIdentity): ProfileRef {
  return { profile_id: profileId, profile_type: profileType };
}

/** The peer's microphone and camera as the peer tells them, peer to peer; see `Call.peerMedia`. */
export type { PeerMediaState };

export interface CallEvents {
  state: CallState;
  localStream: MediaStream;
  remoteStream: MediaStream;
  /** The peer's signaling connection dropped (true) or came back (false); media may still flow. */
  peerReconnecting: boolean;
  /** The media path is interrupted (ICE `disconnected` or `failed`: reconnecting media, by an ICE restart) or recovered. */
  mediaInterrupted: boolean;
  /** We started (true) or stopped (false) sharing our screen. */
  sharingScreen: boolean;
  /** Video began to go either way in a voice call (a camera or a screen added); see `Call.hasVideo`. */
  hasVideo: boolean;
  muted: boolean;
  cameraOn: boolean;
  /** The peer muted or unmuted, or turned its camera off or on (and once when the call connects). */
  peerMedia: PeerMediaState;
  /** The peer's name or avatar became known (the server stamps them on its messages). */
  peer: Peer;
  warning: CallError;
  ended: CallEnd;
}

/**
 * One call, incoming or outgoing, as a page sees it: what it is, how it goes, and what the user
 * can do with it. The client drives the rest.
 *
 *   outgoing: calling -> ringing -> connecting -> connected -> ended
 *   incoming:            ringing -> connecting -> connected -> ended
 */
export interface Call extends Subscribable<CallEvents> {
  /** The server's call id; undefined until the server has acknowledged an outgoing invitation. */
  readonly id: string | undefined;
  readonly direction: CallDirection;
  readonly type: CallType;
  /** Local creation time (ms since epoch). */
  readonly createdAt: number;
  readonly state: CallState;
  readonly peer: Peer;
  /** Why and how the call ended; undefined while it goes on. */
  readonly end: CallEnd | undefined;
  /** When media connected (ms since epoch), for the call timer. */
  readonly connectedAt: number | undefined;
  /** When a ringing call stops ringing (local clock, ms since epoch). */
  readonly ringsUntil: number | undefined;
  /** Answered on the server (by us or the peer). */
  readonly answered: boolean;
  readonly muted: boolean;
  readonly cameraOn: boolean;
  readonly peerReconnecting: boolean;
  /**
   * The peer's microphone and camera, as its client tells ours over the call's data channel;
   * undefined until it has (before media connects, or with a peer whose client does not say).
   */
  readonly peerMedia: PeerMediaState | undefined;
  readonly localStream: MediaStream | undefined;
  readonly remoteStream: MediaStream | undefined;
  /** The media path is being reconnected (ICE restart); the call ends if it does not come back in time. */
  readonly mediaInterrupted: boolean;
  /** A video call, or a voice call either side has since added a camera or a screen to. */
  readonly hasVideo: boolean;
  /** We send our screen (in place of the camera, or as the video of a voice call). */
  readonly sharingScreen: boolean;
  /** This browser can share a screen (`getDisplayMedia`). */
  readonly canShareScreen: boolean;

  /** Answers an incoming call: opens the media and sends the answer. */
  accept(): Promise<void>;
  /** Declines an incoming call that is ringing (on every device of ours). */
  decline(): void;
  /** Ends the call whatever its state: cancels, declines or hangs up, and always ends locally at once. */
  hangup(): void;
  setMuted(muted: boolean): void;
  setCameraEnabled(on: boolean): void;
  /** Asks for a screen, window or tab and sends it in place of the camera; rejects with a `CallError` (the picker cancelled: permission_denied). */
  shareScreen(): Promise<void>;
  /** Back to the camera (or to no video in a voice call). The browser's own "Stop sharing" does the same. */
  stopSharing(): Promise<void>;
  /** A voice call turns video: opens the camera and sends it (the peer sees it); in a call with a camera, turns it on. */
  turnCameraOn(): Promise<void>;
}
