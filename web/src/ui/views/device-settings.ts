/**
 * Microphone, camera and speaker, and the voice processing switches: `DeviceChoices` is the form
 * (in the call settings, for the next call), `DeviceSettings` the call screen's "Devices" control
 * and its small modal panel (a switch applies at once), and the plain-words notice when a device
 * in use goes away mid-call.
 */
import { DeviceControls } from '../../client/devices';
import type { DeviceKind } from '../../client/device-choice';
import { pageDevicePreferences } from '../../client/device-preferences';
import type { Call } from '../../client';
import { h } from '../dom';
import { FocusTrap } from '../focus-trap';
import { icon } from '../icons';

const LABELS: Record<DeviceKind, string> = { audioinput: 'Microphone', videoinput: 'Camera', audiooutput: 'Speaker' };
const TEST_IDS: Record<DeviceKind, string> = {
  audioinput: 'microphone-choice',
  videoinput: 'camera-choice',
  audiooutput: 'speaker-choice',
};
const REMEMBERED_MISSING: Record<DeviceKind, string> = {
  audioinput: "The microphone you picked before isn't connected. The system default is used.",
  videoinput: "The camera you picked before isn't connected. The system default is used.",
  audiooutput: "The speaker you picked before isn't connected. The system default is used.",
};

/** The browser's own media devices, when the page may use them (a secure context). */
export function pageDeviceControls(): DeviceControls | undefined {
  const media = globalThis.navigator?.mediaDevices;
  return media ? new DeviceControls(pageDevicePreferences(), media) : undefined;
}

export class DeviceChoices {
  readonly element: HTMLElement;
  private readonly selects = new Map<DeviceKind, HTMLSelectElement>();
  private readonly rows = new Map<DeviceKind, HTMLElement>();
  private readonly noiseSuppression: HTMLInputElement;
  private readonly echoCancellation: HTMLInputElement;
  private readonly status: HTMLElement;
  private readonly namesHint: HTMLElement;
  private notice = '';

  /** `idPrefix` keeps the ids unique: the call settings and the call screen each hold a form. */
  constructor(
    private readonly controls: DeviceControls,
    idPrefix: string,
  ) {
    const fields: HTMLElement[] = [];
    for (const kind of ['audioinput', 'videoinput', 'audiooutput'] as const) {
      const id = `${idPrefix}-${kind}`;
      const select = h('select', {
        id,
        'data-testid': TEST_IDS[kind],
        onchange: () => void this.controls.choose(kind, select.value),
      });
      this.selects.set(kind, select);
      const row = h('div', { class: 'field' }, h('label', { for: id }, LABELS[kind]), select);
      this.rows.set(kind, row);
      fields.push(row);
    }
    this.noiseSuppression = h('input', {
      type: 'checkbox',
      id: `${idPrefix}-noise-suppression`,
      'data-testid': 'noise-suppression',
      onchange: () => void this.controls.setProcessing({ noiseSuppression: this.noiseSuppression.checked }),
    });
    this.echoCancellation = h('input', {
      type: 'checkbox',
      id: `${idPrefix}-echo-cancellation`,
      'data-testid': 'echo-cancellation',
      onchange: () => void this.controls.setProcessing({ echoCancellation: this.echoCancellation.checked }),
    });
    this.status = h('p', { class: 'device-status', 'data-testid': 'device-status', role: 'status' });
    this.namesHint = h(
      'p',
      { class: 'muted device-hint', hidden: true },
      'Device names appear once the browser has let this page use them (in a call).',
    );
    this.element = h(
      'div',
      { class: 'device-choices' },
      ...fields,
      this.namesHint,
      h(
        'fieldset',
        { class: 'device-processing' },
        h('legend', {}, 'Voice processing'),
        h('label', { class: 'toggle', for: this.noiseSuppression.id }, this.noiseSuppression, 'Noise suppression'),
        h('label', { class: 'toggle', for: this.echoCancellation.id }, this.echoCancellation, 'Echo cancellation'),
      ),
      this.status,
    );
    controls.on('changed', () => this.render());
    controls.on('notice', (words) => {
      this.notice = words;
      this.render();
    });
    this.render();
  }

  render(): void {
    const missing: string[] = [];
    for (const [kind, select] of this.selects) {
      const options = this.controls.options(kind);
      const { deviceId, rememberedMissing } = this.controls.selected(kind);
      if (rememberedMissing) missing.push(REMEMBERED_MISSING[kind]);
      select.replaceChildren(...options.map((option) => h('option', { value: option.deviceId }, option.label)));
      select.value = deviceId;
    }
    this.rows.get('audiooutput')?.toggleAttribute('hidden', !this.controls.speakerSupported);
    this.namesHint.hidden = [...this.selects.keys()].some((kind) => this.controls.options(kind).length > 1);
    const { noiseSuppression, echoCancellation } = this.controls.processing;
    this.noiseSuppression.checked = noiseSuppression;
    this.echoCancellation.checked = echoCancellation;
    this.status.textContent = [this.notice, ...missing].filter(Boolean).join(' ');
  }
}

/** The call screen's "Devices" control, its panel and its notice, for one call. */
export class DeviceSettings {
  /** A control for the call's control bar. */
  readonly control: HTMLElement;
  /** The panel, a direct child of the call screen (so that holding the focus makes the rest inert). */
  readonly panel: HTMLElement;
  /** Shown over the call when a device goes away mid-call, panel open or not. */
  readonly notice: HTMLElement;
  private readonly button: HTMLButtonElement;
  private readonly closeButton: HTMLButtonElement;
  private readonly focusTrap: FocusTrap;
  private readonly controls: DeviceControls | undefined;
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(call: Call, remoteAudio: HTMLMediaElement) {
    this.controls = pageDeviceControls();
    this.button = h(
      'button',
      {
        class: 'round-button control',
        'data-testid': 'device-settings-toggle',
        'aria-label': 'Microphone, camera and speaker',
        'aria-haspopup': 'dialog',
        'aria-expanded': 'false',
        onclick: () => this.open(),
      },
      icon('settings'),
    );
    this.control = h('div', { class: 'action', hidden: !this.controls }, this.button, h('span', {}, 'Devices'));
    this.closeButton = h(
      'button',
      { class: 'icon-button', 'aria-label': 'Close device settings', 'data-testid': 'close-device-settings', onclick: () => this.close() },
      icon('close'),
    );
    const choices = this.controls ? new DeviceChoices(this.controls, 'call-devices') : undefined;
    this.panel = h(
      'div',
      {
        class: 'sheet device-panel',
        role: 'dialog',
        'aria-modal': 'true',
        'aria-labelledby': 'call-devices-title',
        'data-testid': 'device-settings',
        tabindex: -1,
        hidden: true,
        onkeydown: (event: Event) => {
          if (event instanceof KeyboardEvent && event.key === 'Escape') {
            event.preventDefault();
            event.stopPropagation();
            this.close();
          }
        },
      },
      h('div', { class: 'sheet-head' }, h('h2', { id: 'call-devices-title' }, 'Devices'), this.closeButton),
      choices?.element,
    );
    this.notice = h('div', { class: 'call-banner device-notice', role: 'status', 'data-testid': 'device-notice', hidden: true });
    this.focusTrap = new FocusTrap(this.panel);

    const controls = this.controls;
    if (!controls) return;
    const detach = controls.attach(call, remoteAudio);
    controls.on('notice', (words) => this.showNotice(words));
    call.on('ended', () => {
      this.close();
      detach();
      controls.dispose();
      clearTimeout(this.noticeTimer);
    });
  }

  open(): void {
    if (!this.panel.hidden) return;
    this.panel.hidden = false;
    this.button.setAttribute('aria-expanded', 'true');
    void this.controls?.refresh();
    this.focusTrap.hold(this.panel.querySelector<HTMLElement>('select') ?? this.closeButton, this.button);
  }

  close(): void {
    if (this.panel.hidden) return;
    this.panel.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
    this.focusTrap.release();
  }

  private showNotice(words: string): void {
    this.notice.textContent = words;
    this.notice.hidden = false;
    clearTimeout(this.noticeTimer);
    // Long enough to read twice; the panel's status keeps it after that.
    this.noticeTimer = setTimeout(() => (this.notice.hidden = true), 8_000);
  }
}
