/**
 * How visible the keyboard focus is, measured on the screen itself: for each control Tab reaches,
 * a picture of it focused and one of it unfocused (the same moment otherwise); the pixels the
 * focus changed by at least 3:1 contrast (WCAG's bar for what must be seen) are counted against
 * the area of a 2 px thick line around the control (WCAG 2.4.13's minimum for a focus indicator).
 */
import type { Page } from 'playwright-core';

/** Contrast a focus indicator needs against what it covers (WCAG 1.4.11). */
export const FOCUS_CONTRAST = 3;
/** Room around a control for a ring drawn outside it. */
const MARGIN_PX = 12;
/** No overlay has more controls than this; the walk stops when Tab comes back around. */
const MAX_CONTROLS = 40;

export interface FocusRingMeasure {
  control: string;
  /** Pixels whose colour the focus changed by at least FOCUS_CONTRAST. */
  changedPixels: number;
  /** A 2 px thick perimeter of the control. */
  requiredPixels: number;
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Walks the controls with Tab, starting from the one focused now, until Tab comes back to the first
 * or leaves `scope` (a selector for the parts of the page judged), and measures each one's focus
 * indicator. `decoder` is a blank page used to read the pictures' pixels.
 */
export async function measureFocusRings(page: Page, scope: string, decoder: Page): Promise<FocusRingMeasure[]> {
  const measures: FocusRingMeasure[] = [];
  const seen = new Set<string>();
  for (let step = 0; step < MAX_CONTROLS; step++) {
    const control = await page.evaluate(describeFocused, scope);
    if (!control || seen.has(control.selector)) break;
    seen.add(control.selector);
    const clip = expand(control.box, page.viewportSize());
    const focused = await page.screenshot({ clip });
    await page.evaluate(() => {
      if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
    });
    const unfocused = await page.screenshot({ clip });
    const refocused = await page.evaluate((selector) => {
      const element = document.querySelector<HTMLElement>(selector);
      element?.focus();
      return element?.matches(':focus-visible') ?? false;
    }, control.selector);
    if (!refocused) throw new Error(`${control.name} did not take the keyboard focus back`);
    const changedPixels = await countChangedPixels(decoder, focused, unfocused);
    measures.push({ control: control.name, changedPixels, requiredPixels: 4 * (control.box.width + control.box.height) });
    await page.keyboard.press('Tab');
  }
  return measures;
}

/**
 * In the page: the focused element, named, with a selector that finds it again (the app's own
 * `data-focus-id` where a re-render may replace it, else a mark put on it), and the box of what a
 * person sees as the control: a radio button's whole choice card (its label), else the element.
 */
function describeFocused(scope: string): { selector: string; name: string; box: Box } | undefined {
  const element = document.activeElement;
  if (!(element instanceof HTMLElement) || !element.closest(scope)) return undefined;
  let selector: string;
  if (element.dataset.focusId !== undefined) selector = `[data-focus-id="${CSS.escape(element.dataset.focusId)}"]`;
  else {
    element.dataset.focusProbe ??= String(document.querySelectorAll('[data-focus-probe]').length);
    selector = `[data-focus-probe="${element.dataset.focusProbe}"]`;
  }
  const component = element instanceof HTMLInputElement && element.labels?.[0] ? element.labels[0] : element;
  const rect = component.getBoundingClientRect();
  const name = element.dataset.testid ?? element.getAttribute('aria-label') ?? element.textContent?.trim() ?? element.tagName;
  return { selector, name, box: { x: rect.x, y: rect.y, width: rect.width, height: rect.height } };
}

function expand(box: Box, viewport: { width: number; height: number } | null): Box {
  const x = Math.max(0, Math.floor(box.x - MARGIN_PX));
  const y = Math.max(0, Math.floor(box.y - MARGIN_PX));
  const right = Math.min(viewport?.width ?? Number.POSITIVE_INFINITY, Math.ceil(box.x + box.width + MARGIN_PX));
  const bottom = Math.min(viewport?.height ?? Number.POSITIVE_INFINITY, Math.ceil(box.y + box.height + MARGIN_PX));
  return { x, y, width: right - x, height: bottom - y };
}

/** Decodes both pictures in the browser and counts the pixels that differ by FOCUS_CONTRAST or more. */
async function countChangedPixels(decoder: Page, focused: Buffer, unfocused: Buffer): Promise<number> {
  return decoder.evaluate(
    async ({ focused, unfocused, contrast }) => {
      const pixels = async (base64: string) => {
        const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
        const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        const context = canvas.getContext('2d');
        if (!context) throw new Error('no 2d canvas');
        context.drawImage(bitmap, 0, 0);
        return context.getImageData(0, 0, bitmap.width, bitmap.height).data;
      };
      const channel = (value: number) => {
        const v = value / 255;
        return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      };
      const luminance = (data: Uint8ClampedArray, i: number) =>
        0.2126 * channel(data[i] ?? 0) + 0.7152 * channel(data[i + 1] ?? 0) + 0.0722 * channel(data[i + 2] ?? 0);
      const [a, b] = await Promise.all([pixels(focused), pixels(unfocused)]);
      let changed = 0;
      for (let i = 0; i < a.length; i += 4) {
        const [light, dark] = [luminance(a, i), luminance(b, i)].sort((x, y) => y - x) as [number, number];
        if ((light + 0.05) / (dark + 0.05) >= contrast) changed++;
      }
      return changed;
    },
    { focused: focused.toString('base64'), unfocused: unfocused.toString('base64'), contrast: FOCUS_CONTRAST },
  );
}
