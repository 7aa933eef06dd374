/**
 * The two-window demo under `npm start -- --call-policy conversation`: the page learns the policy
 * from `config.json`, gets a call grant from `POST /dev/call-grant` before each call, and the call
 * rings and connects as under the open policy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireE2eEnvironment } from './support/environment';
import { freshId, World } from './support/world';

const runs = requireE2eEnvironment('calls under the conversation policy');

describe.runIf(runs)('the local demo under --call-policy conversation', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start({ gatewayArgs: ['--call-policy', 'conversation'] });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('rings and connects a call the page vouched for with a dev grant', async () => {
    const alice = await world.signIn('Alice Martin', 'student', freshId());
    const bob = await world.signIn('Bob Stone', 'tutor', freshId());
    const grants: string[] = [];
    alice.page.on('request', (request) => {
      if (request.url().endsWith('/dev/call-grant')) grants.push(request.postData() ?? '');
    });

    await alice.call(bob, 'voice');
    expect(await bob.waitForIncoming()).toBe('Alice Martin');
    await bob.byTestId('accept-call').click();
    await Promise.all([alice.waitForCallStatus('connected'), bob.waitForCallStatus('connected')]);
    expect(grants.map((body) => JSON.parse(body) as unknown)).toEqual([
      { callee: { profile_id: Number(bob.profile.profileId), profile_type: 'tutor' }, call_type: 'voice' },
    ]);
    await alice.byTestId('end-call').click();
    await bob.waitForCallStatus('ended');
  });
});
