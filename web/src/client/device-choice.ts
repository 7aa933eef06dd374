/**
 * Which microphone, camera and speaker to use, as pure functions over what `enumerateDevices`
 * lists: the options a person can pick (with plain names even before the browser reveals labels),
 * the remembered choice or the default when that device is gone, and the constraints that open it.
 */
import type { DevicePreferenceStore } from './device-preferences';
import type { GetUserMedia } from './media';

export type DeviceKind = 'audioinput' | 'videoinput' | 'audiooutput';

/** The part of `MediaDeviceInfo` the choice needs (a plain object in tests). */
export interface DeviceInfo {
  readonly kind: string;
  readonly deviceId: string;
  readonly label: string;
}

export interface DeviceOption {
  /** `DEFAULT_DEVICE` for "whatever the system uses". */
  deviceId: string;
  label: string;
}

/** The system's default device: no `deviceId` constraint for inputs, `setSinkId('')` for the speaker. */
export const DEFAULT_DEVICE = '';

const KIND_WORDS: Record<DeviceKind, string> = { audioinput: 'Microphone', videoinput: 'Camera', audiooutput: 'Speaker' };

/** Chromium lists the system's current devices again under these ids; the "System default" option stands for them. */
const ALIASES = new Set(['default', 'communications']);

/**
 * The devices of `kind` to offer, "System default" first. Before permission Chromium lists one
 * entry with an empty id (nothing to pick yet), and labels stay empty: those get numbered names.
 */
export function deviceOptions(devices: readonly DeviceInfo[], kind: DeviceKind): DeviceOption[] {
  const word = KIND_WORDS[kind];
  const real = devices.filter((device) => device.kind === kind && device.deviceId !== '' && !ALIASES.has(device.deviceId));
  return [
    { deviceId: DEFAULT_DEVICE, label: 'System default' },
    ...real.map((device, index) => ({ deviceId: device.deviceId, label: device.label.trim() || `${word} ${index + 1}` })),
  ];
}

export interface Choice {
  /** The device to use: the remembered one, or `DEFAULT_DEVICE`. */
  deviceId: string;
  /** A device was remembered but is not connected now (the default stands in for it). */
  rememberedMissing: boolean;
}

export function resolveChoice(remembered: string | undefined, options: readonly DeviceOption[]): Choice {
  if (remembered === undefined || remembered === DEFAULT_DEVICE) return { deviceId: DEFAULT_DEVICE, rememberedMissing: false };
  const present = options.some((option) => option.deviceId === remembered);
  return present ? { deviceId: remembered, rememberedMissing: false } : { deviceId: DEFAULT_DEVICE, rememberedMissing: true };
}

/**
 * Whether the device a live track was opened on has left the list (unplugged). A track on an
 * alias follows the system's default, which never "leaves"; an unknown id cannot be judged.
 */
export function deviceGone(deviceId: string | undefined, devices: readonly DeviceInfo[], kind: DeviceKind): boolean {
  if (deviceId === undefined || deviceId === DEFAULT_DEVICE || ALIASES.has(deviceId)) return false;
  // An empty list (enumeration failed or permission revoked) says nothing about one device.
  const ofKind = devices.filter((device) => device.kind === kind);
  return ofKind.length > 0 && !ofKind.some((device) => device.deviceId === deviceId);
}

/** The option the picker shows for a live track: its device, or "System default" for an alias or unknown id. */
export function optionOfTrack(deviceId: string | undefined, options: readonly DeviceOption[]): string {
  return options.find((option) => option.deviceId === deviceId && deviceId !== DEFAULT_DEVICE)?.deviceId ?? DEFAULT_DEVICE;
}

export interface AudioProcessing {
  noiseSuppression: boolean;
  echoCancellation: boolean;
}

/**
 * `base` (the call's usual constraints) opened on `deviceId` (`DEFAULT_DEVICE`: the system's) with
 * `processing`. Chromium ignores an `ideal` device id, and a plain processing value is only a wish
 * it drops when the microphone is already open with other processing, hence `exact` for both:
 * `processing: 'exact'` when the point is to change it (the toggle), `'ideal'` otherwise.
 */
export function withDevice(
  base: MediaTrackConstraints,
  deviceId: string,
  processing?: { values: AudioProcessing; how: 'exact' | 'ideal' },
): MediaTrackConstraints {
  const constraints: MediaTrackConstraints = { ...base };
  if (processing) {
    const { noiseSuppression, echoCancellation } = processing.values;
    constraints.noiseSuppression = processing.how === 'exact' ? { exact: noiseSuppression } : noiseSuppression;
    constraints.echoCancellation = processing.how === 'exact' ? { exact: echoCancellation } : echoCancellation;
  }
  if (deviceId === DEFAULT_DEVICE) return constraints;
  // A chosen camera is the answer to "which one": the usual front-camera hint would compete with it.
  delete constraints.facingMode;
  constraints.deviceId = { exact: deviceId };
  return constraints;
}

export interface RememberedDevices extends AudioProcessing {
  microphone?: string | undefined;
  camera?: string | undefined;
}

/**
 * A call's `getUserMedia` constraints with the remembered microphone and camera when they are
 * connected now (`devices`), the default otherwise, and the remembered voice processing.
 */
export function preferredConstraints(
  constraints: MediaStreamConstraints,
  remembered: RememberedDevices,
  devices: readonly DeviceInfo[],
): MediaStreamConstraints {
  const { noiseSuppression, echoCancellation } = remembered;
  const pick = (kind: 'audioinput' | 'videoinput', id: string | undefined) => resolveChoice(id, deviceOptions(devices, kind)).deviceId;
  const audio =
    constraints.audio &&
    withDevice(objectOr(constraints.audio), pick('audioinput', remembered.microphone), {
      values: { noiseSuppression, echoCancellation },
      how: 'ideal',
    });
  const video = constraints.video && withDevice(objectOr(constraints.video), pick('videoinput', remembered.camera));
  return { ...constraints, audio, video };
}

function objectOr(constraints: boolean | MediaTrackConstraints): MediaTrackConstraints {
  return typeof constraints === 'object' ? constraints : {};
}

/** Plain words for a device that went away mid-call (the call goes on with the default). */
export function lostDeviceWords(kind: 'audioinput' | 'videoinput'): string {
  return kind === 'audioinput'
    ? 'Your microphone was disconnected. The call now uses the default microphone.'
    : 'Your camera was disconnected. The call now uses the default camera.';
}

/** Plain words for a switch that did not happen (the call keeps the device it had). */
export function switchFailedWords(kind: 'audioinput' | 'videoinput', reason: 'permission_denied' | 'no_device' | 'other'): string {
  const device = kind === 'audioinput' ? 'microphone' : 'camera';
  if (reason === 'permission_denied') return `The browser didn't allow that ${device}. The call keeps the one it had.`;
  if (reason === 'no_device') return `That ${device} isn't connected any more. The call keeps the one it had.`;
  return `That ${device} couldn't be started (another app may be using it). The call keeps the one it had.`;
}

/**
 * The call's `getUserMedia` with the remembered devices (when connected now) and voice processing.
 * Before the page has the permission the browser lists no ids, so the first call opens the defaults.
 */
export function withPreferredDevices(
  getUserMedia: GetUserMedia,
  enumerateDevices: () => Promise<DeviceInfo[]>,
  preferences: DevicePreferenceStore,
): GetUserMedia {
  return async (constraints) => {
    const devices = await enumerateDevices().catch(() => []);
    return getUserMedia(preferredConstraints(constraints, preferences.current, devices));
  };
}
