/** Opening the microphone (and camera for video calls), with a voice fallback when no camera exists. */
import type { CallType } from './call-types';
import { CallError, CallErrorCode, mediaError } from './errors';

export type GetUserMedia = (constraints: MediaStreamConstraints) => Promise<MediaStream>;

export const AUDIO: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
export const VIDEO: MediaTrackConstraints = {
  width: { ideal: 1280 },
  height: { ideal: 720 },
  frameRate: { ideal: 30 },
  facingMode: 'user',
};

export interface AcquiredMedia {
  stream: MediaStream;
  /** Set when a video call had to continue without a camera. */
  warning?: CallError;
}

export async function acquireMedia(getUserMedia: GetUserMedia, callType: CallType): Promise<AcquiredMedia> {
  try {
    return { stream: await getUserMedia({ audio: AUDIO, video: callType === 'video' ? VIDEO : false }) };
  } catch (error) {
    const failure = mediaError(error);
    if (callType !== 'video' || failure.code !== CallErrorCode.NoDevice) throw failure;
  }
  // No camera: a video call still works one way (the peer's video) with our microphone.
  try {
    const stream = await getUserMedia({ audio: AUDIO, video: false });
    return { stream, warning: new CallError(CallErrorCode.NoDevice, 'No camera was found: the call continues without your video') };
  } catch (error) {
    throw mediaError(error);
  }
}
