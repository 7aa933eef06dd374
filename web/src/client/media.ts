/** Opening the microphone (and camera for video calls), with a voice fallback when no camera exists. */
import type { CallType } from './call-types';
import { CallError, CallErrorCode, mediaError } from './errors';

export type GetUserMedia = (constraints: MediaStreamConstraints) => Promise<MediaStream>;
export type GetDisplayMedia = (options: DisplayMediaStreamOptions) => Promise<MediaStream>;

const AUDIO: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
const VIDEO: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 }, facingMode: 'user' };

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

/** The camera alone, for a voice call that turns video. */
export async function acquireCamera(getUserMedia: GetUserMedia): Promise<MediaStreamTrack> {
  try {
    return firstVideoTrack(await getUserMedia({ audio: false, video: VIDEO }));
  } catch (error) {
    throw error instanceof CallError ? error : mediaError(error);
  }
}

/** A screen, window or tab the person picks; no sound (the microphone already carries the voice). */
export async function acquireScreen(getDisplayMedia: GetDisplayMedia): Promise<MediaStreamTrack> {
  try {
    const track = firstVideoTrack(await getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false }));
    // Text and lines stay sharp at the cost of motion: what a shared screen needs.
    track.contentHint = 'detail';
    return track;
  } catch (error) {
    throw error instanceof CallError ? error : mediaError(error);
  }
}

function firstVideoTrack(stream: MediaStream): MediaStreamTrack {
  const [track, ...rest] = stream.getVideoTracks();
  for (const extra of [...rest, ...stream.getAudioTracks()]) extra.stop();
  if (!track) throw new CallError(CallErrorCode.NoDevice, 'No video was captured');
  return track;
}
