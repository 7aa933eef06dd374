/**
 * Half-trickle between two real Chromium pages and the real `npm start`: the host candidates a
 * browser finds at once travel inside the offer and the answer, none of them is sent again, and
 * the call connects. (Candidates found after the wait trickle: `tests/web/negotiator.test.ts`.)
 */
import type { WebSocket as PageSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireE2eEnvironment } from './support/environment';
import { UserPage } from './support/user-page';
import { freshId, World } from './support/world';

const runs = requireE2eEnvironment('half-trickle');

/** Generous: the machine is shared; these wait on state and measure nothing. */
const STEP_TIMEOUT_MS = 30_000;

interface Signaling {
  /** The SDP of every offer or answer the page sent, and of every one it received. */
  sentSdp: string[];
  receivedSdp: string[];
  /** The candidate lines of every `ice_candidate` the page sent (`""` for the end marker). */
  trickled: string[];
}

interface SignalingMessage {
  type?: string;
  offer?: { sdp?: string };
  answer?: { sdp?: string };
  candidate?: { candidate?: string };
  candidates?: { candidate?: string }[];
}

function descriptionOf(message: SignalingMessage): string | undefined {
  return message.type === 'call_invitation' ? message.offer?.sdp : message.type === 'call_answer' ? message.answer?.sdp : undefined;
}

/** A signed-in page whose signaling frames are recorded from before its socket opens. */
async function signInRecording(world: World, name: string, profileType: string): Promise<{ user: UserPage; signaling: Signaling }> {
  const page = await world.openPage();
  const signaling: Signaling = { sentSdp: [], receivedSdp: [], trickled: [] };
  page.on('websocket', (socket: PageSocket) => {
    socket.on('framesent', ({ payload }) => {
      const message = JSON.parse(String(payload)) as SignalingMessage;
      const sdp = descriptionOf(message);
      if (sdp) signaling.sentSdp.push(sdp);
      if (message.type !== 'ice_candidate') return;
      const sent = message.candidates ?? (message.candidate ? [message.candidate] : []);
      signaling.trickled.push(...sent.map((candidate) => candidate.candidate ?? ''));
    });
    socket.on('framereceived', ({ payload }) => {
      const sdp = descriptionOf(JSON.parse(String(payload)) as SignalingMessage);
      if (sdp) signaling.receivedSdp.push(sdp);
    });
  });
  const user = new UserPage(page, { name, profileType, profileId: String(freshId()) });
  await user.signIn();
  return { user, signaling };
}

async function connectVoiceCall(caller: UserPage, callee: UserPage): Promise<void> {
  await caller.call(callee, 'voice');
  await callee.waitForIncoming(STEP_TIMEOUT_MS);
  await callee.byTestId('accept-call').click();
  await Promise.all([caller.waitForCallStatus('connected', STEP_TIMEOUT_MS), callee.waitForCallStatus('connected', STEP_TIMEOUT_MS)]);
}

const candidateLines = (sdp: string, type: string): string[] =>
  sdp.split('\r\n').filter((line) => line.startsWith('a=candidate:') && line.includes(` typ ${type}`));

describe.runIf(runs)('half-trickle: host candidates only', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('connects with the host candidates inside the offer and the answer, none of them sent again', async () => {
    const alice = await signInRecording(world, 'Alice Martin', 'student');
    const bob = await signInRecording(world, 'Bob Stone', 'tutor');
    await connectVoiceCall(alice.user, bob.user);

    const [offer] = alice.signaling.sentSdp;
    const [answer] = bob.signaling.sentSdp;
    const seen = JSON.stringify({ offer, answer, caller: alice.signaling.trickled, callee: bob.signaling.trickled });
    expect(candidateLines(offer ?? '', 'host').length, seen).toBeGreaterThan(0);
    expect(candidateLines(answer ?? '', 'host').length, seen).toBeGreaterThan(0);
    // What each side received is what the other sent: the server passes the SDP on unchanged.
    expect(bob.signaling.receivedSdp[0]).toBe(offer);
    expect(alice.signaling.receivedSdp[0]).toBe(answer);
    // Nothing the descriptions carry is sent again. (Whether a candidate found late on a loaded
    // machine trickles is timing, not asserted; on an idle one nothing trickles at all.)
    for (const [description, trickled] of [
      [offer, alice.signaling.trickled],
      [answer, bob.signaling.trickled],
    ] as const) {
      const carried = (description ?? '').split('\r\n').filter((line) => line.startsWith('a=candidate:'));
      for (const line of carried)
        expect(
          trickled.some((sent) => sent.startsWith(line.slice(2).split(' generation')[0]!)),
          seen,
        ).toBe(false);
    }

    await alice.user.byTestId('end-call').click();
    await bob.user.waitForCallStatus('ended', STEP_TIMEOUT_MS);
  });
});
