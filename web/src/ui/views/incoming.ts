/**
 * The incoming call: a full-screen modal with who calls, how, and Accept / Decline, and "Block
 * this caller", which asks first (in the card, so the call can still be answered) and then
 * declines the call and blocks.
 */
import { profileKey } from '../../../../shared/profile';
import type { Call } from '../../client';
import { avatar } from '../avatar';
import { h } from '../dom';
import { FocusTrap } from '../focus-trap';
import { capitalize, displayName } from '../format';
import { icon } from '../icons';

export interface IncomingProps {
  onAccept: (call: Call) => void;
  onDecline: (call: Call) => void;
  /** Declines the call and blocks its caller. */
  onBlock: (call: Call) => void;
}

export class IncomingView {
  readonly element = h('div', { class: 'overlay incoming', tabindex: -1, hidden: true });
  private readonly focusTrap = new FocusTrap(this.element);
  private call: Call | undefined;
  private actions = h('div');
  private confirm = h('div');
  private keyHandler = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || !this.call) return;
    // Escape backs out of the question first; on the plain screen it declines.
    if (!this.confirm.hidden) this.askToBlock(false);
    else this.props.onDecline(this.call);
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
    const block = h(
      'button',
      { class: 'link-button incoming-block', 'data-testid': 'block-caller', onclick: () => this.askToBlock(true) },
      icon('block', 'icon icon-sm'),
      'Block this caller',
    );
    this.actions = h(
      'div',
      { class: 'incoming-actions-wrap' },
      h(
        'div',
        { class: 'incoming-actions' },
        h('div', { class: 'action' }, decline, h('span', {}, 'Decline')),
        h('div', { class: 'action' }, accept, h('span', {}, 'Accept')),
      ),
      block,
    );
    this.confirm = h(
      'div',
      { class: 'incoming-confirm', role: 'group', 'aria-labelledby': 'block-question', 'data-testid': 'block-confirm', hidden: true },
      h('h3', { id: 'block-question' }, `Block ${name}?`),
      h(
        'p',
        {},
        `This call will be declined and ${name} won't be able to call you. They won't be told. You can unblock them in Call settings.`,
      ),
      h(
        'div',
        { class: 'confirm-actions' },
        h('button', { class: 'button on-dark', 'data-testid': 'cancel-block', onclick: () => this.askToBlock(false) }, 'Cancel'),
        h(
          'button',
          { class: 'button danger', 'data-testid': 'confirm-block', onclick: () => this.props.onBlock(call) },
          'Decline and block',
        ),
      ),
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
        this.actions,
        this.confirm,
      ),
    );
    this.element.hidden = false;
    document.addEventListener('keydown', this.keyHandler);
    this.focusTrap.hold(accept);
  }

  /** Shows the question (focus on Cancel: blocking is a step to take on purpose) or goes back to Accept / Decline. */
  private askToBlock(asking: boolean): void {
    this.actions.hidden = asking;
    this.confirm.hidden = !asking;
    const target = asking ? '[data-testid="cancel-block"]' : '[data-testid="block-caller"]';
    this.element.querySelector<HTMLButtonElement>(target)?.focus();
  }

  hide(): void {
    this.call = undefined;
    this.element.hidden = true;
    this.element.replaceChildren();
    document.removeEventListener('keydown', this.keyHandler);
    this.focusTrap.release();
  }
}
