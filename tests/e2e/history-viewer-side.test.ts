/**
 * Call history told from the viewer's side: a person who was busy or offline reads that they
 * missed the call (never "declined"), the caller reads what the other person did, and missed calls
 * are counted until the person has looked at the history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireE2eEnvironment } from './support/environment';
import { freshId, World } from './support/world';
import type { UserPage } from './support/user-page';

const runs = requireE2eEnvironment('history from the viewer’s side');

describe.runIf(runs)('history from the viewer’s side, in Chromium', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(async () => {
    await world?.close();
  });

  /** The history row about the call with `peerName` (the newest, when there are several). */
  const rowWith = (user: UserPage, peerName: string) => user.byTestId('call-history-item').filter({ hasText: peerName }).first();

  it('the busy person’s history says they missed the call while in another one; the caller reads that they were busy', async () => {
    const hana = await world.signIn('Hana Sato', 'student', freshId());
    const ivan = await world.signIn('Ivan Petrov', 'tutor', freshId());
    const jo = await world.signIn('Jo Kim', 'parent', freshId());
    // Jo has talked to Ivan before, so Jo's page knows his name.
    await jo.call(ivan, 'voice');
    await ivan.waitForIncoming();
    await ivan.byTestId('accept-call').click();
    await jo.waitForCallStatus('connected');
    await jo.byTestId('end-call').click();
    await ivan.waitForMainView();

    await hana.call(ivan, 'voice');
    await ivan.waitForIncoming();
    await ivan.byTestId('accept-call').click();
    await ivan.waitForCallStatus('connected');
    await jo.call(ivan, 'video');
    await jo.waitForToast('busy');
    await hana.byTestId('end-call').click();
    await ivan.waitForMainView();

    const missed = rowWith(ivan, 'Jo Kim');
    await missed.filter({ hasText: 'Missed while you were in a call' }).waitFor();
    expect(await missed.getAttribute('data-outcome')).toBe('missed_while_busy');
    expect(await missed.getAttribute('data-missed')).toBe('');
    expect(await missed.textContent()).not.toMatch(/declined/i);

    const busy = rowWith(jo, 'Ivan Petrov');
    await busy.filter({ hasText: 'Ivan Petrov was busy' }).waitFor();
    expect(await busy.getAttribute('data-outcome')).toBe('busy');
    expect(await busy.getAttribute('data-missed')).toBeNull();

    // One missed call Ivan has not looked at yet.
    await ivan.waitForAttribute('missed-calls-badge', 'data-count', '1');
    expect(await ivan.byTestId('missed-calls-badge').textContent()).toContain('1');
  }, 40_000);

  it('a call that came while the person was offline is a missed call for them, and the count clears once they look at the history', async () => {
    const kofi = await world.signIn('Kofi Mensah', 'student', freshId());
    const lea = { name: 'Lea Dubois', type: 'tutor', id: freshId() };
    await kofi.dial(lea.type, lea.id, 'voice');
    expect(await kofi.waitForToast('offline')).toContain('offline');
    await kofi.waitForMainView();

    const leaPage = await world.signIn(lea.name, lea.type, lea.id);
    const row = rowWith(leaPage, 'Kofi Mensah');
    await row.filter({ hasText: 'Missed while you were offline' }).waitFor();
    expect(await row.getAttribute('data-outcome')).toBe('missed_while_offline');
    expect(await row.textContent()).not.toMatch(/declined/i);
    await leaPage.waitForAttribute('missed-calls-badge', 'data-count', '1');

    // Looking at the history (here: pointing into it) marks it seen; it stays seen after a reload.
    await leaPage.byTestId('call-history').click({ position: { x: 5, y: 5 } });
    await leaPage.waitForAttribute('missed-calls-badge', 'data-count', '0');
    expect(await leaPage.byTestId('missed-calls-badge').isVisible()).toBe(false);
    await leaPage.page.reload();
    await leaPage.waitForAttribute('connection-state', 'data-state', 'connected');
    await rowWith(leaPage, 'Kofi Mensah').filter({ hasText: 'Missed while you were offline' }).waitFor();
    expect(await leaPage.byTestId('missed-calls-badge').getAttribute('data-count')).toBe('0');

    // The caller's side of the same call: they could not be reached.
    const kofiRow = kofi.byTestId('call-history-item').first();
    await kofiRow.filter({ hasText: "couldn't be reached" }).waitFor();
    expect(await kofiRow.getAttribute('data-outcome')).toBe('unreachable');
  }, 40_000);

  it('a declined call reads "You declined" for the one who declined and "declined" by name for the caller', async () => {
    const mia = await world.signIn('Mia Novak', 'student', freshId());
    const noah = await world.signIn('Noah Berg', 'tutor', freshId());
    await mia.call(noah, 'voice');
    await noah.waitForIncoming();
    await noah.byTestId('decline-call').click();
    await mia.waitForToast('rejected');

    const noahRow = rowWith(noah, 'Mia Novak');
    await noahRow.filter({ hasText: 'You declined' }).waitFor();
    expect(await noahRow.getAttribute('data-outcome')).toBe('declined_by_me');
    const miaRow = rowWith(mia, 'Noah Berg');
    await miaRow.filter({ hasText: 'Noah Berg declined' }).waitFor();
    expect(await miaRow.getAttribute('data-outcome')).toBe('declined_by_them');
    // Declining is a choice, not a missed call.
    expect(await noah.byTestId('missed-calls-badge').getAttribute('data-count')).toBe('0');
  }, 30_000);

  it('the missed-call notice calls back', async () => {
    const olga = await world.signIn('Olga Ivanova', 'student', freshId());
    const paul = await world.signIn('Paul Smith', 'tutor', freshId());
    await olga.call(paul, 'video');
    await paul.waitForIncoming();
    await olga.waitForCallStatus('ringing');
    await olga.byTestId('end-call').click();

    expect(await paul.waitForToast('peer_cancelled')).toContain('Missed video call from Olga Ivanova');
    await paul.byTestId('toast-call-back').click();
    expect(await olga.waitForIncoming()).toBe('Paul Smith');
    expect(await olga.byTestId('incoming-call').getAttribute('data-call-type')).toBe('video');
    await olga.byTestId('decline-call').click();
    await paul.waitForMainView();
  }, 30_000);
});
