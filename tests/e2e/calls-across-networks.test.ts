/**
 * Two people on networks with no route between them (support/split-network.ts) call each other
 * through the real web client and the real `npm start -- --turn`: the call can only connect
 * through coturn, relay to relay, and it does, with video decoding both ways; and when one
 * person's media path breaks mid-call, the same call restarts ICE and carries on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoutingLine } from '../../shared/routing-line';
import { framesDecoded, iceReport, selectedPath } from './support/selected-path';
import { TURN_RELAY_ADDRESS } from './support/split-network';
import { requireSplitNetworkEnvironment, SplitWorld } from './support/split-world';
import type { UserPage } from './support/user-page';
import { freshId } from './support/world';

const runs = requireSplitNetworkEnvironment('calls relayed by TURN');

/** Generous: the machine is shared and loaded; these wait on state, they measure nothing. */
const STEP_TIMEOUT_MS = 30_000;

async function connectVideoCall(caller: UserPage, callee: UserPage): Promise<void> {
  await caller.call(callee, 'video');
  expect(await callee.waitForIncoming(STEP_TIMEOUT_MS)).toBe(caller.profile.name);
  await callee.byTestId('accept-call').click();
  await Promise.all([caller.waitForCallStatus('connected', STEP_TIMEOUT_MS), callee.waitForCallStatus('connected', STEP_TIMEOUT_MS)]);
  await Promise.all([
    caller.waitForVideoFrames('remote-video', 5, STEP_TIMEOUT_MS),
    callee.waitForVideoFrames('remote-video', 5, STEP_TIMEOUT_MS),
  ]);
}

/**
 * Waits until `user` has decoded more than `frames` inbound video frames in all; if not, says what
 * ICE and RTP were doing on both sides. Longer than a step: after a restart the sender's bandwidth
 * estimate starts low again, and on a loaded machine the first frames take a while.
 */
async function waitForMoreFrames(user: UserPage, sender: UserPage, frames: number): Promise<void> {
  try {
    await expect.poll(() => framesDecoded(user), { timeout: 2 * STEP_TIMEOUT_MS, interval: 250 }).toBeGreaterThan(frames);
  } catch (error) {
    const report = `${user.profile.name}: ${await iceReport(user)}\n${sender.profile.name}: ${await iceReport(sender)}`;
    throw new Error(`${user.profile.name}'s video did not resume:\n${report}`, { cause: error });
  }
}

/** The ICE username fragment of the page's side of the call: a new one after each ICE restart. */
function ufragOf(user: UserPage): Promise<string | undefined> {
  return user.page.evaluate(() => /a=ice-ufrag:(\S+)/.exec(window.__peerConnections.at(-1)?.localDescription?.sdp ?? '')?.[1]);
}

describe.runIf(runs)('a call between two networks that cannot reach each other', () => {
  let world: SplitWorld;

  beforeAll(async () => {
    world = await SplitWorld.start();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('has no route from one network to the other, only to the service', async () => {
    const { a, b } = world.network.peers;
    await expect(a.run(`ip route get ${b.address}`)).rejects.toThrow(/unreachable/i);
    await expect(b.run(`ip route get ${a.address}`)).rejects.toThrow(/unreachable/i);
    await expect(a.run(`ip route get ${TURN_RELAY_ADDRESS}`)).rejects.toThrow(/unreachable/i);
    expect(await a.run(`ip route get ${new URL(world.gateway.httpUrl).hostname}`)).toContain(a.address);
  });

  it('connects through the TURN relay and video decodes both ways', async () => {
    const alice = await world.signIn('a', 'Alice Martin', 'student', freshId());
    const bob = await world.signIn('b', 'Bob Stone', 'tutor', freshId());
    await connectVideoCall(alice, bob);

    for (const user of [alice, bob]) {
      const path = await selectedPath(user);
      // Relay to relay: each side sends to its own allocation on coturn, which passes it to the other's.
      expect(path?.local.type).toBe('relay');
      expect(path?.remote.type).toBe('relay');
      expect(path?.local.address).toBe(TURN_RELAY_ADDRESS);
    }
    expect((await selectedPath(alice))?.local.relatedAddress).toBe(world.network.peers.a.address);
    expect((await selectedPath(bob))?.local.relatedAddress).toBe(world.network.peers.b.address);

    await alice.byTestId('end-call').click();
    await bob.waitForMainView(STEP_TIMEOUT_MS);
  });

  it('recovers from a broken media path by restarting ICE, in the same call, with video flowing again', async () => {
    const carol = await world.signIn('a', 'Carol Reyes', 'parent', freshId());
    const dan = await world.signIn('b', 'Dan Okafor', 'tutor', freshId());
    // The world is this file's alone and its tests run one after another: every line from now on is this call's.
    const routing: RoutingLine[] = [];
    const stopListening = world.gateway.onLogLine((line) => {
      if (line.includes('"msg":"routing"')) routing.push(JSON.parse(line) as RoutingLine);
    });
    try {
      await connectVideoCall(carol, dan);
      const ufragBefore = await ufragOf(carol);
      const mediaBanner = carol.byTestId('call-banner').filter({ hasText: 'Reconnecting media' });

      // Carol's packets to the TURN server start vanishing (her signaling, to the gateway's address,
      // carries on): both browsers lose the media path; the client says so and restarts ICE.
      await world.network.setTurnReachable('a', false);
      await mediaBanner.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
      expect(await carol.byTestId('call-status').getAttribute('data-state')).toBe('connected');
      // The restart is under way (new ICE credentials on Carol's side) before the path comes back,
      // so the call cannot merely have resumed on its old path.
      await expect.poll(() => ufragOf(carol), { timeout: STEP_TIMEOUT_MS, interval: 250 }).not.toBe(ufragBefore);

      await world.network.setTurnReachable('a', true);
      const [carolFrames, danFrames] = [await framesDecoded(carol), await framesDecoded(dan)];
      await Promise.all([waitForMoreFrames(carol, dan, carolFrames + 10), waitForMoreFrames(dan, carol, danFrames + 10)]);
      await mediaBanner.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
      expect(await carol.byTestId('call-status').getAttribute('data-state')).toBe('connected');
      expect(await dan.byTestId('call-status').getAttribute('data-state')).toBe('connected');
      const path = await selectedPath(carol);
      expect(path?.local.type).toBe('relay');
      expect(path?.remote.type).toBe('relay');

      await dan.byTestId('end-call').click();
      await carol.waitForMainView(STEP_TIMEOUT_MS);
      // One call from start to end: one invitation, and the restart's offer and answer forwarded within it.
      const callIds = new Set(routing.map((line) => line.call_id).filter((id): id is string => id !== null));
      expect(callIds.size).toBe(1);
      expect(routing.filter((line) => line.route === 'call_invitation' && line.outcome === 'ringing')).toHaveLength(1);
      expect(routing.filter((line) => line.route === 'call_renegotiate' && line.outcome === 'forwarded').length).toBeGreaterThan(0);
      const history = carol.byTestId('call-history-item');
      await history.first().waitFor({ timeout: STEP_TIMEOUT_MS });
      expect(await history.count()).toBe(1);
      expect(await history.first().getAttribute('data-status')).toBe('ended');
    } finally {
      stopListening();
      await world.network.setTurnReachable('a', true);
    }
  }, 180_000);
});
