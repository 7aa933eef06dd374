import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DEVICE,
  deviceGone,
  deviceOptions,
  optionOfTrack,
  preferredConstraints,
  resolveChoice,
  withDevice,
  type DeviceInfo,
} from '../../web/src/client/device-choice';
import { DEVICE_PREFERENCES_KEY, DevicePreferenceStore, parseDevicePreferences } from '../../web/src/client/device-preferences';

/** What Chromium lists once the page may use the devices: an alias of the default, then each device. */
const LISTED: DeviceInfo[] = [
  { kind: 'audioinput', deviceId: 'default', label: 'Default - Desk microphone' },
  { kind: 'audioinput', deviceId: 'mic-desk', label: 'Desk microphone' },
  { kind: 'audioinput', deviceId: 'mic-headset', label: 'Headset' },
  { kind: 'videoinput', deviceId: 'cam-laptop', label: 'Laptop camera' },
  { kind: 'videoinput', deviceId: 'cam-usb', label: '' },
  { kind: 'audiooutput', deviceId: 'default', label: 'Default - Speakers' },
  { kind: 'audiooutput', deviceId: 'out-speakers', label: 'Speakers' },
];
/** Before permission: one entry per kind, without id or name. */
const BEFORE_PERMISSION: DeviceInfo[] = [
  { kind: 'audioinput', deviceId: '', label: '' },
  { kind: 'videoinput', deviceId: '', label: '' },
];
const AUDIO = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
const VIDEO = { width: { ideal: 1280 }, facingMode: 'user' };

describe('device choice', () => {
  it('offers "System default" first, then each device once, numbering the ones the browser gives no name', () => {
    expect(deviceOptions(LISTED, 'audioinput')).toEqual([
      { deviceId: DEFAULT_DEVICE, label: 'System default' },
      { deviceId: 'mic-desk', label: 'Desk microphone' },
      { deviceId: 'mic-headset', label: 'Headset' },
    ]);
    expect(deviceOptions(LISTED, 'videoinput').map((option) => option.label)).toEqual(['System default', 'Laptop camera', 'Camera 2']);
    expect(deviceOptions(BEFORE_PERMISSION, 'videoinput')).toEqual([{ deviceId: DEFAULT_DEVICE, label: 'System default' }]);
  });

  it('keeps the remembered device while it is connected, and falls back to the default, saying so, once it is gone', () => {
    const cameras = deviceOptions(LISTED, 'videoinput');
    expect(resolveChoice('cam-usb', cameras)).toEqual({ deviceId: 'cam-usb', rememberedMissing: false });
    expect(resolveChoice('cam-unplugged', cameras)).toEqual({ deviceId: DEFAULT_DEVICE, rememberedMissing: true });
    expect(resolveChoice(undefined, cameras)).toEqual({ deviceId: DEFAULT_DEVICE, rememberedMissing: false });
    expect(resolveChoice(DEFAULT_DEVICE, cameras)).toEqual({ deviceId: DEFAULT_DEVICE, rememberedMissing: false });
  });

  it('opens a remembered camera and microphone on the next call only while they are connected, with the remembered voice processing', () => {
    const remembered = { camera: 'cam-usb', microphone: 'mic-headset', noiseSuppression: false, echoCancellation: true };
    expect(preferredConstraints({ audio: AUDIO, video: VIDEO }, remembered, LISTED)).toEqual({
      audio: { ...AUDIO, noiseSuppression: false, deviceId: { exact: 'mic-headset' } },
      video: { width: { ideal: 1280 }, deviceId: { exact: 'cam-usb' } },
    });
    // Unplugged since: the call opens the defaults rather than failing.
    const unplugged = preferredConstraints(
      { audio: AUDIO, video: VIDEO },
      remembered,
      LISTED.filter((d) => !d.deviceId.startsWith('cam-usb') && d.deviceId !== 'mic-headset'),
    );
    expect(unplugged).toEqual({ audio: { ...AUDIO, noiseSuppression: false }, video: VIDEO });
    // A voice call stays a voice call; before permission nothing can be matched.
    expect(preferredConstraints({ audio: true, video: false }, remembered, BEFORE_PERMISSION)).toEqual({
      audio: { noiseSuppression: false, echoCancellation: true },
      video: false,
    });
  });

  it('asks for the voice processing exactly when the point is to change it (a microphone already open keeps its own otherwise)', () => {
    const values = { noiseSuppression: false, echoCancellation: true };
    expect(withDevice(AUDIO, 'default', { values, how: 'exact' })).toEqual({
      ...AUDIO,
      noiseSuppression: { exact: false },
      echoCancellation: { exact: true },
      deviceId: { exact: 'default' },
    });
  });

  it('tells an unplugged device in use from one still listed, never calling the default or an unknown id gone', () => {
    expect(deviceGone('cam-usb', LISTED, 'videoinput')).toBe(false);
    expect(
      deviceGone(
        'cam-usb',
        LISTED.filter((device) => device.deviceId !== 'cam-usb'),
        'videoinput',
      ),
    ).toBe(true);
    expect(
      deviceGone(
        'default',
        LISTED.filter((device) => device.deviceId !== 'default'),
        'audioinput',
      ),
    ).toBe(false);
    expect(deviceGone(undefined, LISTED, 'audioinput')).toBe(false);
    // An empty list (the browser listing nothing at the moment) is no proof.
    expect(deviceGone('cam-usb', [], 'videoinput')).toBe(false);
  });

  it('shows a live track on an alias of the default as "System default"', () => {
    const microphones = deviceOptions(LISTED, 'audioinput');
    expect(optionOfTrack('default', microphones)).toBe(DEFAULT_DEVICE);
    expect(optionOfTrack('mic-headset', microphones)).toBe('mic-headset');
    expect(optionOfTrack(undefined, microphones)).toBe(DEFAULT_DEVICE);
  });
});

describe('remembered devices', () => {
  function memoryStorage(initial?: string) {
    const items = new Map<string, string>(initial === undefined ? [] : [[DEVICE_PREFERENCES_KEY, initial]]);
    return { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value), items };
  }

  it('starts with the system defaults and voice processing on, also from an unreadable entry', () => {
    const defaults = { noiseSuppression: true, echoCancellation: true };
    expect(parseDevicePreferences(null)).toEqual(defaults);
    expect(parseDevicePreferences('{not json')).toEqual(defaults);
    expect(parseDevicePreferences('{"camera": 7}')).toEqual(defaults);
    expect(parseDevicePreferences('{"camera": "cam-usb"}')).toEqual({ ...defaults, camera: 'cam-usb' });
  });

  it('keeps a choice for the next page of the same browser', () => {
    const storage = memoryStorage();
    new DevicePreferenceStore(storage).update({ camera: 'cam-usb', noiseSuppression: false });
    expect(new DevicePreferenceStore(storage).current).toEqual({ camera: 'cam-usb', noiseSuppression: false, echoCancellation: true });
  });

  it('still works for the page when the browser refuses storage', () => {
    const refusing = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    const store = new DevicePreferenceStore(refusing);
    store.update({ microphone: 'mic-headset' });
    expect(store.current.microphone).toBe('mic-headset');
  });
});
