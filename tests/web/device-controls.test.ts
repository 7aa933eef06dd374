/** `DeviceControls` over stand-ins for the browser's devices and a call (Node has no media). */
import { describe, expect, it } from 'vitest';
import type { Call, CallEvents } from '../../web/src/client';
import { DevicePreferenceStore } from '../../web/src/client/device-preferences';
import type { DeviceInfo } from '../../web/src/client/device-choice';
import { DeviceControls, type MediaDevicesLike } from '../../web/src/client/devices';
import { Emitter } from '../../web/src/client/emitter';

class StandInTrack extends EventTarget {
  enabled = true;
  readyState: MediaStreamTrackState = 'live';
  constructor(
    readonly kind: 'audio' | 'video',
    readonly deviceId: string,
  ) {
    super();
  }
  get label(): string {
    return this.deviceId;
  }
  getSettings(): MediaTrackSettings {
    return { deviceId: this.deviceId };
  }
  stop(): void {
    this.readyState = 'ended';
  }
  /** What the browser does when the device is unplugged. */
  unplug(): void {
    this.readyState = 'ended';
    this.dispatchEvent(new Event('ended'));
  }
}

class StandInDevices extends EventTarget implements MediaDevicesLike {
  readonly opened: MediaStreamConstraints[] = [];
  refuseWith: string | undefined;
  constructor(public devices: DeviceInfo[]) {
    super();
  }
  async enumerateDevices(): Promise<DeviceInfo[]> {
    return this.devices;
  }
  /** The most device openings seen under way at once (each takes a turn of the event loop). */
  mostAtOnce = 0;
  private underWay = 0;
  async getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
    this.opened.push(constraints);
    this.underWay++;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.underWay);
    await new Promise((resolve) => setTimeout(resolve, 0));
    this.underWay--;
    if (this.refuseWith) throw Object.assign(new Error(this.refuseWith), { name: this.refuseWith });
    const asked = constraints.video ?? constraints.audio;
    const exact =
      typeof asked === 'object' && typeof asked.deviceId === 'object' && !Array.isArray(asked.deviceId) ? asked.deviceId.exact : undefined;
    const kind = constraints.video ? 'video' : 'audio';
    // Without a device id the browser opens the first one it lists of the kind.
    const first = this.devices.find((device) => device.kind === `${kind}input`)?.deviceId ?? 'none';
    const track = new StandInTrack(kind, typeof exact === 'string' ? exact : first);
    return { getTracks: () => [track] } as unknown as MediaStream;
  }
  unplug(deviceId: string): void {
    this.devices = this.devices.filter((device) => device.deviceId !== deviceId);
    this.dispatchEvent(new Event('devicechange'));
  }
}

/** The part of a call the controls use: its local tracks, and `replaceLocalTrack` as the negotiator does it. */
class StandInCall extends Emitter<CallEvents> {
  state: Call['state'] = 'connected';
  readonly tracks: StandInTrack[];
  constructor(...tracks: StandInTrack[]) {
    super();
    this.tracks = tracks;
  }
  get localStream(): MediaStream {
    return { getTracks: () => [...this.tracks] } as unknown as MediaStream;
  }
  async replaceLocalTrack(track: MediaStreamTrack): Promise<void> {
    const index = this.tracks.findIndex((old) => old.kind === track.kind);
    const old = this.tracks[index];
    if (!old) throw new Error('nothing to replace');
    track.enabled = old.enabled;
    old.stop();
    this.tracks[index] = track as unknown as StandInTrack;
    this.emit('localStream', this.localStream);
  }
}

const LISTED: DeviceInfo[] = [
  { kind: 'audioinput', deviceId: 'mic-desk', label: 'Desk microphone' },
  { kind: 'videoinput', deviceId: 'cam-laptop', label: 'Laptop camera' },
  { kind: 'videoinput', deviceId: 'cam-usb', label: 'USB camera' },
];

function setUp(camera = 'cam-laptop') {
  const media = new StandInDevices([...LISTED]);
  const call = new StandInCall(new StandInTrack('audio', 'mic-desk'), new StandInTrack('video', camera));
  const items = new Map<string, string>();
  const preferences = new DevicePreferenceStore({
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
  });
  const controls = new DeviceControls(preferences, media);
  const notices: string[] = [];
  controls.on('notice', (words) => notices.push(words));
  controls.attach(call as unknown as Call, {} as HTMLMediaElement);
  const settled = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { media, call, preferences, controls, notices, settled };
}

describe('device controls in a call', () => {
  it('switches the camera in place, keeping camera-off, and remembers it for the next call', async () => {
    const { call, controls, preferences, media } = setUp();
    await controls.refresh();
    call.tracks[1]!.enabled = false; // camera off
    await controls.choose('videoinput', 'cam-usb');
    expect(call.tracks[1]).toMatchObject({ deviceId: 'cam-usb', enabled: false, readyState: 'live' });
    expect(media.opened.at(-1)?.video).toMatchObject({ deviceId: { exact: 'cam-usb' } });
    expect(controls.selected('videoinput').deviceId).toBe('cam-usb');
    expect(preferences.current.camera).toBe('cam-usb');
  });

  it('replaces an unplugged camera by the default and says so in plain words', async () => {
    const { call, media, notices, settled } = setUp('cam-usb');
    await settled();
    const unplugged = call.tracks[1]!;
    unplugged.unplug();
    media.unplug('cam-usb');
    await settled();
    await settled();
    expect(notices).toEqual(['Your camera was disconnected. The call now uses the default camera.']);
    expect(call.tracks[1]).toMatchObject({ deviceId: 'cam-laptop', readyState: 'live' });
    expect(media.opened.at(-1)?.video).not.toHaveProperty('deviceId');
  });

  it('keeps the device it had when the browser refuses the new one, and says why', async () => {
    const { call, controls, media, notices, preferences } = setUp();
    media.refuseWith = 'NotAllowedError';
    await controls.choose('videoinput', 'cam-usb');
    expect(call.tracks[1]).toMatchObject({ deviceId: 'cam-laptop', readyState: 'live' });
    expect(notices).toEqual(["The browser didn't allow that camera. The call keeps the one it had."]);
    expect(preferences.current.camera).toBeUndefined(); // not the one to open next time either
  });

  it('opens one device at a time when picks come quickly, the last pick winning', async () => {
    const { call, controls, media } = setUp();
    await Promise.all([controls.choose('videoinput', 'cam-usb'), controls.choose('videoinput', 'cam-laptop')]);
    expect(media.mostAtOnce).toBe(1);
    expect(call.tracks[1]).toMatchObject({ deviceId: 'cam-laptop', readyState: 'live' });
  });

  it('remembers a pick made outside a call without opening anything', async () => {
    const { call, controls, media, preferences } = setUp();
    call.state = 'ended';
    await controls.choose('audioinput', 'mic-desk');
    expect(media.opened).toEqual([]);
    expect(preferences.current.microphone).toBe('mic-desk');
  });
});
