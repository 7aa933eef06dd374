/** One member of a tutoring session in one tab of the session page, with the steps and checks the tests use. */
import type { BrowserContext, Page } from 'playwright-core';
import './user-page'; // for the page's record of its peer connections (window.__peerConnections)

const STEP_TIMEOUT_MS = 15_000;

export interface SessionMembers {
  sessionId: string;
  tutorId: number;
  studentId: number;
}

export type SessionPhase = 'loading' | 'none' | 'ringing' | 'open' | 'waiting' | 'active' | 'ended';

export const sessionUrl = ({ sessionId, tutorId, studentId }: SessionMembers): string =>
  `/?session=${encodeURIComponent(sessionId)}&tutor=${tutorId}&student=${studentId}`;

export class SessionUser {
  private constructor(readonly page: Page) {}

  /** Opens the session's page in `context` and signs in through the form, as `role` of `members`. */
  static async open(context: BrowserContext, members: SessionMembers, role: 'tutor' | 'student', name: string): Promise<SessionUser> {
    const page = await context.newPage();
    await page.goto(sessionUrl(members));
    await page.getByTestId('login-name').fill(name);
    await page.getByTestId('login-profile-type').selectOption(role);
    await page.getByTestId('login-profile-id').fill(String(role === 'tutor' ? members.tutorId : members.studentId));
    await page.getByTestId('login-submit').click();
    const user = new SessionUser(page);
    await page.getByTestId('session-screen').waitFor({ timeout: STEP_TIMEOUT_MS });
    return user;
  }

  async waitForPhase(phase: SessionPhase, timeout = STEP_TIMEOUT_MS): Promise<void> {
    await this.page.waitForFunction(
      (phase) => document.querySelector('[data-testid="session-call-status"]')?.getAttribute('data-state') === phase,
      phase,
      { timeout },
    );
  }

  async phase(): Promise<string | null> {
    return this.page.getByTestId('session-call-status').getAttribute('data-state');
  }

  /** Draws a line across the board from (x1, y1) to (x2, y2), given as fractions of its size, in `colour`. */
  async draw(colour: string, [x1, y1]: [number, number], [x2, y2]: [number, number]): Promise<void> {
    await this.page.getByTestId(`board-colour-${colour}`).click();
    await this.page.getByTestId('board-size').selectOption({ label: 'Bold' });
    const box = await this.page.getByTestId('board-canvas').boundingBox();
    if (!box) throw new Error('the board is not on screen');
    await this.page.mouse.move(box.x + box.width * x1, box.y + box.height * y1);
    await this.page.mouse.down();
    await this.page.mouse.move(box.x + box.width * x2, box.y + box.height * y2, { steps: 12 });
    await this.page.mouse.up();
  }

  /** Draws one stroke through `points` (fractions of the board's size), in `colour`. */
  async drawPath(colour: string, points: readonly (readonly [number, number])[]): Promise<void> {
    await this.page.getByTestId(`board-colour-${colour}`).click();
    const box = await this.page.getByTestId('board-canvas').boundingBox();
    if (!box) throw new Error('the board is not on screen');
    const [first, ...rest] = points;
    if (!first) return;
    await this.page.mouse.move(box.x + box.width * first[0], box.y + box.height * first[1]);
    await this.page.mouse.down();
    for (const [x, y] of rest) await this.page.mouse.move(box.x + box.width * x, box.y + box.height * y, { steps: 3 });
    await this.page.mouse.up();
  }

  async waitForStrokes(count: number, timeout = STEP_TIMEOUT_MS): Promise<void> {
    await this.page.waitForFunction(
      (count) => document.querySelector('[data-testid="board-canvas"]')?.getAttribute('data-strokes') === String(count),
      count,
      { timeout },
    );
  }

  /** The colour painted at a point of the board (fractions of its size), as `#rrggbb`, or 'paper' where nothing is. */
  async colourAt(x: number, y: number): Promise<string> {
    return this.page.evaluate(
      ([x, y]) =>
        new Promise<string>((resolve) =>
          // After the next frame, when a replay the board scheduled has happened.
          requestAnimationFrame(() => {
            const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="board-canvas"]');
            const context = canvas?.getContext('2d');
            if (!canvas || !context) return resolve('no canvas');
            const [r, g, b, a] = context.getImageData(Math.round(canvas.width * x), Math.round(canvas.height * y), 1, 1).data;
            if (!a) return resolve('paper');
            resolve(`#${[r, g, b].map((value) => (value ?? 0).toString(16).padStart(2, '0')).join('')}`);
          }),
        ),
      [x, y] as const,
    );
  }

  /** What the page's live peer connection sends as video: the screen, the camera, or nothing. */
  async sentVideo(): Promise<'screen' | 'camera' | 'nothing'> {
    return this.page.evaluate(() => {
      const pc = window.__peerConnections.filter((candidate) => candidate.connectionState !== 'closed').at(-1);
      const track = pc?.getSenders().find((sender) => sender.track?.kind === 'video')?.track;
      if (track?.readyState !== 'live') return 'nothing';
      return track.getSettings().displaySurface ? 'screen' : 'camera';
    });
  }

  async waitForAttribute(testId: string, attribute: string, value: string, timeout = STEP_TIMEOUT_MS): Promise<void> {
    await this.page.waitForFunction(
      ({ testId, attribute, value }) => document.querySelector(`[data-testid="${testId}"]`)?.getAttribute(attribute) === value,
      { testId, attribute, value },
      { timeout },
    );
  }

  /** Waits until the other member's video has decoded frames. */
  async waitForRemoteVideo(timeout = STEP_TIMEOUT_MS): Promise<void> {
    await this.page.waitForFunction(
      () => {
        const video = document.querySelector<HTMLVideoElement>('[data-testid="session-remote-video"]');
        return video !== null && video.videoWidth > 0 && video.getVideoPlaybackQuality().totalVideoFrames >= 3;
      },
      undefined,
      { timeout },
    );
  }

  /** The session's call history as the page lists it: status and end reason of each call, newest first. */
  async history(): Promise<{ status: string | null; endReason: string | null }[]> {
    return this.page
      .getByTestId('session-history-item')
      .evaluateAll((items) =>
        items.map((item) => ({ status: item.getAttribute('data-status'), endReason: item.getAttribute('data-end-reason') })),
      );
  }
}
