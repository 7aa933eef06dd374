/** Call settings, a dialog opened from the header: who can call me, and the people I blocked (with Unblock). */
import { profileKey } from '../../../../shared/profile';
import { WHO_CAN_CALL } from '../../../../shared/protocol';
import type { BlockedProfile, CallSettings, WhoCanCall } from '../../client';
import { avatar } from '../avatar';
import { h } from '../dom';
import { FocusTrap } from '../focus-trap';
import { capitalize, displayName } from '../format';
import { icon } from '../icons';
import type { DeviceControls } from '../../client/devices';
import { DeviceChoices, pageDeviceControls } from './device-settings';

export interface SettingsPanelProps {
  /** Asked when the dialog opens: the settings may have changed on another device. */
  onOpen: () => void;
  /**
   * Resolve once the server has the change; reject with an `Error` whose message says, in plain
   * words, why it did not (the choice shown goes back to what the server has).
   */
  onWhoCanCall: (value: WhoCanCall) => Promise<void>;
  onUnblock: (profile: BlockedProfile) => Promise<void>;
}

const CHOICE_TEXT: Record<WhoCanCall, { label: string; hint: string }> = {
  everyone: { label: 'Everyone', hint: 'Anyone on the platform can call you.' },
  conversations: { label: 'People I share a conversation with', hint: 'Only people you have a conversation with.' },
  nobody: { label: 'Nobody', hint: "Calls to you won't ring." },
};
const CHOICES = WHO_CAN_CALL.map((value) => ({ value, ...CHOICE_TEXT[value] }));

type Status = 'loading' | 'saving' | 'saved' | 'failed' | 'idle';
const STATUS_TEXT: Record<Status, string> = {
  loading: 'Loading your settings…',
  saving: 'Saving…',
  saved: 'Saved',
  failed: "Couldn't reach the call service. Try again.",
  idle: '',
};

export class SettingsPanel {
  readonly element: HTMLDialogElement;
  private readonly radios: HTMLInputElement[];
  private readonly status: HTMLElement;
  private readonly list: HTMLElement;
  private readonly closeButton: HTMLButtonElement;
  private settings: CallSettings | undefined;
  /** The choice on its way to the server: shown meanwhile, instead of what the server still has. */
  private pendingChoice: WhoCanCall | undefined;
  /** Profiles whose Unblock is on its way to the server. */
  private readonly unblocking = new Set<string>();
  private readonly focusTrap: FocusTrap;
  /** Microphone, camera and speaker for the next call (the call screen has its own, for the call on). */
  private readonly devices = pageDeviceControls();

  constructor(private readonly props: SettingsPanelProps) {
    this.radios = CHOICES.map(({ value }) =>
      h('input', {
        type: 'radio',
        name: 'who-can-call',
        value,
        id: `who-can-call-${value}`,
        'data-testid': `who-can-call-${value}`,
        onchange: () => void this.choose(value),
      }),
    );
    const choices = CHOICES.map(({ value, label, hint }, index) =>
      h(
        'label',
        { class: 'choice', for: `who-can-call-${value}` },
        this.radios[index],
        h('span', { class: 'choice-text' }, h('strong', {}, label), h('span', { class: 'muted' }, hint)),
      ),
    );
    this.status = h('p', { class: 'settings-status muted', 'data-testid': 'settings-status', role: 'status' });
    this.list = h('ul', { class: 'blocked-list', 'data-testid': 'blocked-list', 'aria-labelledby': 'blocked-title' });
    this.closeButton = h(
      'button',
      { class: 'icon-button', 'aria-label': 'Close call settings', 'data-testid': 'close-settings', onclick: () => this.close() },
      icon('close'),
    );

    this.element = h(
      'dialog',
      { class: 'sheet', 'aria-labelledby': 'settings-title', 'data-testid': 'settings-panel' },
      h('div', { class: 'sheet-head' }, h('h2', { id: 'settings-title' }, 'Call settings'), this.closeButton),
      h('fieldset', { class: 'choice-group', 'data-testid': 'who-can-call' }, h('legend', {}, 'Who can call me'), ...choices),
      this.status,
      h(
        'section',
        { class: 'blocked' },
        h('h3', { id: 'blocked-title' }, 'Blocked'),
        h('p', { class: 'muted' }, "Blocked people can't call you. They aren't told: to them, you just can't be reached."),
        this.list,
      ),
      this.devices && foldedDeviceChoices(this.devices),
    );
    // Escape closes a modal dialog by itself; focus goes back to what opened it either way.
    this.focusTrap = new FocusTrap(this.element);
    this.element.addEventListener('close', () => {
      // The event comes a moment later: opened again meanwhile, the panel keeps its hold.
      if (!this.element.open) this.focusTrap.release();
    });
    this.render('loading');
  }

  get isOpen(): boolean {
    return this.element.open;
  }

  open(returnFocusTo?: HTMLElement): void {
    if (this.element.open) return;
    const opener = returnFocusTo ?? (document.activeElement instanceof HTMLElement ? document.activeElement : undefined);
    if (!this.settings) this.render('loading');
    this.element.showModal();
    this.focusTrap.hold(this.radios.find((radio) => radio.checked) ?? this.closeButton, opener);
    this.props.onOpen();
    void this.devices?.refresh();
  }

  close(): void {
    if (this.element.open) this.element.close();
  }

  /** The newest settings from the server (this tab's change, another tab's, or a read). */
  setSettings(settings: CallSettings): void {
    this.settings = settings;
    this.render(this.status.dataset.status === 'saving' ? 'saving' : 'idle');
  }

  /** Reading the settings failed; what is shown (if anything) stays. */
  setLoadFailed(): void {
    this.render('failed');
  }

  private async choose(value: WhoCanCall): Promise<void> {
    this.pendingChoice = value;
    this.render('saving');
    try {
      await this.props.onWhoCanCall(value);
      if (this.pendingChoice === value) this.pendingChoice = undefined;
      this.render('saved');
    } catch (error) {
      if (this.pendingChoice === value) this.pendingChoice = undefined;
      this.render('failed', error); // the radios go back to what the server has
    }
  }

  private async unblock(profile: BlockedProfile): Promise<void> {
    const key = profileKey(profile.profile_type, profile.profile_id);
    if (this.unblocking.has(key)) return;
    this.unblocking.add(key);
    this.render('saving');
    try {
      await this.props.onUnblock(profile);
      this.render('saved');
    } catch (error) {
      this.render('failed', error);
    } finally {
      this.unblocking.delete(key);
      this.renderList();
    }
  }

  private render(status: Status, error?: unknown): void {
    this.status.dataset.status = status;
    this.status.textContent = error instanceof Error ? error.message : STATUS_TEXT[status];
    const settings = this.settings;
    const shown = this.pendingChoice ?? settings?.who_can_call;
    for (const radio of this.radios) {
      radio.checked = shown === radio.value;
      // Not disabled while saving: that would take the keyboard focus away from the choice just made.
      radio.disabled = !settings;
    }
    this.renderList();
  }

  private renderList(): void {
    // A row that goes away must not take the keyboard focus with it.
    const focusedAt = [...this.list.querySelectorAll('button')].findIndex((button) => button === document.activeElement);
    const blocked = this.settings?.blocked ?? [];
    if (blocked.length === 0) {
      this.list.replaceChildren(h('li', { class: 'blocked-empty muted' }, this.settings ? "You haven't blocked anyone." : ''));
    } else {
      this.list.replaceChildren(...blocked.map((profile) => this.renderBlocked(profile)));
    }
    if (focusedAt >= 0) {
      const buttons = [...this.list.querySelectorAll('button')];
      (buttons[Math.min(focusedAt, buttons.length - 1)] ?? this.closeButton).focus();
    }
  }

  private renderBlocked(profile: BlockedProfile): HTMLElement {
    const key = profileKey(profile.profile_type, profile.profile_id);
    const name = displayName(profile.name, profile.profile_type, profile.profile_id);
    const pending = this.unblocking.has(key);
    return h(
      'li',
      { class: 'blocked-item', 'data-testid': 'blocked-item', 'data-profile-key': key },
      avatar(name, key, null, 'sm'),
      h(
        'div',
        { class: 'blocked-text' },
        h('strong', { 'data-testid': 'blocked-name' }, name),
        h('span', { class: 'muted' }, `${capitalize(profile.profile_type)} · ${String(profile.profile_id)}`),
      ),
      h(
        'button',
        {
          class: 'button subtle',
          'data-testid': 'unblock',
          'aria-label': `Unblock ${name}`,
          // aria-disabled rather than disabled, which would drop the keyboard focus.
          'aria-disabled': pending ? 'true' : null,
          onclick: () => void this.unblock(profile),
        },
        pending ? 'Unblocking…' : 'Unblock',
      ),
    );
  }
}

/** Folded at first: most visits are about who can call, and a phone has no room for both at once. */
function foldedDeviceChoices(devices: DeviceControls): HTMLElement {
  const choices = new DeviceChoices(devices, 'settings-devices').element;
  choices.id = 'settings-device-choices';
  choices.hidden = true;
  const unfold: HTMLButtonElement = h(
    'button',
    {
      type: 'button',
      class: 'disclosure',
      'aria-expanded': 'false',
      'aria-controls': choices.id,
      'data-testid': 'show-device-choices',
      onclick: () => {
        choices.hidden = !choices.hidden;
        unfold.setAttribute('aria-expanded', String(!choices.hidden));
      },
    },
    'Microphone, camera and speaker',
  );
  return h('section', { class: 'devices' }, h('h3', {}, unfold), choices);
}
