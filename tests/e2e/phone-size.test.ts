/**
 * Every screen of the call client usable at phone size (390×844): no sideways scrolling, every
 * control inside the window (on the page, once scrolled to), none covered or overlapping another,
 * no text cut short or running off the window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireE2eEnvironment } from './support/environment';
import { layoutProblems } from './support/layout-problems';
import { PHONE, tourScreens, type Screen } from './support/screen-tour';
import { World } from './support/world';

const runs = requireE2eEnvironment('phone size');
/** Two sign-ins and two answered or declined calls, on a shared 2-core machine. */
const TOUR_TIMEOUT_MS = 90_000;

describe.runIf(runs)('phone size in Chromium', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(async () => {
    await world?.close();
  });

  it(
    `every screen fits a ${PHONE.width}×${PHONE.height} phone: nothing off the window, covered, overlapping or cut short`,
    async () => {
      const found: Partial<Record<Screen, string[]>> = {};
      const visited: Screen[] = [];
      await tourScreens(world, PHONE, async (screen, page) => {
        // Judged on the settled layout, not during a transition.
        await page.emulateMedia({ reducedMotion: 'reduce' });
        visited.push(screen);
        const problems = await layoutProblems(page);
        if (problems.length > 0) found[screen] = problems;
      });
      expect(visited).toHaveLength(9);
      expect(found).toEqual({});
    },
    TOUR_TIMEOUT_MS,
  );
});
