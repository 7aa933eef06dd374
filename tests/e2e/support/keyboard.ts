/** What the keyboard reaches: the focused element, described, and walks with Tab and Shift+Tab. */
import type { Page } from 'playwright-core';

/** The focused element as a person would name it: its test id, else its label, else its tag. */
export async function focusedElement(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return '(nothing: the page itself)';
    const name = element.getAttribute('data-testid') ?? element.getAttribute('aria-label') ?? element.textContent?.trim().slice(0, 40);
    return `${element.tagName.toLowerCase()} "${name ?? ''}"`;
  });
}

export async function focusIsInside(page: Page, selector: string): Promise<boolean> {
  return page.evaluate((selector) => {
    const container = document.querySelector(selector);
    return container !== null && document.activeElement !== null && container.contains(document.activeElement);
  }, selector);
}

/**
 * Presses Tab `presses` times, then Shift+Tab as often, and returns every element focused on the
 * way that was outside `selector` (an empty list when the keyboard never left it).
 */
export async function stepsOutside(page: Page, selector: string, presses: number): Promise<string[]> {
  const outside: string[] = [];
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let step = 1; step <= presses; step++) {
      await page.keyboard.press(key);
      if (!(await focusIsInside(page, selector))) outside.push(`${key} #${step}: ${await focusedElement(page)}`);
    }
  }
  return outside;
}
