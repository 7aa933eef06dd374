/**
 * One real video call between two Chromium pages against the gateway as deployed (`npm start --
 * --as-deployed`): the synthesized bundles in Lambda-like containers with the template's IAM, all
 * inside the loopback-only namespace. What the browser does must work against what AWS would run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemInLine, type ProblemLine } from '../../infra/local/problems';
import { asDeployedArgs, GATEWAY_MODE_ENV } from '../support/gateway-mode';
import { requireE2eEnvironment } from './support/environment';
import { freshId, World } from './support/world';

const runs = requireE2eEnvironment('a video call as deployed');

describe.runIf(runs)('a video call against the deployed bundles', () => {
  let world: World;
  const problems: ProblemLine[] = [];

  beforeAll(async () => {
    world = await World.start({ gatewayArgs: asDeployedArgs({ ...process.env, [GATEWAY_MODE_ENV]: 'as-deployed' }) });
    world.gateway.onLogLine((line) => {
      const problem = problemInLine(line);
      if (problem) problems.push(problem);
    });
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  });

  it('connects with video both ways and ends, with no failed invocation or IAM refusal', async () => {
    const started = world.gateway.recentLog().find((line) => line.includes('"gateway_started"'));
    expect(started && (JSON.parse(started) as { mode?: string }).mode).toBe('as-deployed');

    const alice = await world.signIn('Alice Martin', 'student', freshId());
    const bob = await world.signIn('Bob Stone', 'tutor', freshId());
    await alice.call(bob, 'video');
    expect(await bob.waitForIncoming()).toBe('Alice Martin');
    await bob.byTestId('accept-call').click();
    await Promise.all([alice.waitForCallStatus('connected'), bob.waitForCallStatus('connected')]);

    const [aliceSees, bobSees] = await Promise.all([alice.waitForVideoFrames('remote-video'), bob.waitForVideoFrames('remote-video')]);
    expect(aliceSees.width).toBeGreaterThan(0);
    expect(bobSees.width).toBeGreaterThan(0);

    await alice.byTestId('end-call').click();
    await alice.waitForMainView();
    await bob.waitForCallStatus('ended');
    expect(problems).toEqual([]);
  }, 60_000);
});
