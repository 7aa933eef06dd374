/**
 * Screenshots of every state of the client, taken from real calls in headless Chromium (the e2e
 * machinery: real gateway, loopback-only namespace, fake camera and microphone).
 *
 *   tsx web/screenshots.ts [--out DIR] [--readme FILE]
 *
 * DIR defaults to /tmp/callsignal-screenshots; with --readme, a side-by-side picture of a call
 * (the callee's incoming screen and the caller's call in progress) is written to FILE as well, and
 * a tutoring session's call with its whiteboard (desktop and phone) beside it, as `session.png`
 * and `phone-session.png`.
 */
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { requireE2eEnvironment } from '../tests/e2e/support/environment';
import type { UserPage } from '../tests/e2e/support/user-page';
import { freshId, World } from '../tests/e2e/support/world';
import { sessionScreenshots } from './session-screenshots';

const { values } = parseArgs({ options: { out: { type: 'string' }, readme: { type: 'string' } } });
const outDir = resolve(values.out ?? '/tmp/callsignal-screenshots');

if (!requireE2eEnvironment('screenshots')) process.exit(1);
await mkdir(outDir, { recursive: true });
const world = await World.start({ gatewayArgs: ['--ring-timeout', '10'] });
const shot = async (user: UserPage, name: string, settleMs = 400) => {
  await user.page.waitForTimeout(settleMs);
  await user.screenshot(join(outDir, `${name}.png`));
  process.stdout.write(`  ${name}.png\n`);
};

try {
  const signInPage = await world.openPage();
  await signInPage.goto('/');
  await signInPage.getByTestId('login-name').waitFor();
  await signInPage.waitForTimeout(300);
  await signInPage.screenshot({ path: join(outDir, '01-sign-in.png') });
  process.stdout.write('  01-sign-in.png\n');

  const ada = await world.signIn('Ada Lovelace', 'tutor', freshId());
  const sam = await world.signIn('Sam Carter', 'student', freshId());
  const priya = await world.signIn('Priya Natarajan', 'parent', freshId());
  await shot(sam, '02-idle-empty');

  // Some history for Sam: a finished call, a declined one, a missed one, an offline one.
  await sam.call(ada, 'video');
  await ada.waitForIncoming();
  await ada.byTestId('accept-call').click();
  await sam.waitForCallStatus('connected');
  await sam.page.waitForTimeout(2_200);
  await sam.byTestId('end-call').click();
  await ada.waitForMainView();

  await priya.call(sam, 'voice');
  await sam.waitForIncoming();
  await priya.byTestId('end-call').click();
  await sam.waitForMainView();

  await sam.call(priya, 'voice');
  await priya.waitForIncoming();
  await priya.byTestId('decline-call').click();
  await sam.waitForMainView();

  await sam.dial('advertiser', freshId(), 'video');
  await sam.waitForToast('offline');
  await sam.waitForMainView();
  await sam.byTestId('dial-profile-type').selectOption('tutor');
  await sam.byTestId('dial-profile-id').fill(ada.profile.profileId);
  await sam.waitForAttribute('dial-presence', 'data-presence', 'online');
  await shot(sam, '03-idle-history', 1_000);

  // Outgoing, incoming, in call.
  await sam.call(ada, 'video');
  await sam.waitForCallStatus('ringing');
  await ada.waitForIncoming();
  await shot(sam, '04-outgoing-ringing');
  await shot(ada, '05-incoming-video');
  await ada.byTestId('accept-call').click();
  await Promise.all([sam.waitForCallStatus('connected'), ada.waitForCallStatus('connected')]);
  await sam.waitForVideoFrames('remote-video', 20);
  await shot(sam, '06-in-call-video', 1_500);
  // Chat during the call (unread while closed, then open), and the connection's figures.
  await ada.byTestId('chat-toggle').click();
  await ada.byTestId('chat-input').fill('Can you see the slide?');
  await ada.byTestId('chat-input').press('Enter');
  await sam.waitForAttribute('chat-unread', 'data-count', '1');
  await shot(sam, '21-in-call-chat-unread');
  await sam.byTestId('chat-toggle').click();
  await sam.byTestId('chat-input').fill('Yes, clearly');
  await sam.byTestId('chat-input').press('Enter');
  await sam.byTestId('quality-indicator').hover();
  await sam.byTestId('quality-figures').waitFor();
  await shot(sam, '22-in-call-chat-and-quality');
  await sam.byTestId('chat-close').click();
  await ada.byTestId('chat-close').click();
  // Ada shares her screen (Chromium's fake capture): Sam sees it whole, with the connection's figures.
  await ada.byTestId('share-screen').click();
  await sam.waitForVideoFrames('remote-video', 40);
  await sam.byTestId('quality-indicator').hover();
  await sam.byTestId('quality-figures').waitFor();
  await shot(sam, '23-in-call-shared-screen-and-quality', 1_000);
  await ada.byTestId('share-screen').click();
  await sam.page.mouse.move(1, 1);
  await sam.byTestId('mute-toggle').click();
  await sam.byTestId('camera-toggle').click();
  await shot(sam, '07-in-call-muted-camera-off');
  // What Ada sees of it: the muted sign, and Sam's avatar with "Camera off" instead of a black picture.
  await ada.byTestId('peer-muted').waitFor();
  await ada.byTestId('peer-camera-off').waitFor();
  await shot(ada, '19-peer-muted-camera-off', 600);
  await ada.byTestId('end-call').click();
  await sam.waitForCallStatus('ended');
  await shot(sam, '08-ended-by-peer', 100);
  await sam.waitForMainView();

  await priya.call(ada, 'voice');
  await ada.waitForIncoming();
  await shot(ada, '09-incoming-voice');
  await ada.byTestId('accept-call').click();
  await priya.waitForCallStatus('connected');
  await shot(priya, '10-in-call-voice', 1_500);
  await priya.byTestId('end-call').click();
  await shot(priya, '11-after-hangup-toast', 300);
  await priya.waitForMainView();

  // Who can call me: blocking from the incoming screen, what the refused caller reads, the block list.
  await priya.call(sam, 'voice');
  await sam.waitForIncoming();
  await sam.byTestId('block-caller').click();
  await sam.byTestId('block-confirm').waitFor();
  await shot(sam, '15-incoming-block-confirm');
  await sam.byTestId('confirm-block').click();
  await sam.waitForToast('blocked');
  await priya.waitForMainView();
  await priya.call(sam, 'voice');
  await priya.waitForToast('offline');
  await shot(priya, '16-refused-unreachable', 200);
  await sam.byTestId('blocked-tag').first().waitFor();
  await shot(sam, '17-history-blocked');
  await sam.byTestId('open-settings').click();
  await sam.byTestId('blocked-item').waitFor();
  await shot(sam, '18-call-settings');
  await sam.byTestId('close-settings').click();

  // Narrow screens.
  await sam.page.setViewportSize({ width: 390, height: 844 });
  await shot(sam, '12-mobile-idle');
  await ada.call(sam, 'video');
  await sam.waitForIncoming();
  await shot(sam, '13-mobile-incoming');
  await sam.byTestId('accept-call').click();
  await sam.waitForCallStatus('connected');
  await sam.waitForVideoFrames('remote-video', 20);
  await shot(sam, '14-mobile-in-call', 1_000);
  await ada.byTestId('mute-toggle').click();
  await sam.byTestId('peer-muted').waitFor();
  await shot(sam, '20-mobile-peer-muted');
  await sam.byTestId('end-call').click();

  // A tutoring session: its call beside the shared whiteboard.
  const session = await sessionScreenshots(world, outDir);
  process.stdout.write(`Screenshots in ${outDir}\n`);
  if (values.readme) {
    await composeReadmePicture(join(outDir, '05-incoming-video.png'), join(outDir, '06-in-call-video.png'), resolve(values.readme));
    await copyFile(session.desktop, join(dirname(resolve(values.readme)), 'session.png'));
    await copyFile(session.phone, join(dirname(resolve(values.readme)), 'phone-session.png'));
  }
} finally {
  await world.close();
}

/** Two screenshots side by side on a soft backdrop, rendered by the same Chromium. */
async function composeReadmePicture(left: string, right: string, target: string): Promise<void> {
  const image = async (path: string) => `data:image/png;base64,${(await readFile(path)).toString('base64')}`;
  const page = await world.openPage();
  await page.setViewportSize({ width: 1360, height: 520 });
  await page.setContent(`<!doctype html><style>
    body { margin: 0; font: 600 15px system-ui, sans-serif; color: #334155; }
    .frame { display: flex; gap: 32px; padding: 28px 32px; background: linear-gradient(135deg, #e0e7ff, #f5f3ff 55%, #ecfeff); }
    figure { margin: 0; display: grid; gap: 10px; }
    img { width: 632px; border-radius: 12px; box-shadow: 0 12px 32px rgb(15 23 42 / 0.25); }
    figcaption { text-align: center; }
  </style><div class="frame">
    <figure><img src="${await image(left)}"><figcaption>Ada's screen: Sam is calling</figcaption></figure>
    <figure><img src="${await image(right)}"><figcaption>Sam's screen: in the call with Ada</figcaption></figure>
  </div>`);
  await page.locator('.frame').screenshot({ path: target });
  process.stdout.write(`README picture: ${target}\n`);
}
