/**
 * Perfect negotiation (polite = the callee) between two sides over a signaling path whose timing
 * the tests hold: a change on either side reaches the other, both changing at once (glare) ends
 * with both changes applied and both sides stable, and nothing of the call's first offer and
 * answer is renegotiated.
 */
import { describe, expect, it } from 'vitest';
import { PerfectNegotiation } from '../../web/src/client/perfect-negotiation';
import { SignalingPeer, Wire } from './negotiation-fakes';
import { until } from './fakes';

/** Two sides past their first offer and answer, linked by `wire`. */
function pair({ started = true } = {}) {
  const wire = new Wire();
  const caller = new SignalingPeer('caller');
  const callee = new SignalingPeer('callee');
  const failures: unknown[] = [];
  const callerSide = new PerfectNegotiation(caller, { polite: false, send: wire.fromCaller, failed: (e) => failures.push(e) });
  const calleeSide = new PerfectNegotiation(callee, { polite: true, send: wire.fromCallee, failed: (e) => failures.push(e) });
  wire.deliverToCallee = (description) => calleeSide.receive(description);
  wire.deliverToCaller = (description) => callerSide.receive(description);
  if (started) {
    callerSide.start();
    calleeSide.start();
  }
  return { wire, caller, callee, callerSide, calleeSide, failures };
}

const settled = (...peers: SignalingPeer[]) =>
  until(() => peers.every((peer) => peer.signalingState === 'stable'), 2_000, 'both sides stable');

describe('perfect negotiation', () => {
  it('carries a change the caller makes (an ICE restart) to the callee, and the answer back', async () => {
    const { wire, caller, callee, failures } = pair();
    caller.change('ice-restart');
    await until(() => wire.sent.length === 2, 2_000, 'offer and answer');
    await settled(caller, callee);
    expect(wire.sent.map(({ from, description }) => `${from}:${description.type}`)).toEqual(['caller:offer', 'callee:answer']);
    expect(callee.appliedFromPeer).toEqual(['ice-restart']);
    expect(failures).toEqual([]);
  });

  it('carries a change the callee makes (a screen shared) to the caller', async () => {
    const { wire, caller, callee } = pair();
    callee.change('screen');
    await until(() => wire.sent.length === 2, 2_000, 'offer and answer');
    await settled(caller, callee);
    expect(caller.appliedFromPeer).toEqual(['screen']);
  });

  it('settles glare: both sides change at once, the callee yields, and both changes are applied', async () => {
    const { wire, caller, callee, failures } = pair();
    wire.held = true;
    caller.change('caller-restart');
    callee.change('callee-restart');
    await until(() => caller.signalingState === 'have-local-offer' && callee.signalingState === 'have-local-offer', 2_000, 'both offering');
    wire.held = false;
    wire.flush();
    await until(
      () => callee.appliedFromPeer.includes('caller-restart') && caller.appliedFromPeer.includes('callee-restart'),
      2_000,
      'both applied',
    );
    await settled(caller, callee);
    // The polite callee rolled its offer back; the impolite caller never did.
    expect(callee.rollbacks).toEqual([1]);
    expect(caller.rollbacks).toEqual([]);
    expect(failures).toEqual([]);
  });

  it('settles both sides restarting ICE again and again at the same moments', async () => {
    const { wire, caller, callee, failures } = pair();
    for (let round = 0; round < 3; round++) {
      wire.held = true;
      caller.change(`caller-${round}`);
      callee.change(`callee-${round}`);
      await until(
        () => caller.signalingState === 'have-local-offer' && callee.signalingState === 'have-local-offer',
        2_000,
        'both offering',
      );
      wire.held = false;
      wire.flush();
      await until(
        () => callee.appliedFromPeer.includes(`caller-${round}`) && caller.appliedFromPeer.includes(`callee-${round}`),
        2_000,
        `round ${round} applied`,
      );
    }
    await settled(caller, callee);
    expect(failures).toEqual([]);
  });

  it('leaves the first offer and answer alone: negotiationneeded before start sends nothing', async () => {
    const { wire, caller, callerSide } = pair({ started: false });
    caller.change('first-offer-tracks');
    await until(() => caller.negotiationNeededFired === 1, 2_000, 'negotiationneeded fired');
    expect(wire.sent).toEqual([]);
    callerSide.close();
  });

  it('keeps a later offer that overtook the first answer until the first exchange is done, then answers it', async () => {
    const { wire, callee, callerSide } = pair({ started: false });
    callerSide.receive({ type: 'offer', sdp: 'offer early-screen' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(wire.sent).toEqual([]);
    callerSide.start();
    await until(() => wire.sent.length === 1, 2_000, 'the answer');
    expect(wire.sent[0]).toEqual({ from: 'caller', description: { type: 'answer', sdp: 'answer ' } });
    expect(callee.signalingState).toBe('stable');
  });

  it('ignores an answer to nothing (a stale or repeated one) without failing', async () => {
    const { caller, callerSide, failures } = pair();
    callerSide.receive({ type: 'answer', sdp: 'answer stale' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(caller.signalingState).toBe('stable');
    expect(failures).toEqual([]);
  });

  it('sends a pending offer again on request, and nothing when none is pending', async () => {
    const { wire, caller, callee, callerSide } = pair();
    wire.held = true;
    caller.change('restart');
    await until(() => wire.toCallee.length === 1, 2_000, 'offer');
    callerSide.resendPendingOffer();
    expect(wire.toCallee.map((d) => d.type)).toEqual(['offer', 'offer']);
    expect(wire.toCallee[1]).toEqual(wire.toCallee[0]);
    wire.held = false;
    wire.flush();
    await settled(caller, callee);
    await until(() => wire.sent.filter((s) => s.from === 'callee').length === 2, 2_000, 'both answered');
    await settled(caller, callee);
    const before = wire.sent.length;
    callerSide.resendPendingOffer();
    expect(wire.sent.length).toBe(before);
  });
});
