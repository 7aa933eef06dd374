/**
 * A call the platform's backend starts (`POST /v1/calls/invite`, as seed 000's `POST
 * /api/calls/invite`), between real Chromium pages through the UI alone: the callee sees the
 * full-screen notice with the caller's name, Accept leads both users into the call, and it is one
 * call in both histories. The backend's request is signed with the gateway's platform key and made
 * inside the gateway's loopback-only namespace, as a backend beside it would make it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_KEY_FILE } from '../../infra/local/platform-key';
import { PLATFORM_ROUTES, routePath } from '../../shared/platform-api';
import { requireE2eEnvironment } from './support/environment';
import { freshId, World } from './support/world';

const runs = requireE2eEnvironment('calls the platform starts');

describe.runIf(runs)('a call the platform starts, in Chromium', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(async () => {
    await world?.close();
  });

  async function platformInvite(body: unknown): Promise<{ status: number; body: { call_id: string; status: string } }> {
    const { gateway } = world;
    const run = await gateway.inNamespace([
      process.execPath,
      '--import',
      'tsx',
      'tests/e2e/support/platform-backend.ts',
      gateway.platformApiUrl,
      join(gateway.dataDir, PLATFORM_KEY_FILE),
      PLATFORM_ROUTES.callInvite.method,
      routePath(PLATFORM_ROUTES.callInvite),
      JSON.stringify(body),
    ]);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as { status: number; body: { call_id: string; status: string } };
  }

  it("shows the callee the full-screen notice with the caller's name, and Accept puts both users in the call", async () => {
    const patrick = await world.signIn('Patrick', 'student', freshId());
    const kesavan = await world.signIn('Kesavan', 'tutor', freshId());

    const started = await platformInvite({
      caller: { profile_type: 'student', profile_id: Number(patrick.profile.profileId), name: 'Patrick' },
      callee: { profile_type: 'tutor', profile_id: Number(kesavan.profile.profileId) },
      call_type: 'video',
    });
    expect(started).toMatchObject({ status: 200, body: { status: 'initiated' } });

    expect(await kesavan.waitForIncoming()).toBe('Patrick');
    expect(await kesavan.byTestId('incoming-call').getAttribute('data-call-type')).toBe('video');
    expect(await kesavan.ringtone()).toBe('incoming');
    await kesavan.byTestId('accept-call').click();

    await Promise.all([patrick.waitForCallStatus('connected'), kesavan.waitForCallStatus('connected')]);
    const [patrickSees, kesavanSees] = await Promise.all([
      patrick.waitForVideoFrames('remote-video'),
      kesavan.waitForVideoFrames('remote-video'),
    ]);
    expect(patrickSees.width).toBeGreaterThan(0);
    expect(kesavanSees.width).toBeGreaterThan(0);
    expect(await patrick.byTestId('call-peer-name').textContent()).toBe('Kesavan');

    await kesavan.byTestId('end-call').click();
    await patrick.waitForCallStatus('ended');
    expect(await patrick.waitForToast('peer_hangup')).toContain('Kesavan ended the call');
    await patrick.waitForMainView();

    // One call, in both histories.
    for (const user of [patrick, kesavan]) {
      const items = user.byTestId('call-history-item');
      await items.first().waitFor();
      expect(await items.count()).toBe(1);
      expect(await items.first().getAttribute('data-status')).toBe('ended');
    }
    expect(await patrick.byTestId('call-history-item').first().getAttribute('data-direction')).toBe('outgoing');
  });
});
