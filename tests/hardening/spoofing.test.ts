/**
 * Identity comes only from a valid token, and only participants act on a call: every forgery is
 * refused at connect time or answered with an error, and nothing reaches anyone else.
 */
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer, candidate, offer, startHarness, type Harness } from '../support/harness';
import { TestSocket } from '../support/test-socket';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const claims = { profile_id: 9, profile_type: 'student', name: 'Eve' };
const sign = (payload: Record<string, unknown>, secret = h.gateway.secret) =>
  new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(secret));
const refusal = (token: string) =>
  TestSocket.open(h.gateway.websocketUrl, token).then(
    () => 'opened',
    (error: Error) => error.message,
  );

describe('tokens that must not open a socket', () => {
  it('refuses an unsigned token (alg: none)', async () => {
    expect(await refusal(new UnsecuredJWT(claims).setExpirationTime('1h').encode())).toBe('upgrade refused: 401');
  });

  it('refuses a token signed with another secret', async () => {
    expect(await refusal(await sign(claims, 'not-the-deployment-secret-at-all'))).toBe('upgrade refused: 401');
  });

  it('refuses a token that has expired', async () => {
    const expired = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(Math.floor(Date.now() / 1000) - 5)
      .sign(new TextEncoder().encode(h.gateway.secret));
    expect(await refusal(expired)).toBe('upgrade refused: 401');
  });

  it('refuses tokens missing a profile claim, or with no expiry', async () => {
    for (const missing of ['profile_id', 'profile_type', 'name']) {
      const partial = Object.fromEntries(Object.entries(claims).filter(([key]) => key !== missing));
      expect(await refusal(await sign(partial)), missing).toBe('upgrade refused: 401');
    }
    const forever = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(h.gateway.secret));
    expect(await refusal(forever)).toBe('upgrade refused: 401');
  });

  it('refuses garbage and a token with its payload swapped', async () => {
    expect(await refusal('not.a.token')).toBe('upgrade refused: 401');
    const [header, , signature] = (await sign(claims)).split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, profile_id: 1, exp: 9_999_999_999 })).toString('base64url');
    expect(await refusal(`${header}.${forgedPayload}.${signature}`)).toBe('upgrade refused: 401');
  });
});

describe('acting as someone else', () => {
  it('stamps the token identity on everything forwarded, whatever the client claims', async () => {
    const eve = await h.connect('student', 9, 'Eve');
    const tutor = await h.connect('tutor', 10, 'Tutor');
    eve.send({
      type: 'call_invitation',
      call_type: 'voice',
      to_profile_id: 10,
      to_profile_type: 'tutor',
      offer: offer(),
      from_profile_id: 1,
      from_profile_type: 'tutor',
      from_name: 'The Principal',
      from_avatar: 'https://spoof.invalid/x.png',
      call_id: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
    });
    const invitation = await tutor.next('call_invitation');
    expect(invitation).toMatchObject({ from_profile_id: 9, from_profile_type: 'student', from_name: 'Eve', from_avatar: null });
    expect(invitation.call_id).not.toBe('01ARZ3NDEKTSV4RRFFQ69G5FAV');
  });

  it("refuses acting on someone else's call by its call_id, and a second socket of a third profile hears nothing", async () => {
    const caller = await h.connect('student', 20);
    const callee = await h.connect('tutor', 21);
    caller.send({ type: 'call_invitation', call_type: 'video', to_profile_id: 21, to_profile_type: 'tutor', offer: offer() });
    const { call_id: callId } = await callee.next('call_invitation');
    callee.send({ type: 'call_answer', call_id: callId, answer: answer() });
    await caller.next('call_answer');

    const mallory = await h.connect('parent', 22);
    for (const attempt of [
      { type: 'call_ended', call_id: callId },
      { type: 'call_resume', call_id: callId },
      { type: 'ice_candidate', call_id: callId, candidates: [candidate(1), candidate(2)] },
      { type: 'call_answer', call_id: callId, answer: answer() },
    ]) {
      mallory.send(attempt);
      expect(await mallory.next('error')).toMatchObject({ code: 'not_a_participant', call_id: callId });
    }
    expect(await caller.quietFor(150, ['call_ended', 'ice_candidate', 'call_resumed'])).toEqual([]);
    expect(await callee.quietFor(0, ['call_ended', 'ice_candidate', 'call_resumed'])).toEqual([]);
    expect(await h.callLog(callId)).toMatchObject({ status: 'answered' });
  });
});
