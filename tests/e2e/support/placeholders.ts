/** Placeholder text too faint to read: its contrast with its field, which axe-core does not check. */
import type { Page } from 'playwright-core';

/** WCAG 1.4.3 for normal-size text. */
export const TEXT_CONTRAST = 4.5;

/** Each shown field whose placeholder falls below TEXT_CONTRAST, with its ratio. */
export async function faintPlaceholders(page: Page): Promise<string[]> {
  return page.evaluate((needed) => {
    const rgb = (colour: string) => (colour.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    const luminance = (colour: string) => {
      const [r = 0, g = 0, b = 0] = rgb(colour).map((value) => {
        const v = value / 255;
        return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const faint: string[] = [];
    for (const field of document.querySelectorAll<HTMLInputElement>('input[placeholder]')) {
      if (field.getClientRects().length === 0) continue;
      const text = luminance(getComputedStyle(field, '::placeholder').color);
      const background = luminance(getComputedStyle(field).backgroundColor);
      const ratio = (Math.max(text, background) + 0.05) / (Math.min(text, background) + 0.05);
      if (ratio < needed) faint.push(`${field.dataset.testid ?? field.id}: placeholder at ${ratio.toFixed(2)}:1`);
    }
    return faint;
  }, TEXT_CONTRAST);
}
