/**
 * A modal layer's hold on the keyboard (incoming call, call screen, settings, questions): while it
 * is open the rest of the page is `inert`, Tab and Shift+Tab wrap around inside it (a browser
 * would otherwise step out of the last control into the page or its own toolbar), and when it
 * closes the focus goes back to what had it before.
 */

const FOCUSABLE = 'a[href], button, input, select, textarea, [tabindex]';

export class FocusTrap {
  private returnTo: HTMLElement | undefined;
  private madeInert: HTMLElement[] = [];
  private open = false;
  private readonly onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Tab' && !event.altKey && !event.ctrlKey && !event.metaKey) this.wrapTab(event);
  };

  constructor(private readonly layer: HTMLElement) {}

  /**
   * Call as the layer opens. `initial` takes the focus (the layer itself when none is given and the
   * focus is not inside yet); `returnTo` gets it back on release (by default what has it now).
   */
  hold(initial?: HTMLElement, returnTo: HTMLElement | undefined = focusedOutside(this.layer)): void {
    if (!this.open) {
      this.open = true;
      this.returnTo = returnTo;
      // A modal <dialog> makes the rest inert itself, and gives the focus back as it closes (it could
      // not, were the rest still inert by our hand then).
      const siblings = this.layer instanceof HTMLDialogElement ? [] : (this.layer.parentElement?.children ?? []);
      for (const sibling of siblings) {
        if (sibling instanceof HTMLElement && sibling !== this.layer && !sibling.inert) {
          sibling.inert = true;
          this.madeInert.push(sibling);
        }
      }
      document.addEventListener('keydown', this.onKeyDown, true);
    }
    if (initial) initial.focus();
    else if (!this.layer.contains(document.activeElement)) this.layer.focus();
  }

  /** Call as the layer closes (after whatever it hid is usable again: a disabled button cannot take the focus). */
  release(): void {
    if (!this.open) return;
    this.open = false;
    document.removeEventListener('keydown', this.onKeyDown, true);
    for (const element of this.madeInert) element.inert = false;
    this.madeInert = [];
    const returnTo = this.returnTo;
    this.returnTo = undefined;
    // Only when the focus went down with the layer: a click elsewhere meanwhile wins.
    const active = document.activeElement;
    if (active === null || active === document.body || this.layer.contains(active)) returnFocus(returnTo);
  }

  private wrapTab(event: KeyboardEvent): void {
    const stops = tabStops(this.layer);
    const first = stops[0];
    const last = stops.at(-1);
    const active = document.activeElement;
    if (!first || !last) {
      event.preventDefault();
      this.layer.focus();
      return;
    }
    const outside = !(active instanceof HTMLElement) || !this.layer.contains(active);
    if (event.shiftKey && (outside || active === first || active === this.layer)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (outside || active === last)) {
      event.preventDefault();
      first.focus();
    }
  }
}

/**
 * Focuses `element`, or, when a re-render replaced it meanwhile, its successor (same
 * `data-focus-id`); nothing when neither can take it.
 */
export function returnFocus(element: HTMLElement | undefined): void {
  if (!element) return;
  if (element.isConnected) {
    element.focus();
    return;
  }
  const id = element.dataset.focusId;
  if (id !== undefined) document.querySelector<HTMLElement>(`[data-focus-id="${CSS.escape(id)}"]`)?.focus();
}

function focusedOutside(layer: HTMLElement): HTMLElement | undefined {
  const active = document.activeElement;
  return active instanceof HTMLElement && active !== document.body && !layer.contains(active) ? active : undefined;
}

/** The controls Tab stops on inside `root`, in order: shown, enabled, one per radio group. */
function tabStops(root: HTMLElement): HTMLElement[] {
  const candidates = [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (element) =>
      element.tabIndex >= 0 &&
      !element.matches(':disabled') &&
      !element.closest('[inert]') &&
      element.getClientRects().length > 0 &&
      getComputedStyle(element).visibility !== 'hidden',
  );
  return candidates.filter(
    (element) => !(element instanceof HTMLInputElement && element.type === 'radio') || isRadioStop(element, candidates),
  );
}

/** Tab reaches a radio group once: on its checked button, or on its first when none is checked. */
function isRadioStop(radio: HTMLInputElement, candidates: HTMLElement[]): boolean {
  if (radio.checked) return true;
  const group = candidates.filter(
    (element): element is HTMLInputElement =>
      element instanceof HTMLInputElement && element.type === 'radio' && element.name === radio.name,
  );
  return !group.some((member) => member.checked) && group[0] === radio;
}
