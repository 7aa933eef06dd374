/** A yes/no question in a modal dialog, in plain words: Escape or Cancel says no; focus goes back to what asked. */
import { h } from '../dom';
import { FocusTrap } from '../focus-trap';

export interface Question {
  title: string;
  body: string;
  confirmLabel: string;
  onConfirm: () => void;
}

export class ConfirmDialog {
  readonly element: HTMLDialogElement;
  private readonly title = h('h2', { id: 'confirm-title' });
  private readonly body = h('p', { class: 'muted', id: 'confirm-body' });
  private readonly confirmButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private onConfirm: (() => void) | undefined;
  private readonly focusTrap: FocusTrap;

  constructor() {
    this.cancelButton = h('button', { class: 'button ghost', 'data-testid': 'confirm-cancel', onclick: () => this.close() }, 'Cancel');
    this.confirmButton = h(
      'button',
      {
        class: 'button danger',
        'data-testid': 'confirm-action',
        onclick: () => {
          const confirmed = this.onConfirm;
          this.close();
          confirmed?.();
        },
      },
      '',
    );
    this.element = h(
      'dialog',
      { class: 'sheet confirm', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-body', 'data-testid': 'confirm-dialog' },
      this.title,
      this.body,
      h('div', { class: 'confirm-actions' }, this.cancelButton, this.confirmButton),
    );
    this.focusTrap = new FocusTrap(this.element);
    this.element.addEventListener('close', () => {
      // The event comes a moment later: a question asked again meanwhile is open, and stays so.
      if (this.element.open) return;
      this.onConfirm = undefined;
      this.focusTrap.release();
    });
  }

  ask(question: Question, returnFocusTo?: HTMLElement): void {
    this.close();
    this.title.textContent = question.title;
    this.body.textContent = question.body;
    this.confirmButton.textContent = question.confirmLabel;
    this.onConfirm = question.onConfirm;
    const asker = returnFocusTo ?? focusedElement();
    this.element.showModal();
    this.focusTrap.hold(this.cancelButton, asker);
  }

  close(): void {
    if (this.element.open) this.element.close();
  }
}

function focusedElement(): HTMLElement | undefined {
  return document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
}
