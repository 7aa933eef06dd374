/**
 * "Start a call": profile type + id, who that is when this page knows, whether they are online,
 * voice or video. Enter in the form never rings anyone: it moves to the call buttons, where the
 * person chooses voice or video (a stray Enter after typing an id must not start a call, nor pick
 * its kind for them).
 */
import {
  DEFAULT_PROFILE_TYPES,
  PROFILE_ID_MAX_LENGTH,
  PROFILE_ID_PATTERN,
  profileIdFromInput,
  profileKey,
  type ProfileRef,
} from '../../../../shared/profile';
import type { CallType } from '../../client';
import { avatar } from '../avatar';
import { h } from '../dom';
import { capitalize } from '../format';
import { icon } from '../icons';
import { profileIdProblem } from '../profile-id-format';

export type Presence = 'online' | 'offline' | 'unknown';

export interface DialerProps {
  profileTypes: readonly string[];
  onCall: (to: ProfileRef, type: CallType) => void;
  /** Asked (debounced) whenever the target changes. */
  lookUp: (to: ProfileRef) => Promise<Presence>;
  /** The profile's name, when this page has met it (calls, history, blocks). */
  nameOf: (to: ProfileRef) => string | undefined;
}

const LOOKUP_DELAY_MS = 300;

export class DialerView {
  readonly element: HTMLElement;
  private readonly type: HTMLSelectElement;
  private readonly id: HTMLInputElement;
  private readonly presence: HTMLElement;
  private readonly targetName: HTMLElement;
  private readonly buttons: HTMLButtonElement[];
  private lookupTimer: ReturnType<typeof setTimeout> | undefined;
  private lookupSeq = 0;
  private inCall = false;

  constructor(private readonly props: DialerProps) {
    const types = [...new Set([...DEFAULT_PROFILE_TYPES, ...props.profileTypes])];
    this.type = h(
      'select',
      { id: 'dial-profile-type', 'data-testid': 'dial-profile-type', 'aria-label': 'Profile type' },
      ...types.map((t) => h('option', { value: t, selected: t === 'tutor' }, capitalize(t))),
    );
    this.id = h('input', {
      id: 'dial-profile-id',
      'data-testid': 'dial-profile-id',
      'aria-label': 'Profile ID',
      placeholder: 'Profile ID, e.g. 42',
      autocomplete: 'off',
      maxlength: PROFILE_ID_MAX_LENGTH,
      'aria-describedby': 'dial-presence',
    });
    this.presence = h('p', {
      id: 'dial-presence',
      class: 'presence',
      'data-testid': 'dial-presence',
      'data-presence': 'unknown',
      'aria-live': 'polite',
    });
    this.targetName = h('p', { class: 'dial-target', 'data-testid': 'dial-target-name', 'aria-live': 'polite', hidden: true });
    // type=button: otherwise Enter in the id field "clicks" the first of them, a voice call.
    const voice = h(
      'button',
      { type: 'button', class: 'button primary', 'data-testid': 'call-voice', onclick: () => this.call('voice') },
      icon('phone'),
      'Voice call',
    );
    const video = h(
      'button',
      { type: 'button', class: 'button primary', 'data-testid': 'call-video', onclick: () => this.call('video') },
      icon('video'),
      'Video call',
    );
    this.buttons = [voice, video];

    const form = h(
      'form',
      { class: 'stack' },
      h('div', { class: 'dial-row' }, this.type, this.id),
      this.targetName,
      this.presence,
      h('div', { class: 'button-row' }, voice, video),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (this.target() && !this.inCall) voice.focus();
      else this.id.focus();
    });
    this.type.addEventListener('change', () => this.changed());
    this.id.addEventListener('input', () => this.changed());

    this.element = h(
      'section',
      { class: 'card dialer' },
      h('h2', {}, 'Start a call'),
      h('p', { class: 'muted' }, 'Call any profile on the platform by its type and ID.'),
      form,
    );
    this.update();
  }

  /** Fills in a target (from a history item), without calling. */
  fill(to: ProfileRef): void {
    this.type.value = to.profile_type;
    this.id.value = String(to.profile_id);
    this.changed();
  }

  setInCall(inCall: boolean): void {
    this.inCall = inCall;
    this.update();
  }

  /** Looks the current target up again (presence changes while the page is open). */
  refresh(): void {
    this.refreshName();
    if (this.target()) void this.lookUp();
  }

  /** Shows the name of the profile the buttons will call, when known (names are learned as the page goes). */
  refreshName(): void {
    const to = this.target();
    const name = to ? this.props.nameOf(to) : undefined;
    if (!to || !name) {
      this.targetName.hidden = true;
      this.targetName.replaceChildren();
      return;
    }
    this.targetName.replaceChildren(avatar(name, profileKey(to.profile_type, to.profile_id), null, 'sm'), h('span', {}, name));
    this.targetName.hidden = false;
  }

  private target(): ProfileRef | undefined {
    const id = this.id.value.trim();
    if (!PROFILE_ID_PATTERN.test(id)) return undefined;
    return { profile_type: this.type.value, profile_id: profileIdFromInput(id) };
  }

  private call(type: CallType): void {
    const to = this.target();
    if (!to || this.inCall) {
      this.id.focus();
      return;
    }
    this.props.onCall(to, type);
  }

  private changed(): void {
    clearTimeout(this.lookupTimer);
    // A wrong ID says what is wrong, where the buttons it turns off can be seen.
    const problem = profileIdProblem(this.id.value);
    this.id.setAttribute('aria-invalid', String(problem !== undefined));
    this.setPresence(this.target() ? 'checking' : problem ? 'invalid' : 'none', problem);
    this.refreshName();
    this.update();
    if (this.target()) this.lookupTimer = setTimeout(() => void this.lookUp(), LOOKUP_DELAY_MS);
  }

  private async lookUp(): Promise<void> {
    const to = this.target();
    if (!to) return;
    const seq = ++this.lookupSeq;
    const presence = await this.props.lookUp(to).catch((): Presence => 'unknown');
    if (seq === this.lookupSeq) this.setPresence(presence);
  }

  private setPresence(presence: Presence | 'checking' | 'none' | 'invalid', problem?: string): void {
    this.presence.dataset.presence = presence;
    this.presence.textContent =
      presence === 'online'
        ? 'Online now'
        : presence === 'offline'
          ? "Offline: the call won't ring until they're back"
          : presence === 'checking'
            ? 'Checking…'
            : presence === 'invalid'
              ? (problem ?? '')
              : '';
  }

  private update(): void {
    const disabled = this.inCall || !this.target();
    for (const button of this.buttons) button.disabled = disabled;
  }
}
