/**
 * The peer-to-peer extension (PROTOCOL.md, "Between the two browsers"): messages the two
 * browsers of a call send each other over the call's own data channel, never through the server,
 * so they cost no WebSocket message and no Lambda invocation.
 *
 * Every message is one JSON object with the envelope's version `v` and a `type`. A receiver
 * ignores a message whose version or type it does not know (a newer client may send more types),
 * and fields it does not know; so any in-call message added later (chat, reactions) shares the
 * channel without breaking older clients.
 */
import * as v from 'valibot';
import { MAX_PEER_MESSAGE_CHARS } from './limits';

/**
 * A negotiated channel with a fixed id: both sides create it before the offer and the answer, so
 * the offer carries it and nothing more is negotiated (no `ondatachannel`, no renegotiation).
 */
export const PEER_CHANNEL = { label: 'callsignal', id: 0 } as const;
export const PEER_PROTOCOL_VERSION = 1;

export const MICROPHONE_STATES = ['on', 'off'] as const;
/** `none`: no camera to turn on (a voice call, or a video call from a device without one). */
export const CAMERA_STATES = ['on', 'off', 'none'] as const;
export const SCREEN_STATES = ['on', 'off'] as const;

/** The sender's own microphone and camera: sent when the channel opens and after every change. */
export const MediaStateSchema = v.object({
  v: v.literal(PEER_PROTOCOL_VERSION),
  type: v.literal('media_state'),
  microphone: v.picklist(MICROPHONE_STATES),
  camera: v.picklist(CAMERA_STATES),
  /** The sender's screen goes in its video (in place of its camera); absent is `off` (older clients). */
  screen: v.optional(v.picklist(SCREEN_STATES)),
});
export type MediaStateMessage = v.InferOutput<typeof MediaStateSchema>;
export type PeerMediaState = Omit<MediaStateMessage, 'v' | 'type'>;

/** Every message of this version; a new type is one more schema in this list. */
export const PeerMessageSchema = v.variant('type', [MediaStateSchema]);
export type PeerMessage = v.InferOutput<typeof PeerMessageSchema>;

/** A received message, or undefined for anything to ignore: too long, not JSON, another version or type, malformed. */
export function parsePeerMessage(data: string): PeerMessage | undefined {
  if (data.length > MAX_PEER_MESSAGE_CHARS) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  const message = v.safeParse(PeerMessageSchema, parsed);
  return message.success ? message.output : undefined;
}

export function serializePeerMessage(message: PeerMessage): string {
  return JSON.stringify(message);
}
