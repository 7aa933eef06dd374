/**
 * Chat and connection quality during a real call between two Chromium pages: messages both ways
 * over the call's data channel (never through the server), the unread count on the closed chat,
 * the quality indicator with its figures, and afterwards each side's own quality in its history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, formatViolations, isBlocking } from './support/axe';
import { requireE2eEnvironment } from './support/environment';
import { UserPage } from './support/user-page';
import { freshId, World } from './support/world';

const runs = requireE2eEnvironment('in-call chat and connection quality');
/** Against hangs, not a speed goal: two calls and a reload each, on a shared 2-core machine. */
const CALL_TEST_TIMEOUT_MS = 120_000;

describe.runIf(runs)('in-call chat and connection quality, in Chromium', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(async () => {
    await world?.close();
  });

  /** Signs in, keeping every WebSocket frame the page sends or receives (all the server is told and tells). */
  async function signIn(name: string, profileType: string): Promise<UserPage & { frames: string[] }> {
    const page = await world.openPage();
    const frames: string[] = [];
    page.on('websocket', (socket) => {
      socket.on('framesent', ({ payload }) => frames.push(String(payload)));
      socket.on('framereceived', ({ payload }) => frames.push(String(payload)));
    });
    const user = new UserPage(page, { name, profileType, profileId: String(freshId()) });
    await user.signIn();
    return Object.assign(user, { frames });
  }

  async function connectedCall(kind: 'voice' | 'video') {
    const caller = await signIn('Nina Park', 'student');
    const callee = await signIn('Omar Haddad', 'tutor');
    await caller.call(callee, kind);
    await callee.waitForIncoming();
    await callee.byTestId('accept-call').click();
    await Promise.all([caller.waitForCallStatus('connected'), callee.waitForCallStatus('connected')]);
    return { caller, callee };
  }

  const messagesOf = (user: UserPage) =>
    user.page
      .locator('[data-testid="chat-message"]')
      .evaluateAll((items) =>
        items.map(
          (item) => `${item.getAttribute('data-from') ?? ''}: ${item.querySelector('[data-testid="chat-text"]')?.textContent ?? ''}`,
        ),
      );

  it(
    'messages go both ways with Enter, in order, counted as unread while the chat is closed, and are gone after the call',
    async () => {
      const { caller: nina, callee: omar } = await connectedCall('voice');

      // Nina opens the chat and sends with Enter; Omar's chat is closed.
      await nina.byTestId('chat-toggle').click();
      await expect.poll(() => nina.page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('chat-input');
      await nina.byTestId('chat-send').waitFor({ state: 'visible' });
      await nina.page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('[data-testid="chat-send"]')?.disabled);
      await nina.page.keyboard.type('Hi Omar, can you see my screen?');
      await nina.page.keyboard.press('Enter');
      await nina.page.keyboard.type('<img src=x onerror="document.title=1"> Marked up');
      await nina.page.keyboard.press('Enter');

      await omar.waitForAttribute('chat-unread', 'data-count', '2');
      expect(await omar.byTestId('chat-unread').textContent()).toBe('2');
      expect(await omar.byTestId('chat-toggle').getAttribute('aria-label')).toBe('Open chat, 2 unread messages');
      expect(await omar.byTestId('chat-announcer').textContent()).toBe('New message from Nina Park');

      await omar.byTestId('chat-toggle').click();
      await omar.byTestId('chat-unread').waitFor({ state: 'hidden' });
      // Typed markup stays text: no image element, no script ran.
      expect(await messagesOf(omar)).toEqual([
        'peer: Hi Omar, can you see my screen?',
        'peer: <img src=x onerror="document.title=1"> Marked up',
      ]);
      expect(await omar.page.locator('[data-testid="chat-log"] img').count()).toBe(0);
      expect(await omar.page.title()).not.toBe('1');

      await omar.byTestId('chat-input').fill('Yes, all good');
      await omar.byTestId('chat-input').press('Enter');
      await expect
        .poll(() => messagesOf(nina))
        .toEqual(['me: Hi Omar, can you see my screen?', 'me: <img src=x onerror="document.title=1"> Marked up', 'peer: Yes, all good']);
      // Her chat was open: nothing unread.
      expect(await nina.byTestId('chat-unread').isHidden()).toBe(true);
      expect(await nina.page.getByRole('log', { name: 'Messages' }).count()).toBe(1);

      // The open chat meets the accessibility bar like the rest of the call screen.
      const blocking = (await axeViolations(omar.page)).filter(isBlocking);
      expect(blocking, formatViolations(new Map([['call screen, chat open', blocking]]))).toEqual([]);

      // Escape closes the chat (the focus back on its button), never the call.
      await omar.byTestId('chat-input').press('Escape');
      await omar.byTestId('chat-panel').waitFor({ state: 'hidden' });
      expect(await omar.page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('chat-toggle');
      expect(await omar.byTestId('call-status').getAttribute('data-state')).toBe('connected');

      await nina.byTestId('end-call').click();
      await Promise.all([nina.waitForMainView(), omar.waitForMainView()]);
      // Peer to peer only: no chat text ever crossed the signaling connection.
      expect(nina.frames.some((frame) => frame.includes('call_ended'))).toBe(true);
      expect([...nina.frames, ...omar.frames].filter((frame) => frame.includes('Marked up') || frame.includes('all good'))).toEqual([]);

      // The next call between them starts with an empty chat.
      await nina.call(omar, 'voice');
      await omar.waitForIncoming();
      await omar.byTestId('accept-call').click();
      await nina.waitForCallStatus('connected');
      await nina.byTestId('chat-toggle').click();
      expect(await messagesOf(nina)).toEqual([]);
      await nina.byTestId('end-call').click();
      await omar.waitForMainView();
    },
    CALL_TEST_TIMEOUT_MS,
  );

  it(
    'the call shows its connection quality in words with its figures on hover, and each side finds its own in history',
    async () => {
      const { caller: pia, callee: raj } = await connectedCall('video');
      const indicator = pia.byTestId('quality-indicator');
      await indicator.waitFor({ state: 'visible' });
      expect(await indicator.textContent()).toMatch(/^(Good|Fair|Poor) connection$/);
      expect(await indicator.getAttribute('aria-expanded')).toBe('false');

      await indicator.hover();
      const figures = pia.byTestId('quality-figures');
      await figures.waitFor({ state: 'visible' });
      expect(await indicator.getAttribute('aria-expanded')).toBe('true');
      const figure = (label: string) => figures.locator(`[data-figure="${label}"]`).textContent();
      expect(await figure('Round trip')).toMatch(/^\d+(\.\d)? ms$/);
      expect(await figure('Packet loss')).toMatch(/^\d+(\.\d)? %$/);
      expect(await figure('Sending')).toMatch(/^[\d,]+(\.\d)? kbps$/);
      expect(await figure('Receiving')).toMatch(/^[\d,]+(\.\d)? kbps$/);
      // Both pages share one loopback address: host candidates on both ends.
      expect(await figure('Route')).toBe('Direct (same network)');

      // Away from it, the figures go; a tap (click) keeps them.
      await pia.page.mouse.move(5, 400);
      await figures.waitFor({ state: 'hidden' });
      await indicator.click();
      await pia.page.mouse.move(5, 400);
      await figures.waitFor({ state: 'visible' });
      const blocking = (await axeViolations(pia.page)).filter(isBlocking);
      expect(blocking, formatViolations(new Map([['call screen, quality figures', blocking]]))).toEqual([]);

      // Raj's side samples too: its own indicator shows.
      await raj.byTestId('quality-indicator').waitFor({ state: 'visible' });
      const rajRating = await raj.byTestId('quality-indicator').textContent();

      await pia.byTestId('end-call').click();
      await Promise.all([pia.waitForMainView(), raj.waitForMainView()]);

      // Each side's history row tells what that side saw.
      for (const user of [pia, raj]) {
        await user.page.reload();
        await user.waitForAttribute('connection-state', 'data-state', 'connected');
        const quality = user.page.locator('[data-testid="call-history-item"]').first().getByTestId('history-quality');
        await quality.waitFor({ state: 'visible' });
        expect(await quality.textContent()).toMatch(/^(Good|Fair|Poor) connection · direct$/);
      }
      expect(rajRating).toMatch(/connection$/);
    },
    CALL_TEST_TIMEOUT_MS,
  );
});
