/** A round avatar: the profile's picture, or its initials on a colour derived from its key. */
import { h } from './dom';
import { initials } from './format';

const HUES = [211, 262, 330, 12, 32, 152, 180, 238];

function hueOf(key: string): number {
  let hash = 0;
  for (const char of key) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return HUES[hash % HUES.length]!;
}

export function avatar(name: string, key: string, url: string | null | undefined, size: 'sm' | 'md' | 'lg' | 'xl' = 'md'): HTMLElement {
  const element = h('span', { class: `avatar avatar-${size}`, 'aria-hidden': 'true' }, initials(name));
  // Through the CSSOM, not a style attribute: a Content-Security-Policy without 'unsafe-inline' allows only this.
  element.style.setProperty('--hue', String(hueOf(key)));
  if (url && /^https?:\/\//i.test(url)) {
    const image = h('img', { src: url, alt: '', referrerpolicy: 'no-referrer', loading: 'lazy' });
    // A broken picture falls back to the initials underneath.
    image.addEventListener('error', () => image.remove());
    element.append(image);
  }
  return element;
}
