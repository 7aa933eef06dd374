/** Toasts: short, stacked, self-dismissing messages; one per key, so a newer one replaces an older. */
import { h } from '../dom';
import { icon } from '../icons';
import type { ToastKind } from '../outcomes';

export interface ToastOptions {
  kind?: ToastKind;
  /** A toast with the same key replaces this one. */
  key?: string;
  /** Stays until dismissed or replaced. */
  sticky?: boolean;
  outcome?: string;
  /** A button in the toast (for example "Reconnect"); clicking it dismisses the toast. */
  action?: { label: string; testId: string; run: () => void };
}

const DURATION_MS: Record<ToastKind, number> = { info: 4_000, success: 3_000, warning: 6_000, error: 9_000 };

export class Toasts {
  readonly element = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
  private readonly byKey = new Map<string, HTMLElement>();

  show(message: string, options: ToastOptions = {}): () => void {
    const kind = options.kind ?? 'info';
    if (options.key) this.byKey.get(options.key)?.remove();
    const toast = h(
      'div',
      { class: `toast toast-${kind}`, 'data-testid': 'toast', 'data-kind': kind, 'data-outcome': options.outcome },
      h('span', { class: 'toast-dot' }),
      h('span', { class: 'toast-message' }, message),
    );
    const dismiss = () => {
      toast.classList.add('leaving');
      setTimeout(() => toast.remove(), 200);
      if (options.key && this.byKey.get(options.key) === toast) this.byKey.delete(options.key);
    };
    const { action } = options;
    if (action) {
      const run = () => {
        dismiss();
        action.run();
      };
      toast.append(h('button', { class: 'toast-action', 'data-testid': action.testId, onclick: run }, action.label));
    }
    toast.append(h('button', { class: 'toast-close', 'aria-label': 'Dismiss', onclick: dismiss }, icon('close')));
    if (options.key) this.byKey.set(options.key, toast);
    this.element.append(toast);
    if (!options.sticky) setTimeout(dismiss, DURATION_MS[kind]);
    return dismiss;
  }

  isShowing(key: string): boolean {
    return this.byKey.has(key);
  }

  dismiss(key: string): void {
    const toast = this.byKey.get(key);
    if (!toast) return;
    this.byKey.delete(key);
    toast.classList.add('leaving');
    setTimeout(() => toast.remove(), 200);
  }
}
