/** A tiny element builder: enough to write views as plain functions without a framework. */
export type Child = Node | string | null | undefined | false;
type Props = Record<string, string | number | boolean | EventListener | null | undefined>;

/**
 * `h('button', { class: 'primary', onclick: go, 'data-testid': 'x' }, 'Go')`. Props starting with
 * `on` are listeners, booleans toggle attributes, everything else is an attribute.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(key.slice(2), value);
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  element.append(...children.filter((child): child is Node | string => child !== null && child !== undefined && child !== false));
  return element;
}

/** Parses trusted markup from this bundle (icons); never call it with user data. */
export function fromMarkup(markup: string): Element {
  const template = document.createElement('template');
  template.innerHTML = markup.trim();
  const element = template.content.firstElementChild;
  if (!element) throw new Error('empty markup');
  return element;
}

/**
 * A fully anchored regular expression as an HTML `pattern`, which the browser anchors itself (and
 * compiles with the `v` flag, so the source must be valid there too).
 */
export function htmlPattern(anchored: RegExp): string {
  const { source } = anchored;
  if (!source.startsWith('^') || !source.endsWith('$')) throw new Error(`Not an anchored pattern: ${source}`);
  return source.slice(1, -1);
}

export function show(element: HTMLElement, visible: boolean): void {
  element.hidden = !visible;
}

/**
 * Runs `render`, which replaces what is inside `container`, and gives the keyboard focus back to
 * the new element with the same `data-focus-id` as the one that had it.
 */
export function keepingFocus(container: HTMLElement, render: () => void): void {
  const focused = document.activeElement;
  const id = focused instanceof HTMLElement && container.contains(focused) ? focused.dataset.focusId : undefined;
  render();
  if (id === undefined) return;
  for (const element of container.querySelectorAll<HTMLElement>('[data-focus-id]')) {
    if (element.dataset.focusId === id) {
      element.focus();
      return;
    }
  }
}
