/**
 * Half-trickle between two real Chromium pages and the real `npm start`: the candidates a browser
 * finds at once travel inside the offer and the answer, and only later ones trickle. Without a
 * STUN server (host candidates only) the offer and answer carry them and none is sent again; with a
 * STUN server that answers after the longest wait (support/slow-stun.ts), the server-reflexive candidates
 * trickle, the host ones are never sent again, and the call connects.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Waits for the file a helper writes once it is listening. */
async function untilReady(file: string): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  while ((await readFile(file, 'utf8').catch(() => '')) !== 'ready') {
    if (Date.now() > deadline) throw new Error(`${file} was not written within ${STEP_TIMEOUT_MS} ms`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
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

describe.runIf(runs)('half-trickle: a STUN server that answers after the window', () => {
  /** A port in the test's own namespace, where nothing else listens. */
  const stunPort = 20_000 + Math.floor(Math.random() * 20_000);
  let world: World;
  let stun: Promise<{ code: number | null; stdout: string; stderr: string }> | undefined;
  let scratch: string;
  const previousStunUrls = process.env.STUN_URLS;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'half-trickle-'));
    // The gateway inherits the environment: its `ice_servers` hands this STUN server out.
    process.env.STUN_URLS = `stun:127.0.0.1:${stunPort}`;
    try {
      world = await World.start();
    } finally {
      if (previousStunUrls === undefined) delete process.env.STUN_URLS;
      else process.env.STUN_URLS = previousStunUrls;
    }
    const readyFile = join(scratch, 'ready');
    stun = world.gateway.inNamespace([
      process.execPath,
      '--import',
      'tsx',
      join('tests', 'e2e', 'support', 'slow-stun.ts'),
      '--port',
      String(stunPort),
      '--delay-ms',
      '2500',
      '--ready-file',
      readyFile,
      '--lifetime-ms',
      '90000',
    ]);
    await untilReady(readyFile);
  });
  afterAll(async () => {
    await world?.close();
    // It exits by itself, 3 s after its last answer.
    await stun;
    await rm(scratch, { recursive: true, force: true });
  });

  it('sends host candidates in the offer and answer, trickles the late server-reflexive ones (never a host one again), and connects', async () => {
    const alice = await signInRecording(world, 'Alice Martin', 'student');
    const bob = await signInRecording(world, 'Bob Stone', 'tutor');
    await connectVoiceCall(alice.user, bob.user);

    for (const side of [alice, bob]) {
      const [description] = side.signaling.sentSdp;
      expect(candidateLines(description ?? '', 'host').length).toBeGreaterThan(0);
      expect(candidateLines(description ?? '', 'srflx')).toEqual([]);
      // The STUN answer comes: its candidate trickles, then the end of candidates.
      await expect
        .poll(() => side.signaling.trickled.filter((candidate) => candidate.includes(' typ srflx ')).length, { timeout: STEP_TIMEOUT_MS })
        .toBeGreaterThan(0);
      await expect.poll(() => side.signaling.trickled.at(-1), { timeout: STEP_TIMEOUT_MS }).toBe('');
      expect(side.signaling.trickled.filter((candidate) => candidate.includes(' typ host '))).toEqual([]);
    }

    await alice.user.byTestId('end-call').click();
    await bob.user.waitForCallStatus('ended', STEP_TIMEOUT_MS);
  });
});
