/**
 * A deployment where a call needs a conversation the platform vouched for: a call placed from the
 * dialer has no call grant, so it is refused; the caller reads that in plain words, and nothing
 * rings for the callee.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../shared/env';
import { requireE2eEnvironment } from './support/environment';
import { freshId, World } from './support/world';

const runs = requireE2eEnvironment('call without a conversation');

describe.runIf(runs)('a conversation-required deployment, in Chromium', () => {
  let world: World;
  const previousPolicy = process.env[ENV.callPolicy];

  beforeAll(async () => {
    // The gateway inherits this process's environment; each test file runs in a process of its own.
    process.env[ENV.callPolicy] = 'conversation';
    world = await World.start();
  });
  afterAll(async () => {
    await world?.close();
    if (previousPolicy === undefined) delete process.env[ENV.callPolicy];
    else process.env[ENV.callPolicy] = previousPolicy;
  });

  it('a call without the platform’s vouching is refused as "can\'t be called right now", and nothing rings', async () => {
    const sam = await world.signIn('Sam Carter', 'student', freshId());
    const ada = await world.signIn('Ada Lovelace', 'tutor', freshId());
    // Under this policy the local page vouches for each call with a grant from /dev/call-grant; here it
    // gets one the platform never minted, as a page without the platform's vouching would have to.
    await sam.page.route('**/dev/call-grant', (route) =>
      route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({
          call_grant: 'not.a.grant',
          conversation_id: 'dev',
          expires_at: new Date(Date.now() + 60_000).toISOString(),
        }),
      }),
    );

    await sam.call(ada, 'video');
    const refusal = await sam.waitForToast('forbidden');
    expect(refusal).toBe(`Tutor ${ada.profile.profileId} can't be called right now.`);
    await sam.waitForMainView();
    expect(await ada.byTestId('incoming-call').count()).toBe(0);
  });
});
