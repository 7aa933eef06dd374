/**
 * A tutoring session in Chromium, through the session page alone: the tutor and the student open
 * the session, start its call over the whiteboard connection, draw on the shared board and see each
 * other's strokes (read from the canvas pixels), the student reloads and finds the call and the board
 * as they were, the tutor shares the screen and then ends the call for both, and the session's
 * history shows it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, formatViolations, isBlocking } from './support/axe';
import { requireE2eEnvironment } from './support/environment';
import { layoutProblems } from './support/layout-problems';
import { SessionUser, type SessionMembers } from './support/session-user';
import { freshId, World } from './support/world';

const runs = requireE2eEnvironment('whiteboard session calls');

/** The board's pen colours the test draws with (web/src/board/board-toolbar.ts). */
const RED = '#b91c1c';
const BLUE = '#1d4ed8';
const TUTOR_LINE: [[number, number], [number, number]] = [
  [0.2, 0.3],
  [0.7, 0.3],
];
const STUDENT_LINE: [[number, number], [number, number]] = [
  [0.2, 0.7],
  [0.7, 0.7],
];

describe.runIf(runs)('whiteboard session calls in Chromium', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('shares the board both ways, survives the student reloading, shares a screen, and ends for both in the history', async () => {
    const members: SessionMembers = { sessionId: `algebra-${freshId()}`, tutorId: freshId(), studentId: freshId() };
    const tutor = await SessionUser.open(await world.newContext(), members, 'tutor', 'Ada Tutor');
    const student = await SessionUser.open(await world.newContext(), members, 'student', 'Sam Student');
    await Promise.all([tutor.waitForPhase('none'), student.waitForPhase('none')]);

    // The tutor starts the call; the student sees it ring and joins.
    await tutor.page.getByTestId('session-start-call').click();
    await tutor.waitForPhase('waiting');
    await student.waitForPhase('ringing');
    await student.page.getByTestId('session-start-call').click();
    await Promise.all([tutor.waitForPhase('active'), student.waitForPhase('active')]);
    await Promise.all([tutor.waitForRemoteVideo(), student.waitForRemoteVideo()]);

    // Each draws; each sees both lines, in the colour they were drawn with.
    await tutor.draw('red', ...TUTOR_LINE);
    await student.draw('blue', ...STUDENT_LINE);
    await Promise.all([tutor.waitForStrokes(2), student.waitForStrokes(2)]);
    for (const user of [tutor, student]) {
      expect(await user.colourAt(0.45, 0.3)).toBe(RED);
      expect(await user.colourAt(0.45, 0.7)).toBe(BLUE);
      expect(await user.colourAt(0.45, 0.5)).toBe('paper');
    }

    // The student reloads: back in the same call, with the board the tutor hands over.
    await student.page.reload();
    await student.page.getByTestId('session-screen').waitFor();
    await Promise.all([student.waitForPhase('active'), tutor.waitForPhase('active')]);
    await student.waitForStrokes(2);
    expect(await student.colourAt(0.45, 0.3)).toBe(RED);
    expect(await student.colourAt(0.45, 0.7)).toBe(BLUE);
    await Promise.all([tutor.waitForRemoteVideo(), student.waitForRemoteVideo()]);

    // The student's own stroke from before the reload is still theirs to undo, on both boards.
    await student.page.getByTestId('board-undo').click();
    await Promise.all([tutor.waitForStrokes(1), student.waitForStrokes(1)]);
    expect(await tutor.colourAt(0.45, 0.7)).toBe('paper');
    expect(await tutor.colourAt(0.45, 0.3)).toBe(RED);

    // The tutor shares the screen instead of the camera, and stops.
    await tutor.page.getByTestId('session-share-screen').click();
    await tutor.waitForAttribute('session-share-screen', 'aria-pressed', 'true');
    expect(await tutor.sentVideo()).toBe('screen');
    await student.waitForRemoteVideo();
    await tutor.page.getByTestId('session-share-screen').click();
    await tutor.waitForAttribute('session-share-screen', 'aria-pressed', 'false');
    expect(await tutor.sentVideo()).toBe('camera');

    // Long enough in the call for each page's quality readings (one every 2 s) to make a summary.
    await tutor.page.waitForTimeout(5_000);

    // The tutor ends the call for both.
    await tutor.page.getByTestId('session-end-call').click();
    await tutor.page.getByTestId('confirm-action').click();
    await Promise.all([tutor.waitForPhase('ended'), student.waitForPhase('ended')]);

    for (const user of [tutor, student]) {
      await user.page.waitForFunction(() => document.querySelector('[data-testid="session-history-item"][data-status="ended"]') !== null);
      expect(await user.history()).toEqual([{ status: 'ended', endReason: 'ended_by_member' }]);
      // Each member's own end-of-call quality summary (`session_quality`) is on its row, as stored:
      // the page's first history read may come before that write lands, so read it afresh.
      await user.page.reload();
      await user.page.getByTestId('session-screen').waitFor();
      await user.page.waitForFunction(() =>
        /connection · (direct|relayed)$/.test(document.querySelector('[data-testid="session-history-quality"]')?.textContent ?? ''),
      );
    }
  });

  it('meets the accessibility bar in a call with strokes on the board, on desktop and at phone size', async () => {
    const members: SessionMembers = { sessionId: `reading-${freshId()}`, tutorId: freshId(), studentId: freshId() };
    const tutor = await SessionUser.open(await world.newContext(), members, 'tutor', 'Ada Tutor');
    const student = await SessionUser.open(await world.newContext(), members, 'student', 'Sam Student');
    await student.waitForPhase('none');
    await student.page.getByTestId('session-start-call').click();
    await tutor.waitForPhase('ringing');
    await tutor.page.getByTestId('session-start-call').click();
    await Promise.all([tutor.waitForPhase('active'), student.waitForPhase('active')]);
    await tutor.draw('green', ...TUTOR_LINE);
    await student.waitForStrokes(1);

    await student.page.setViewportSize({ width: 390, height: 844 });
    const byScreen = new Map([
      ['tutor, desktop', (await axeViolations(tutor.page)).filter(isBlocking)],
      ['student, 390x844', (await axeViolations(student.page)).filter(isBlocking)],
    ]);
    expect([...byScreen.values()].flat(), formatViolations(byScreen)).toEqual([]);
    expect(await layoutProblems(student.page)).toEqual([]);
    // Every board tool is a labelled, pressed-or-not button reached by the keyboard.
    await student.page.getByTestId('board-eraser').focus();
    await student.page.keyboard.press('Enter');
    expect(await student.page.getByTestId('board-eraser').getAttribute('aria-pressed')).toBe('true');
    await student.page.keyboard.press('Tab');
    await student.page.keyboard.press('Space');
    expect(await student.page.getByTestId('board-colour-black').getAttribute('aria-pressed')).toBe('true');
    expect(await student.page.getByTestId('board-eraser').getAttribute('aria-pressed')).toBe('false');
    await student.page.getByTestId('session-end-call').click();
    await student.page.getByTestId('confirm-action').click();
    await tutor.waitForPhase('ended');
  });
});
