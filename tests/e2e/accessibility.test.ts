/**
 * axe-core on every screen of the call client, at desktop and phone sizes: no serious or critical
 * violation anywhere (contrast, names, roles, landmarks, …). A failure lists each violation by
 * screen, rule and element.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, formatViolations, isBlocking, type Violation } from './support/axe';
import { requireE2eEnvironment } from './support/environment';
import { faintPlaceholders } from './support/placeholders';
import { DESKTOP, openPageAt, PHONE, tourScreens, type Screen } from './support/screen-tour';
import { UserPage } from './support/user-page';
import { freshId, World } from './support/world';

const runs = requireE2eEnvironment('accessibility');
/**
 * The page's structure, which axe-core rates "moderate" but a screen-reader user relies on: a
 * level-one heading, and everything inside a landmark (or a dialog).
 */
const STRUCTURE_RULES: ReadonlySet<string> = new Set(['page-has-heading-one', 'region', 'landmark-one-main']);
/** Two sign-ins, two answered or declined calls and nine axe runs, on a shared 2-core machine. */
const TOUR_TIMEOUT_MS = 90_000;

describe.runIf(runs)('accessibility (axe-core) in Chromium', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(async () => {
    await world?.close();
  });

  for (const size of [DESKTOP, PHONE]) {
    it(
      `axe-core finds no serious or critical violations on any screen at ${size.name} size (${size.width}×${size.height}), and each has its heading and landmarks`,
      async () => {
        const blocking = new Map<Screen, Violation[]>();
        const structure = new Map<Screen, Violation[]>();
        const visited: Screen[] = [];
        await tourScreens(world, size, async (screen, page) => {
          // Contrast is judged on the settled picture, not on a frame of a fade-in.
          await page.emulateMedia({ reducedMotion: 'reduce' });
          visited.push(screen);
          const violations = await axeViolations(page);
          const serious = violations.filter(isBlocking);
          const unstructured = violations.filter((violation) => !isBlocking(violation) && STRUCTURE_RULES.has(violation.rule));
          if (serious.length > 0) blocking.set(screen, serious);
          if (unstructured.length > 0) structure.set(screen, unstructured);
        });
        expect(visited).toHaveLength(9);
        expect(blocking.size, `serious or critical violations:\n${formatViolations(blocking)}`).toBe(0);
        expect(structure.size, `headings and landmarks:\n${formatViolations(structure)}`).toBe(0);
      },
      TOUR_TIMEOUT_MS,
    );
  }

  // axe-core leaves placeholders out of its contrast check.
  it('placeholders are readable (4.5:1) on the sign-in and home screens', async () => {
    const page = await openPageAt(world, DESKTOP);
    const user = new UserPage(page, { name: 'Sam Carter', profileType: 'student', profileId: String(freshId()) });
    await page.goto('/');
    await user.byTestId('login-name').fill(''); // the placeholder shows
    expect(await faintPlaceholders(page)).toEqual([]);
    await user.signIn();
    expect(await faintPlaceholders(page)).toEqual([]);
  });
});
