/** Line icons (24×24, stroked with currentColor) as trusted markup. */
import { fromMarkup } from './dom';

const PATHS = {
  phone: 'M5 4h3l2 5-2.5 1.5a11 11 0 0 0 6 6L15 14l5 2v3a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2',
  video:
    'M15 10l4.55-2.28A1 1 0 0 1 21 8.62v6.76a1 1 0 0 1-1.45.9L15 14M3 8a2 2 0 0 1 2-2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z',
  videoOff:
    'M15 10l4.55-2.28A1 1 0 0 1 21 8.62v6.76a1 1 0 0 1-1.45.9L15 14M10 6h3a2 2 0 0 1 2 2v3m0 4v1a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2M3 3l18 18',
  mic: 'M9 5a3 3 0 0 1 6 0v5a3 3 0 0 1-6 0zM5 10a7 7 0 0 0 14 0M8 21h8M12 17v4',
  micOff:
    'M15 9.34V5a3 3 0 0 0-5.68-1.33M9 9v1a3 3 0 0 0 5.12 2.12M19 10a7 7 0 0 1-.64 2.9M5 10a7 7 0 0 0 10.9 5.8M8 21h8M12 17v4M3 3l18 18',
  hangup:
    'M3.68 16.07l3.92-1.57a1 1 0 0 0 .6-.92v-2.12a12.3 12.3 0 0 1 7.6 0v2.12a1 1 0 0 0 .6.92l3.92 1.57a1 1 0 0 0 1.18-.34l1.1-1.57a2 2 0 0 0-.22-2.56C19.4 8.64 15.8 7.2 12 7.2s-7.4 1.44-10.38 4.4a2 2 0 0 0-.22 2.56l1.1 1.57a1 1 0 0 0 1.18.34z',
  incoming: 'M17 7L7 17M16 17H7V8',
  outgoing: 'M7 17L17 7M8 7h9v9',
  missed: 'M3 7l6 6 4-4 8 8M21 11v6h-6',
  signOut: 'M14 8V6a2 2 0 0 0-2-2H5a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h7a2 2 0 0 0 2-2v-2M9 12h12M18 15l3-3-3-3',
  close: 'M18 6L6 18M6 6l12 12',
  wave: 'M2 12h2l3-7 4 14 4-10 3 6h4',
  history: 'M3 12a9 9 0 1 0 3-6.7L3 8M3 3v5h5M12 7v5l3 2',
  settings: 'M4 21v-7M4 10V3M12 21v-9M12 8V3M20 21v-5M20 12V3M1 14h6M9 8h6M17 16h6',
  screen: 'M3 5a1 1 0 0 1 1-1h16a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1zM8 20h8M12 16v4',
  block: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M5.64 5.64l12.72 12.72',
} as const;

export type IconName = keyof typeof PATHS;

export function icon(name: IconName, className = 'icon'): Element {
  return fromMarkup(
    `<svg class="${className}" viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="${PATHS[name]}"/></svg>`,
  );
}
