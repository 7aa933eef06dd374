/**
 * What makes a screen unusable at a small size, read from the laid-out page: the page scrolls
 * sideways; a control sits outside the window (on the page: even once scrolled to); a control is
 * covered by something else, or overlaps another control; text is cut short or runs off the window.
 * Only the layer in front is judged: an open dialog, else a visible overlay, else the page.
 */
import type { Page } from 'playwright-core';

export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(findLayoutProblems);
}

/** Runs in the page; self-contained. */
function findLayoutProblems(): string[] {
  const problems: string[] = [];
  const width = window.innerWidth;
  const height = window.innerHeight;
  const name = (element: Element): string =>
    element.getAttribute('data-testid') ??
    element.getAttribute('aria-label') ??
    `${element.tagName.toLowerCase()}${element.className && typeof element.className === 'string' ? `.${element.className.split(' ')[0]}` : ''} "${(element.textContent ?? '').trim().slice(0, 30)}"`;
  const shown = (element: Element): boolean => {
    const box = element.getBoundingClientRect();
    // Larger than a pixel: text kept for screen readers only is a 1 px clipped box.
    const seen = element.getClientRects().length > 0 && (box.width > 1 || box.height > 1);
    return seen && getComputedStyle(element).visibility !== 'hidden' && !element.closest('[inert]');
  };

  const dialog = [...document.querySelectorAll('dialog')].find((candidate) => candidate.open);
  const overlay = [...document.querySelectorAll<HTMLElement>('.overlay')].find((candidate) => !candidate.hidden);
  const layer: Element = dialog ?? overlay ?? document.body;
  // Toasts float above everything and leave by themselves; what they cover is not lost.
  const isToast = (element: Element | null) => element?.closest('.toasts') != null;

  if (document.documentElement.scrollWidth > width) {
    problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth}px wide in a ${width}px window`);
  }

  const controls = [...layer.querySelectorAll('button, input, select, textarea, a[href]')].filter(shown).filter((c) => !isToast(c));
  for (const control of controls) {
    // The page scrolls; overlays and dialogs must fit as they are.
    if (layer === document.body) control.scrollIntoView({ block: 'center', inline: 'nearest' });
    const box = control.getBoundingClientRect();
    if (box.left < -0.5 || box.top < -0.5 || box.right > width + 0.5 || box.bottom > height + 0.5) {
      problems.push(
        `${name(control)} is outside the window (${Math.round(box.left)},${Math.round(box.top)} to ${Math.round(box.right)},${Math.round(box.bottom)})`,
      );
      continue;
    }
    // A radio button's target is its whole choice card.
    const target = control instanceof HTMLInputElement && control.labels?.[0] ? control.labels[0] : control;
    const atCentre = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    if (atCentre && !target.contains(atCentre) && !isToast(atCentre)) problems.push(`${name(control)} is covered by ${name(atCentre)}`);
  }

  // Overlaps, with the page scrolled to the top (the sticky header where it starts).
  window.scrollTo(0, 0);
  const boxes = controls.map((control) => [control, control.getBoundingClientRect()] as const);
  for (const [i, [a, boxA]] of boxes.entries()) {
    for (const [b, boxB] of boxes.slice(i + 1)) {
      if (a.contains(b) || b.contains(a)) continue;
      const across = Math.min(boxA.right, boxB.right) - Math.max(boxA.left, boxB.left);
      const down = Math.min(boxA.bottom, boxB.bottom) - Math.max(boxA.top, boxB.top);
      if (across > 0.5 && down > 0.5) problems.push(`${name(a)} overlaps ${name(b)}`);
    }
  }

  for (const element of layer.querySelectorAll('*')) {
    const hasText = [...element.childNodes].some((node) => node.nodeType === Node.TEXT_NODE && (node.textContent ?? '').trim() !== '');
    if (!hasText || !shown(element) || isToast(element)) continue;
    const style = getComputedStyle(element);
    const clips = style.overflowX !== 'visible' || style.textOverflow === 'ellipsis';
    if (clips && element.scrollWidth > element.clientWidth + 1) problems.push(`${name(element)} is cut short`);
    const box = element.getBoundingClientRect();
    if (box.left < -0.5 || box.right > width + 0.5) problems.push(`${name(element)} runs off the window`);
  }
  return problems;
}
