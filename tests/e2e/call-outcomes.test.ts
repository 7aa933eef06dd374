/**
 * Every way a call can fail to happen, through the UI: declined, offline, cancelled, unanswered,
 * busy; each one ends the ringing on both sides and says clearly what happened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireE2eEnvironment } from './support/environment';
import { freshId, World } from './support/world';

const runs = requireE2eEnvironment('call outcomes');
/** Short, so the unanswered call gives up quickly; every other test is done ringing well before. */
const RING_SECONDS = 4;

describe.runIf(runs)('call outcomes in Chromium', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start({ gatewayArgs: ['--ring-timeout', String(RING_SECONDS)] });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('decline: the caller is told, both return to the main view, the ringing stops', async () => {
    const alice = await world.signIn('Alice Martin', 'student', freshId());
    const bob = await world.signIn('Bob Stone', 'tutor', freshId());
    await alice.call(bob, 'video');
    await bob.waitForIncoming();
    await alice.waitForCallStatus('ringing');

    await bob.byTestId('decline-call').click();
    await bob.waitForMainView(1_000);
    expect(await bob.ringtone()).toBeUndefined();
    expect(await alice.waitForToast('rejected')).toContain('Bob Stone declined your call');
    await alice.waitForMainView();
    expect(await alice.ringtone()).toBeUndefined();

    const item = bob.byTestId('call-history-item').first();
    await item.waitFor();
    expect(await item.getAttribute('data-status')).toBe('declined');
  });

  it('calling an offline profile: shown offline before calling, declined offline at once', async () => {
    const carol = await world.signIn('Carol Reyes', 'parent', freshId());
    const nobody = freshId();
    await carol.byTestId('dial-profile-type').selectOption('tutor');
    await carol.byTestId('dial-profile-id').fill(String(nobody));
    await carol.waitForAttribute('dial-presence', 'data-presence', 'offline');

    await carol.byTestId('call-voice').click();
    expect(await carol.waitForToast('offline')).toContain('offline');
    await carol.waitForMainView();
  });

  it('cancel while ringing: the callee’s modal and ringtone stop, and it counts as missed', async () => {
    const dan = await world.signIn('Dan Okafor', 'student', freshId());
    const erin = await world.signIn('Erin Walsh', 'tutor', freshId());
    await dan.call(erin, 'voice');
    await dan.waitForCallStatus('ringing');
    await erin.waitForIncoming();
    expect(await erin.ringtone()).toBe('incoming');

    await dan.byTestId('end-call').click();
    await dan.waitForMainView(1_000);
    expect(await dan.waitForToast('cancelled')).toContain('Call cancelled');
    expect(await erin.waitForToast('peer_cancelled')).toContain('Missed voice call from Dan Okafor');
    await erin.waitForMainView();
    expect(await erin.ringtone()).toBeUndefined();

    const missed = erin.byTestId('call-history-item').first();
    await missed.waitFor();
    expect(await missed.getAttribute('data-missed')).toBe('');
    // Calling back from the history rings the caller.
    await missed.getByTestId('call-back-video').click();
    expect(await dan.waitForIncoming()).toBe('Erin Walsh');
    await dan.byTestId('decline-call').click();
    await erin.waitForToast('rejected');
  });

  it('no answer: both sides stop ringing at the timeout', async () => {
    const femi = await world.signIn('Femi Adeyemi', 'student', freshId());
    const gia = await world.signIn('Gia Rossi', 'tutor', freshId());
    await femi.call(gia, 'video');
    await gia.waitForIncoming();

    // Gia never answered, so Femi's side only knows her profile, not her name.
    expect(await femi.waitForToast('no_answer', (RING_SECONDS + 5) * 1000)).toMatch(/didn't answer/);
    expect(await gia.waitForToast(['missed', 'peer_cancelled'], 5_000)).toContain('Missed video call from Femi Adeyemi');
    await Promise.all([femi.waitForMainView(), gia.waitForMainView()]);
    expect(await gia.ringtone()).toBeUndefined();
  }, 20_000);

  it('busy: calling someone who is in a call', async () => {
    const hana = await world.signIn('Hana Sato', 'student', freshId());
    const ivan = await world.signIn('Ivan Petrov', 'tutor', freshId());
    const jo = await world.signIn('Jo Kim', 'parent', freshId());
    await hana.call(ivan, 'voice');
    await ivan.waitForIncoming();
    await ivan.byTestId('accept-call').click();
    await ivan.waitForCallStatus('connected');

    await jo.call(ivan, 'voice');
    expect(await jo.waitForToast('busy')).toContain('is on another call');
    await jo.waitForMainView();
    expect(await ivan.byTestId('incoming-call').count()).toBe(0);
    expect(await ivan.page.getByTestId('call-status').getAttribute('data-state')).toBe('connected');
    await hana.byTestId('end-call').click();
    await ivan.waitForMainView();
  }, 20_000);

  it('camera or microphone blocked: says what to do, on both the calling and the answering side', async () => {
    const blocked = await world.signIn('Lena Blocked', 'student', freshId(), await world.newContext({ refuseMedia: true }));
    const mo = await world.signIn('Mo Allowed', 'tutor', freshId());

    await blocked.call(mo, 'video');
    expect(await blocked.waitForToast('permission_denied')).toMatch(/blocked.*allow access/i);
    await blocked.waitForMainView(1_000);
    expect(await mo.byTestId('incoming-call').count()).toBe(0); // nothing rang

    await mo.call(blocked, 'voice');
    await blocked.waitForIncoming();
    await blocked.byTestId('accept-call').click();
    expect(await blocked.waitForToast('permission_denied')).toMatch(/allow access/i);
    await blocked.waitForMainView(1_000);
    expect(await mo.waitForToast('rejected')).toContain('declined');
    await mo.waitForMainView();
  });

  it('calling yourself is refused with a clear message', async () => {
    const kai = await world.signIn('Kai Berg', 'tutor', freshId());
    await kai.dial('tutor', kai.profile.profileId, 'video');
    expect(await kai.waitForToast('cannot_call_self')).toContain("can't call yourself");
  });
});
