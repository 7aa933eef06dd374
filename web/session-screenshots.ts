/**
 * Screenshots of a tutoring session's page (part of `npm run screenshots`): the tutor and the
 * student in the session's call, a few strokes each on the shared board, on desktop and phone.
 */
import { join } from 'node:path';
import { SessionUser } from '../tests/e2e/support/session-user';
import { freshId, type World } from '../tests/e2e/support/world';

/** A circle around (cx, cy) of radius r (fractions of the board; the board is 16:10). */
function circle(cx: number, cy: number, r: number): [number, number][] {
  return Array.from({ length: 41 }, (_, i) => [cx + r * Math.cos((i / 40) * 2 * Math.PI), cy + r * 1.6 * Math.sin((i / 40) * 2 * Math.PI)]);
}

/** Takes the session pictures into `outDir`; returns the paths of the desktop and phone pictures of the call (for the README). */
export async function sessionScreenshots(world: World, outDir: string): Promise<{ desktop: string; phone: string }> {
  const members = { sessionId: `geometry-${freshId()}`, tutorId: freshId(), studentId: freshId() };
  const tutor = await SessionUser.open(await world.newContext(), members, 'tutor', 'Ada Lovelace');
  const student = await SessionUser.open(await world.newContext(), members, 'student', 'Sam Carter');
  await tutor.waitForPhase('none');
  const shot = async (user: SessionUser, name: string, settleMs = 400) => {
    await user.page.waitForTimeout(settleMs);
    await user.page.screenshot({ path: join(outDir, `${name}.png`) });
    process.stdout.write(`  ${name}.png\n`);
  };
  await shot(tutor, '21-session-no-call-yet');

  await tutor.page.getByTestId('session-start-call').click();
  await student.waitForPhase('ringing');
  await shot(student, '22-session-ringing');
  await student.page.getByTestId('session-start-call').click();
  await Promise.all([tutor.waitForPhase('active'), student.waitForPhase('active')]);
  await Promise.all([tutor.waitForRemoteVideo(), student.waitForRemoteVideo()]);

  // The tutor: a triangle and its circumcircle; the student: an arrow to a corner, and a note of a line.
  await tutor.drawPath('blue', [
    [0.3, 0.75],
    [0.5, 0.2],
    [0.7, 0.75],
    [0.3, 0.75],
  ]);
  await tutor.drawPath('red', circle(0.5, 0.55, 0.24));
  await student.drawPath('green', [
    [0.85, 0.2],
    [0.72, 0.7],
    [0.76, 0.62],
    [0.72, 0.7],
    [0.69, 0.61],
  ]);
  await student.drawPath('purple', [
    [0.12, 0.88],
    [0.2, 0.85],
    [0.28, 0.9],
    [0.36, 0.86],
  ]);
  await Promise.all([tutor.waitForStrokes(4), student.waitForStrokes(4)]);
  await tutor.page.waitForTimeout(1_500);
  await shot(tutor, '23-session-call-board');

  await student.page.setViewportSize({ width: 390, height: 844 });
  await shot(student, '24-mobile-session', 800);
  await student.page.getByTestId('board-canvas').scrollIntoViewIfNeeded();
  await shot(student, '25-mobile-session-board', 400);

  await tutor.page.getByTestId('session-end-call').click();
  await tutor.page.getByTestId('confirm-action').click();
  await Promise.all([tutor.waitForPhase('ended'), student.waitForPhase('ended')]);
  await tutor.page.waitForFunction(() => document.querySelector('[data-testid="session-history-item"][data-status="ended"]') !== null);
  await shot(tutor, '26-session-ended-history');
  return { desktop: join(outDir, '23-session-call-board.png'), phone: join(outDir, '25-mobile-session-board.png') };
}
