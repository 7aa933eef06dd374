/** The incoming call: a full-screen modal with who calls, how, and Accept / Decline. */
import { profileKey } from '../../../../shared/profile';
import type { Call } from '../../client';
import { avatar } from '../avatar';
import { h } from '../dom';
import { capitalize, displayName } from '../format';
import { icon } from '../icons';

export interface IncomingProps {
  onAccept: (call: Call) => void;
  onDecline: (call: Call) => void;
}

export class IncomingView {
  readonly element = h('div', { class: 'overlay incoming', hidden: true });
  private call: Call | undefined;
  private keyHandler = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && this.call) this.props.onDecline(this.call);
  };

  constructor(private readonly props: IncomingProps) {}

  get current(): Call | undefined {
    return this.call;
  }

  show(call: Call): void {
    this.call = call;
    const name = displayName(call.peer.name, call.peer.profileType, call.peer.profileId);
    const accept = h(
      'button',
      {
        class: 'round-button accept',
        'data-testid': 'accept-call',
        'aria-label': `Accept ${call.type} call`,
        onclick: () => this.props.onAccept(call),
      },
      icon(call.type === 'video' ? 'video' : 'phone'),
    );
    const decline = h(
      'button',
      {
        class: 'round-button decline',
        'data-testid': 'decline-call',
        'aria-label': 'Decline call',
        onclick: () => this.props.onDecline(call),
      },
      icon('hangup'),
    );
    this.element.replaceChildren(
      h(
        'div',
        {
          class: 'incoming-card',
          role: 'alertdialog',
          'aria-modal': 'true',
          'aria-labelledby': 'incoming-title',
          'data-testid': 'incoming-call',
          'data-call-type': call.type,
        },
        h('p', { class: 'incoming-kind' }, icon(call.type === 'video' ? 'video' : 'phone', 'icon icon-sm'), `Incoming ${call.type} call`),
        h('div', { class: 'pulse' }, avatar(name, profileKey(call.peer.profileType, call.peer.profileId), call.peer.avatar, 'xl')),
        h('h2', { id: 'incoming-title', 'data-testid': 'incoming-caller-name' }, name),
        h('p', { class: 'incoming-role' }, `${capitalize(call.peer.profileType)} · ${String(call.peer.profileId)}`),
        h(
          'div',
          { class: 'incoming-actions' },
          h('div', { class: 'action' }, decline, h('span', {}, 'Decline')),
          h('div', { class: 'action' }, accept, h('span', {}, 'Accept')),
        ),
      ),
    );
    this.element.hidden = false;
    document.addEventListener('keydown', this.keyHandler);
    accept.focus();
  }

  hide(): void {
    this.call = undefined;
    this.element.hidden = true;
    this.element.replaceChildren();
    document.removeEventListener('keydown', this.keyHandler);
  }
}
