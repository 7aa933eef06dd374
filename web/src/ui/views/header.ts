/** The top bar: brand, who I am, the connection state, call settings, sign out. */
import { profileKey } from '../../../../shared/profile';
import type { ConnectionState } from '../../client';
import { avatar } from '../avatar';
import { h } from '../dom';
import { capitalize } from '../format';
import { icon } from '../icons';
import type { Me } from '../session';

const LABELS: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  connected: 'Online',
  reconnecting: 'Reconnecting…',
  closed: 'Offline',
};

export class HeaderView {
  readonly element: HTMLElement;
  private readonly status: HTMLElement;
  private readonly statusLabel: HTMLElement;

  /** Opens the call settings; focus returns to it when they close. */
  readonly settingsButton: HTMLButtonElement;

  constructor(me: Me, onSignOut: () => void, onSettings: () => void) {
    this.settingsButton = h(
      'button',
      {
        class: 'icon-button',
        title: 'Call settings',
        'aria-label': 'Call settings',
        'aria-haspopup': 'dialog',
        'data-testid': 'open-settings',
        onclick: onSettings,
      },
      icon('settings'),
    );
    this.statusLabel = h('span', {}, LABELS.connecting);
    this.status = h(
      'span',
      { class: 'connection', 'data-testid': 'connection-state', 'data-state': 'connecting', title: 'Connection to the call service' },
      h('span', { class: 'connection-dot' }),
      this.statusLabel,
    );
    this.element = h(
      'header',
      { class: 'topbar' },
      h('div', { class: 'brand' }, h('span', { class: 'brand-mark' }, icon('wave')), h('span', {}, 'Callsignal')),
      h(
        'div',
        { class: 'me' },
        this.status,
        h(
          'div',
          { class: 'me-card' },
          avatar(me.name, profileKey(me.profileType, me.profileId), me.avatar, 'sm'),
          h(
            'div',
            { class: 'me-text' },
            h('strong', { 'data-testid': 'me-name' }, me.name),
            h('span', { class: 'muted' }, `${capitalize(me.profileType)} · ${String(me.profileId)}`),
          ),
        ),
        this.settingsButton,
        h(
          'button',
          { class: 'icon-button', title: 'Sign out', 'aria-label': 'Sign out', 'data-testid': 'sign-out', onclick: onSignOut },
          icon('signOut'),
        ),
      ),
    );
  }

  setConnection(state: ConnectionState): void {
    this.status.dataset.state = state;
    this.statusLabel.textContent = LABELS[state];
  }
}
