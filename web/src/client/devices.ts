/**
 * The page's devices and the call's use of them: lists them (again on `devicechange`), switches the
 * call's microphone or camera in place (`replaceTrack`, no renegotiation), sets noise suppression
 * and echo cancellation, plays the peer on the chosen speaker, and falls back to the default when
 * the device in use is unplugged. Choices are remembered for the next call (`DevicePreferenceStore`).
 */
import type { Call } from './call-types';
import {
  DEFAULT_DEVICE,
  deviceGone,
  deviceOptions,
  lostDeviceWords,
  optionOfTrack,
  resolveChoice,
  switchFailedWords,
  withDevice,
  type AudioProcessing,
  type DeviceInfo,
  type DeviceKind,
  type DeviceOption,
} from './device-choice';
import type { DevicePreferences, DevicePreferenceStore } from './device-preferences';
import { Emitter, type Unsubscribe } from './emitter';
import { CallErrorCode, mediaError } from './errors';
import { AUDIO, VIDEO } from './media';

export type InputKind = 'audioinput' | 'videoinput';

export interface MediaDevicesLike {
  enumerateDevices(): Promise<DeviceInfo[]>;
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  addEventListener(type: 'devicechange', listener: () => void): void;
  removeEventListener(type: 'devicechange', listener: () => void): void;
}

/** An element whose output device can be chosen (`HTMLMediaElement.setSinkId`, missing in some browsers). */
interface SinkSelectable {
  readonly sinkId: string;
  setSinkId(sinkId: string): Promise<void>;
}

export interface DeviceControlsEvents {
  /** The lists or the selection changed (a device plugged in or out, labels revealed, a switch done). */
  changed: undefined;
  /** Something the person should know, in plain words (a device unplugged, a switch refused). */
  notice: string;
}

const PREFERENCE_OF: Record<DeviceKind, 'microphone' | 'camera' | 'speaker'> = {
  audioinput: 'microphone',
  videoinput: 'camera',
  audiooutput: 'speaker',
};
const TRACK_KIND: Record<InputKind, 'audio' | 'video'> = { audioinput: 'audio', videoinput: 'video' };

/** Whether this browser lets a page pick the speaker; the choice is hidden where it does not. */
export function speakerChoiceSupported(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

export function processingOf(preferences: DevicePreferences): AudioProcessing {
  return { noiseSuppression: preferences.noiseSuppression, echoCancellation: preferences.echoCancellation };
}

export class DeviceControls extends Emitter<DeviceControlsEvents> {
  private devices: DeviceInfo[] = [];
  private call: Call | undefined;
  private speaker: (HTMLMediaElement & Partial<SinkSelectable>) | undefined;
  private readonly watchedTracks = new Map<MediaStreamTrack, () => void>();
  /** Switches one after another: two quick picks must not open devices side by side. */
  private queue: Promise<void> = Promise.resolve();
  private disposed = false;
  private readonly onDeviceChange = () => void this.refresh().then(() => this.enqueue(() => this.replaceLost()));

  constructor(
    readonly preferences: DevicePreferenceStore,
    private readonly media: MediaDevicesLike,
  ) {
    super();
    media.addEventListener('devicechange', this.onDeviceChange);
  }

  /** The devices of `kind` to offer, "System default" first. */
  options(kind: DeviceKind): DeviceOption[] {
    return deviceOptions(this.devices, kind);
  }

  /**
   * What the picker shows: in a call, the device the call's track (or the peer's sound) uses;
   * otherwise the remembered one, or the default when it is not connected now.
   */
  selected(kind: DeviceKind): { deviceId: string; rememberedMissing: boolean } {
    const track = kind === 'audiooutput' ? undefined : this.liveTrack(kind);
    if (track) return { deviceId: optionOfTrack(track.getSettings().deviceId, this.options(kind)), rememberedMissing: false };
    const sink = kind === 'audiooutput' ? this.speaker?.sinkId : undefined;
    if (sink !== undefined) return { deviceId: optionOfTrack(sink, this.options(kind)), rememberedMissing: false };
    // Before the browser lists real ids (no permission yet) nothing can be called missing.
    if (this.options(kind).length === 1) return { deviceId: DEFAULT_DEVICE, rememberedMissing: false };
    return resolveChoice(this.preferences.current[PREFERENCE_OF[kind]], this.options(kind));
  }

  /** The voice processing asked for: the call's microphone follows it (see `setProcessing`), the next call opens with it. */
  get processing(): AudioProcessing {
    return processingOf(this.preferences.current);
  }

  get speakerSupported(): boolean {
    return speakerChoiceSupported() && this.options('audiooutput').length > 1;
  }

  async refresh(): Promise<void> {
    try {
      this.devices = await this.media.enumerateDevices();
    } catch {
      this.devices = [];
    }
    if (!this.disposed) this.emit('changed', undefined);
  }

  /**
   * Follows `call`: picks switch its tracks, an unplugged device is replaced by the default, and
   * `remoteAudio` plays on the remembered speaker. Call the returned function when the call leaves.
   */
  attach(call: Call, remoteAudio: HTMLMediaElement): Unsubscribe {
    this.call = call;
    this.speaker = remoteAudio;
    void this.applySpeaker(this.preferences.current.speaker ?? DEFAULT_DEVICE, false);
    const watch = () => {
      const tracks = call.localStream?.getTracks() ?? [];
      for (const [track, onEnded] of this.watchedTracks) {
        if (tracks.includes(track)) continue;
        track.removeEventListener('ended', onEnded);
        this.watchedTracks.delete(track);
      }
      for (const track of tracks) this.watch(track);
      this.emit('changed', undefined);
    };
    const unsubscribe = [call.on('localStream', watch), call.on('ended', () => this.unwatchAll())];
    watch();
    // Labels and ids appear once the call holds the permission.
    void this.refresh();
    return () => {
      for (const stop of unsubscribe) stop();
      this.unwatchAll();
      this.call = undefined;
      this.speaker = undefined;
    };
  }

  /** In a call, switches to `deviceId` at once; remembers it for the next call unless it would not open. */
  choose(kind: DeviceKind, deviceId: string): Promise<void> {
    return this.enqueue(async () => {
      const usable = kind === 'audiooutput' ? await this.applySpeaker(deviceId, true) : await this.switchInput(kind, deviceId);
      // A device that would not open now is no better a choice for the next call.
      if (usable) this.preferences.update({ [PREFERENCE_OF[kind]]: deviceId });
      this.emit('changed', undefined);
    });
  }

  /**
   * Turns noise suppression or echo cancellation on or off, for this call and the next. Chromium
   * accepts `applyConstraints` for them but keeps the processing the microphone was opened with,
   * so when the track's settings did not follow, the same microphone is opened again with them.
   */
  setProcessing(change: Partial<AudioProcessing>): Promise<void> {
    this.preferences.update(change);
    return this.enqueue(async () => {
      const track = this.liveTrack('audioinput');
      if (!track) return;
      const wanted = processingOf(this.preferences.current);
      try {
        await track.applyConstraints({ ...track.getConstraints(), ...wanted });
      } catch {
        // Refused outright: reopening below has the last word.
      }
      const settings = track.getSettings();
      const followed =
        (settings.noiseSuppression ?? wanted.noiseSuppression) === wanted.noiseSuppression &&
        settingOn(settings.echoCancellation, wanted.echoCancellation) === wanted.echoCancellation;
      if (!followed) await this.reopenMicrophone(track, settings.deviceId ?? DEFAULT_DEVICE, wanted);
      this.emit('changed', undefined);
    });
  }

  dispose(): void {
    this.disposed = true;
    this.media.removeEventListener('devicechange', this.onDeviceChange);
    this.unwatchAll();
    this.call = undefined;
    this.speaker = undefined;
    this.removeAllListeners();
  }

  // ---------------------------------------------------------------------------------------------

  private liveTrack(kind: InputKind): MediaStreamTrack | undefined {
    if (!this.call || this.call.state === 'ended') return undefined;
    return this.call.localStream?.getTracks().find((track) => track.kind === TRACK_KIND[kind] && track.readyState === 'live');
  }

  /**
   * The same microphone with other processing. Chromium opens no second source on a device with
   * other echo cancellation, and a plain value yields to an open source's: so the old track lets go
   * first (a moment of silence) and the values are `exact`. Where the browser cannot do them, the
   * microphone comes back as near as it can.
   */
  private async reopenMicrophone(old: MediaStreamTrack, deviceId: string, values: AudioProcessing): Promise<void> {
    const call = this.call;
    if (!call) return;
    old.stop();
    const open = (how: 'exact' | 'ideal') =>
      this.media.getUserMedia({ audio: withDevice(AUDIO, deviceId, { values, how }) }).then(firstTrack);
    let track: MediaStreamTrack;
    try {
      track = await open('exact').catch(async () => {
        const nearest = await open('ideal');
        this.emit('notice', "This browser can't change that for this microphone.");
        return nearest;
      });
    } catch {
      if (!isOver(call) && !this.disposed) this.emit('notice', "The microphone couldn't be started again. Pick it in Devices to retry.");
      return;
    }
    this.watch(track);
    await call.replaceLocalTrack(track).catch(() => undefined); // rejected only once the call is over
  }

  /** False when the device could not be used (the user is told why). */
  private async switchInput(kind: InputKind, deviceId: string): Promise<boolean> {
    const call = this.call;
    const old = this.liveTrack(kind) ?? call?.localStream?.getTracks().find((track) => track.kind === TRACK_KIND[kind]);
    if (!call || !old || call.state === 'ended') return true; // nothing to switch: for the next call
    const processing = { values: processingOf(this.preferences.current), how: 'ideal' as const };
    try {
      const track = await this.open(kind, deviceId, processing, old);
      this.watch(track);
      await call.replaceLocalTrack(track);
    } catch (error) {
      if (isOver(call) || this.disposed) return true;
      const code = mediaError(error).code;
      const reason =
        code === CallErrorCode.PermissionDenied ? 'permission_denied' : code === CallErrorCode.NoDevice ? 'no_device' : 'other';
      this.emit('notice', switchFailedWords(kind, reason));
      this.emit('changed', undefined);
      return false;
    }
    this.emit('changed', undefined);
    return true;
  }

  private async open(
    kind: InputKind,
    deviceId: string,
    processing: Parameters<typeof withDevice>[2],
    old: MediaStreamTrack,
  ): Promise<MediaStreamTrack> {
    const constraints: MediaStreamConstraints =
      kind === 'audioinput' ? { audio: withDevice(AUDIO, deviceId, processing) } : { video: withDevice(VIDEO, deviceId) };
    try {
      return firstTrack(await this.media.getUserMedia(constraints));
    } catch (error) {
      // Some cameras (most phones') open one at a time: let the old one go and try once more.
      if (!(error instanceof Error) || error.name !== 'NotReadableError') throw error;
      old.stop();
      return firstTrack(await this.media.getUserMedia(constraints));
    }
  }

  /** After `devicechange` or a track that ended by itself: what was unplugged is replaced by the default. */
  private async replaceLost(): Promise<void> {
    for (const kind of ['audioinput', 'videoinput'] as const) {
      const track = this.call?.localStream?.getTracks().find((candidate) => candidate.kind === TRACK_KIND[kind]);
      if (!track || this.call?.state === 'ended') continue;
      if (track.readyState === 'ended' || deviceGone(track.getSettings().deviceId, this.devices, kind)) {
        this.emit('notice', lostDeviceWords(kind));
        await this.switchInput(kind, DEFAULT_DEVICE);
      }
    }
  }

  /** False when the speaker could not be used. */
  private async applySpeaker(deviceId: string, picked: boolean): Promise<boolean> {
    const element = this.speaker;
    if (!element?.setSinkId) return true;
    let usable = true;
    try {
      await element.setSinkId(deviceId);
    } catch {
      // A remembered speaker that is gone: the default plays, which is what the element does already.
      if (picked) this.emit('notice', "That speaker couldn't be used. Sound plays on the default speaker.");
      usable = false;
    }
    this.emit('changed', undefined);
    return usable;
  }

  private watch(track: MediaStreamTrack): void {
    if (this.watchedTracks.has(track)) return;
    // A track ends by itself when its device goes away (before or without a `devicechange`).
    const onEnded = () => void this.enqueue(() => this.replaceLost());
    track.addEventListener('ended', onEnded);
    this.watchedTracks.set(track, onEnded);
  }

  private unwatchAll(): void {
    for (const [track, onEnded] of this.watchedTracks) track.removeEventListener('ended', onEnded);
    this.watchedTracks.clear();
  }

  private enqueue(run: () => Promise<void>): Promise<void> {
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** Re-read after an await: the call may have ended meanwhile. */
function isOver(call: Call): boolean {
  return call.state === 'ended';
}

/** `echoCancellation` may also be a mode ('all', 'remote-only'): any of those is on. */
function settingOn(value: boolean | string | undefined, fallback: boolean): boolean {
  return value === undefined ? fallback : value !== false;
}

function firstTrack(stream: MediaStream): MediaStreamTrack {
  const [track, ...rest] = stream.getTracks();
  for (const extra of rest) extra.stop();
  if (!track) throw Object.assign(new Error('The browser opened no device'), { name: 'NotFoundError' });
  return track;
}
