/**
 * The call client, usable without the UI:
 *
 *   const client = new CallClient({ websocketUrl, token });
 *   client.on('incoming', (call) => call.accept());
 *   client.connect();
 *   const call = client.placeCall({ profile_type: 'tutor', profile_id: 42 }, 'video');
 *   // a conversation-required deployment: the platform's conversation and call grant
 *   client.placeCall({ profile_type: 'tutor', profile_id: 42 }, 'video', { conversationId: 9001, grant });
 *   // or vouched for on every call: new CallClient({ …, vouchFor: async (to, type) => ({ conversationId, grant }) })
 *   // calls the platform's backend starts (POST /v1/calls/invite) ring as `incoming` (accept() asks for the
 *   // caller's offer and answers it); on the caller's side they arrive, accepted, as `outgoing`
 *   client.on('outgoing', (call) => showCallScreen(call));
 *   call.on('remoteStream', (stream) => (video.srcObject = stream));
 *   call.on('ended', ({ reason, error }) => ...);
 *   // who can call me, and blocks (every tab hears `callSettings` when they change)
 *   await client.updateCallSettings({ who_can_call: 'conversations', block: [{ profile_type: 'student', profile_id: 7, name: 'Sam' }] });
 */
export { CallClient, type CallClientEvents, type CallClientOptions, type CallHistoryPage, type PresenceEntry } from './call-client';
export type { CallTimings } from './call';
export type { BlockedProfile, CallSettings, CallSettingsChange, WhoCanCall } from './call-settings';
export type { CallTransport, CallVouching } from './call-signals';
export {
  profileRefOf,
  type Call,
  type CallDirection,
  type CallEnd,
  type CallEndReason,
  type CallEvents,
  type CallState,
  type CallType,
  type ChatEntry,
  type Peer,
  type PeerMediaState,
  type ProfileIdentity,
  type QualitySample,
} from './call-types';
export { CallError, CallErrorCode } from './errors';
export { Emitter, type Listener, type Subscribable, type Unsubscribe } from './emitter';
export { Negotiator, type NegotiatorEvents, type PeerConnectionFactory } from './negotiator';
export { CandidateBatcher, END_OF_CANDIDATES } from './candidate-batcher';
export {
  MessageSocket,
  SignalingSocket,
  type MessageSocketEvents,
  type SocketProtocol,
  type ConnectionState,
  type OpenReason,
  type SignalingSocketEvents,
  type SignalingSocketOptions,
  type WebSocketLike,
} from './signaling-socket';
export { headProbe, type ReachabilityProbe } from './reachability';
export { readTokenClaims, type TokenClaims } from './token';
export type { GetUserMedia } from './media';
