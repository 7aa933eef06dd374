/**
 * Microphone and camera state on the call screen: the peer's (a muted sign, and "Camera off" by
 * its avatar in place of its picture) as its client tells ours, and my own in the seed's words
 * ("Mic: On" / "Mic: Off").
 */
import type { Call, PeerMediaState } from '../../client';
import { h } from '../dom';
import { icon } from '../icons';

/** Whether the peer's picture is worth showing: its camera or its screen, not while it says both are off or absent. */
export function peerSendsVideo(state: PeerMediaState | undefined): boolean {
  return state === undefined || state.camera === 'on' || state.screen === 'on';
}

export class PeerMediaIndicators {
  /** Over the call, under the status: "Sam is muted". */
  readonly muted: HTMLElement;
  /** In the peer's card, under its name: "Camera off". */
  readonly cameraOff: HTMLElement;
  private readonly mutedText = h('span');
  private readonly cameraOffText = h('span');

  constructor() {
    // Polite live regions: a screen reader hears the change without losing its place.
    this.muted = h(
      'p',
      { class: 'peer-state peer-muted', 'data-testid': 'peer-muted', role: 'status', hidden: true },
      icon('micOff', 'icon icon-sm'),
      this.mutedText,
    );
    this.cameraOff = h(
      'p',
      { class: 'peer-state peer-camera-off', 'data-testid': 'peer-camera-off', role: 'status', hidden: true },
      icon('videoOff', 'icon icon-sm'),
      this.cameraOffText,
    );
  }

  render(call: Call, peerName: string): void {
    const state = call.peerMedia;
    const muted = state?.microphone === 'off';
    this.mutedText.textContent = muted ? `${peerName} is muted` : '';
    this.muted.hidden = !muted;
    // Only a video call promises a picture; in a voice call the avatar is the norm, not news.
    const cameraOff = call.type === 'video' && !peerSendsVideo(state);
    this.cameraOffText.textContent = !cameraOff ? '' : state?.camera === 'none' ? 'No camera' : 'Camera off';
    this.cameraOff.hidden = !cameraOff;
  }
}

export class OwnMediaStatus {
  readonly element: HTMLElement;
  private readonly microphone = h('span', { 'data-testid': 'own-mic-state' });
  private readonly camera = h('span', { 'data-testid': 'own-camera-state' });
  private readonly separator = h('span', { 'aria-hidden': 'true' }, ' · ');

  constructor() {
    this.element = h('p', { class: 'own-media-state' }, this.microphone, this.separator, this.camera);
  }

  render(call: Call): void {
    this.microphone.textContent = `Mic: ${call.muted ? 'Off' : 'On'}`;
    const video = call.type === 'video';
    this.camera.textContent = video ? `Camera: ${call.cameraOn ? 'On' : 'Off'}` : '';
    this.camera.hidden = !video;
    this.separator.hidden = !video;
  }
}
