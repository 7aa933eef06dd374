/**
 * Two people on networks with no route between them (support/split-network.ts) call each other
 * through the real web client and the real `npm start -- --turn`: the call can only connect
 * through coturn, relay to relay, and it does, with video decoding both ways.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectedPath } from './support/selected-path';
import { requireSplitNetworkEnvironment, SplitWorld } from './support/split-world';
import { TURN_RELAY_ADDRESS } from './support/split-network';
import type { UserPage } from './support/user-page';
import { freshId } from './support/world';

const runs = requireSplitNetworkEnvironment('calls relayed by TURN');

/** Generous: the machine is shared and loaded; these wait on state, they measure nothing. */
const CONNECT_TIMEOUT_MS = 30_000;

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

    await alice.call(bob, 'video');
    expect(await bob.waitForIncoming(CONNECT_TIMEOUT_MS)).toBe('Alice Martin');
    await bob.byTestId('accept-call').click();
    await Promise.all([alice.waitForCallStatus('connected', CONNECT_TIMEOUT_MS), bob.waitForCallStatus('connected', CONNECT_TIMEOUT_MS)]);
    await Promise.all([
      alice.waitForVideoFrames('remote-video', 5, CONNECT_TIMEOUT_MS),
      bob.waitForVideoFrames('remote-video', 5, CONNECT_TIMEOUT_MS),
    ]);

    for (const user of [alice, bob] satisfies UserPage[]) {
      const path = await selectedPath(user);
      // Relay to relay: each side sends to its own allocation on coturn, which passes it to the other's.
      expect(path?.local.type).toBe('relay');
      expect(path?.remote.type).toBe('relay');
      expect(path?.local.address).toBe(TURN_RELAY_ADDRESS);
    }
    expect((await selectedPath(alice))?.local.relatedAddress).toBe(world.network.peers.a.address);
    expect((await selectedPath(bob))?.local.relatedAddress).toBe(world.network.peers.b.address);

    await alice.byTestId('end-call').click();
    await bob.waitForMainView(CONNECT_TIMEOUT_MS);
  });
});
