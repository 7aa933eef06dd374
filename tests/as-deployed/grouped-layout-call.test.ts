/**
 * The grouped layout as deployed: the template of `cdk synth -c functionLayout=grouped` run by the
 * local gateway (`npm start -- --as-deployed --cdk-out <that assembly>`), one container pool per
 * group. A whole call (invite, answer, candidates, end) and a platform API request go through the
 * group functions' own bundles and IAM; the harness fails the file on any failed invocation or
 * IAM refusal. Synthesized once here (with bundling): the run's shared assembly is per route.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesize } from '../../infra/local/as-deployed/cdk-out';
import { PROJECT_ROOT } from '../../infra/local/paths';
import { answer, candidate, offer, startHarness, type Harness } from '../support/harness';
import { PlatformClient } from '../support/platform-client';

let cdkOut: string;
let h: Harness | undefined;

beforeAll(async () => {
  cdkOut = await mkdtemp(join(tmpdir(), 'callsignal-grouped-cdk-out-'));
  await synthesize(cdkOut, PROJECT_ROOT, { functionLayout: 'grouped' });
  // One container per function keeps the machine calm; a call needs no more.
  h = await startHarness({ asDeployed: { cdkOut, maxContainers: 1 } });
}, 240_000);
afterAll(async () => {
  await h?.close();
  if (cdkOut) await rm(cdkOut, { recursive: true, force: true });
});

describe('a call through the grouped template', () => {
  it('runs one function per API, each serving its routes', () => {
    const banner = h!.gateway.asDeployed;
    expect(banner?.functions.slice().sort()).toEqual([
      'authorizer',
      'chat-routes',
      'platform-routes',
      'session-sweeper',
      'sweeper',
      'whiteboard-routes',
    ]);
  });

  it('rings, is answered, carries candidates both ways and ends, logged as ended', async () => {
    const harness = h!;
    const caller = await harness.connect('student', 7101, 'John Doe');
    const callee = await harness.connect('tutor', 7102, 'Ada Tutor');
    caller.send({ type: 'call_invitation', call_type: 'video', to_profile_id: 7102, to_profile_type: 'tutor', offer: offer() });
    const { call_id: callId } = await callee.next('call_invitation');
    callee.send({ type: 'call_answer', call_id: callId, answer: answer() });
    expect(await caller.next('call_answer')).toMatchObject({ call_id: callId });

    caller.send({ type: 'ice_candidate', call_id: callId, candidate: candidate(5000) });
    expect(await callee.next('ice_candidate')).toMatchObject({ call_id: callId, candidate: candidate(5000) });
    callee.send({ type: 'ice_candidate', call_id: callId, candidate: candidate(6000) });
    expect(await caller.next('ice_candidate')).toMatchObject({ call_id: callId, candidate: candidate(6000) });

    caller.send({ type: 'call_ended', call_id: callId });
    expect(await callee.next('call_ended')).toMatchObject({ call_id: callId, reason: 'hangup' });
    expect(await harness.settledLog(callId, (call) => call.status === 'ended')).toMatchObject({ status: 'ended', end_reason: 'hangup' });
  }, 60_000);

  it("answers the platform API from the platform group's function", async () => {
    const harness = h!;
    await harness.connect('tutor', 7103);
    const platform = new PlatformClient(harness.gateway.platformApiUrl, harness.gateway.platformKey);
    const { status, body } = await platform.presence({ profiles: [{ profile_type: 'tutor', profile_id: 7103 }] });
    expect(status).toBe(200);
    expect(body.profiles).toEqual([{ profile_type: 'tutor', profile_id: 7103, is_online: true }]);
  }, 60_000);
});
