/**
 * The in-call chat: a Chat control with the count of messages not read yet, and a panel with the
 * messages (sent and received, in order) and a field where Enter sends. Messages are plain text
 * (set as text, never parsed as markup) and last as long as the call.
 */
import { MAX_CHAT_MESSAGE_CHARS } from '../../../../shared/limits';
import type { Call, ChatEntry, Unsubscribe } from '../../client';
import { h } from '../dom';
import { icon } from '../icons';

let nextId = 0;
const NOT_YET_WORDS = 'Chat opens once the call connects.';

const timeOf = (iso: string) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
};

export class CallChat {
  /** The Chat control, for the call's controls. */
  readonly toggle: HTMLElement;
  /** The panel, for the call's layout. */
  readonly panel: HTMLElement;
  private readonly toggleButton: HTMLButtonElement;
  private readonly unreadBadge = h('span', { class: 'chat-unread', 'data-testid': 'chat-unread', 'aria-hidden': 'true', hidden: true });
  private readonly log: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly notice = h('p', { class: 'chat-notice', 'data-testid': 'chat-notice', role: 'status' });
  /** Read out while the panel is closed (the log itself is only heard while it is open). */
  private readonly announcer = h('span', { class: 'visually-hidden', role: 'status', 'data-testid': 'chat-announcer' });
  private readonly subscriptions: Unsubscribe[];
  private unread = 0;
  private open = false;

  constructor(
    private readonly call: Call,
    private readonly peerName: () => string,
  ) {
    const panelId = `call-chat-${++nextId}`;
    const inputId = `${panelId}-input`;
    this.toggleButton = h(
      'button',
      {
        class: 'round-button control chat-toggle',
        type: 'button',
        'data-testid': 'chat-toggle',
        'aria-expanded': 'false',
        'aria-controls': panelId,
        onclick: () => this.setOpen(!this.open),
      },
      icon('chat'),
      this.unreadBadge,
    );
    this.toggle = h('div', { class: 'action' }, this.toggleButton, h('span', {}, 'Chat'), this.announcer);

    this.log = h('div', { class: 'chat-log', 'data-testid': 'chat-log', role: 'log', 'aria-label': 'Messages' });
    this.input = h('input', {
      id: inputId,
      class: 'chat-input',
      'data-testid': 'chat-input',
      type: 'text',
      autocomplete: 'off',
      maxlength: MAX_CHAT_MESSAGE_CHARS,
    });
    this.sendButton = h('button', { class: 'button chat-send', type: 'submit', 'data-testid': 'chat-send' }, 'Send');
    const form = h(
      'form',
      {
        class: 'chat-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          this.send();
        },
      },
      h('label', { class: 'visually-hidden', for: inputId }, 'Message'),
      this.input,
      this.sendButton,
    );
    const close = h(
      'button',
      {
        class: 'icon-button chat-close',
        type: 'button',
        'aria-label': 'Close chat',
        'data-testid': 'chat-close',
        onclick: () => this.setOpen(false),
      },
      icon('close', 'icon icon-sm'),
    );
    this.panel = h(
      'section',
      {
        class: 'chat-panel',
        id: panelId,
        'data-testid': 'chat-panel',
        hidden: true,
        onkeydown: (event: Event) => {
          // Escape closes the chat, never the call.
          if (!(event instanceof KeyboardEvent) || event.key !== 'Escape') return;
          event.stopPropagation();
          this.setOpen(false);
        },
      },
      h('div', { class: 'chat-head' }, h('h3', { class: 'chat-title' }), close),
      this.log,
      this.notice,
      form,
    );

    this.subscriptions = [call.on('chat', (entry) => this.received(entry)), call.on('chatAvailable', () => this.renderAvailability())];
    for (const entry of call.chat) this.log.append(this.renderEntry(entry));
    this.renderNames();
    this.renderAvailability();
    this.renderUnread();
  }

  /** The peer's name became known (the callee's, once it answers). */
  renderNames(): void {
    const name = this.peerName();
    this.panel.querySelector('.chat-title')?.replaceChildren(`Chat with ${name}`);
    this.panel.setAttribute('aria-label', `Chat with ${name}`);
    this.input.placeholder = `Message ${name}`;
    const label = this.panel.querySelector('label');
    if (label) label.textContent = `Message ${name}`;
  }

  dispose(): void {
    for (const unsubscribe of this.subscriptions) unsubscribe();
  }

  private setOpen(open: boolean): void {
    this.open = open;
    this.panel.hidden = !open;
    this.toggleButton.setAttribute('aria-expanded', String(open));
    this.toggleButton.classList.toggle('off', open);
    if (open) this.unread = 0;
    this.renderUnread();
    if (open) {
      this.log.lastElementChild?.scrollIntoView({ block: 'end' });
      this.input.focus();
    } else if (this.panel.contains(document.activeElement) || document.activeElement === document.body) {
      this.toggleButton.focus();
    }
  }

  private send(): void {
    const text = this.input.value;
    if (text.trim() === '') return;
    if (this.call.sendChat(text)) {
      this.input.value = '';
      this.notice.textContent = '';
    } else {
      // The text stays in the field, to send again once the connection is back.
      this.notice.textContent = `Not sent: the connection to ${this.peerName()} is not open.`;
    }
  }

  private received(entry: ChatEntry): void {
    this.log.append(this.renderEntry(entry));
    this.log.lastElementChild?.scrollIntoView({ block: 'end' });
    if (entry.from === 'peer' && !this.open) {
      this.unread++;
      this.renderUnread();
      this.announcer.textContent = `New message from ${this.peerName()}`;
    }
  }

  private renderEntry(entry: ChatEntry): HTMLElement {
    const author = entry.from === 'me' ? 'You' : this.peerName();
    return h(
      'div',
      { class: `chat-message from-${entry.from}`, 'data-testid': 'chat-message', 'data-from': entry.from },
      h(
        'span',
        { class: 'chat-meta' },
        h('span', { class: 'chat-author' }, author),
        ' ',
        h('time', { datetime: entry.sentAt }, timeOf(entry.sentAt)),
      ),
      // Text, never markup: whatever the peer sends shows as typed.
      h('p', { class: 'chat-text', 'data-testid': 'chat-text' }, entry.text),
    );
  }

  private renderUnread(): void {
    this.unreadBadge.hidden = this.unread === 0;
    this.unreadBadge.textContent = this.unread > 99 ? '99+' : String(this.unread);
    this.unreadBadge.dataset.count = String(this.unread);
    const unreadWords = this.unread === 0 ? '' : this.unread === 1 ? ', 1 unread message' : `, ${this.unread} unread messages`;
    this.toggleButton.setAttribute('aria-label', `${this.open ? 'Close' : 'Open'} chat${unreadWords}`);
  }

  private renderAvailability(): void {
    const available = this.call.chatAvailable;
    this.sendButton.disabled = !available;
    if (!available && this.call.state !== 'ended') this.notice.textContent = NOT_YET_WORDS;
    else if (available && this.notice.textContent === NOT_YET_WORDS) this.notice.textContent = '';
  }
}
