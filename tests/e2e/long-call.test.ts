/**
 * Long calls: API Gateway closes every socket after 2 hours, whatever it carries. Here the local
 * gateway does it every few seconds (`--max-connection`), so one short call lives through the
 * server closing each side's socket several times (close 1001, `$disconnect`, `peer_reconnecting`
 * to the peer, a new socket, `call_resume`), while two real Chromium pages show it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECONNECTING_WORDS } from '../../web/src/ui/connection-words';
import { requireE2eEnvironment } from './support/environment';
import { GatewayLog, type RoutingLine } from './support/gateway-log';
import type { UserPage } from './support/user-page';
import { freshId, World } from './support/world';

const runs = requireE2eEnvironment('long calls');

/** The server closes every socket this long after it opened: the 2-hour cap, shrunk. */
const MAX_CONNECTION_SECONDS = 4;
const MAX_CONNECTION_MS = MAX_CONNECTION_SECONDS * 1000;
/** Forced replacements each side lives through before the call is ended. */
const REPLACEMENTS_PER_SIDE = 3;
/** API Gateway's close code for a socket that reached its maximum lifetime. */
const GOING_AWAY = 1001;
/** The remote video may never stand still longer than this (it runs at 15-30 frames a second). */
const LONGEST_FREEZE_MS = 1_000;
/**
 * The hang-up goes out when both sockets have been open at least this long (the `call_resume`
 * of the last replacement is answered by then) and will stay open at least this long more.
 */
const HANG_UP_SOCKET_MARGIN_MS = 400;
/** Either wording: with only loopback in the test's namespace, Chromium counts itself offline. */
const OWN_CONNECTION_DROPPED: string[] = Object.values(RECONNECTING_WORDS);
const peerConnectionDropped = (peerName: string) => `${peerName}'s connection dropped. Waiting for them to reconnect…`;

/** One value a watched attribute took, and when (Date.now() in the page: one machine, one clock). */
interface Observation {
  value: string;
  at: number;
}

/** What one page showed during the call, recorded inside the page as it happened. */
interface CallRecording {
  /** `data-state` of the call status; `absent` while there is no call screen. */
  callStatus: Observation[];
  /** `data-state` of the header's connection indicator. */
  connection: Observation[];
  /** `data-status` of the newest call-history row; `absent` while the history is empty. */
  newestHistoryItem: Observation[];
  /** The notice over the call (`call-banner`); empty while hidden. */
  banner: Observation[];
  /** When each frame of the remote video was presented. */
  remoteFrames: number[];
}

declare global {
  interface Window {
    __callRecording: CallRecording;
  }
}

/**
 * Runs in the page: records every change of the call status, the connection indicator, the newest
 * history row and the call's notice (a MutationObserver sees each one; nothing depends on a
 * polling interval), and the presentation time of every remote video frame.
 */
function recordCallInPage(): void {
  const recording: CallRecording = { callStatus: [], connection: [], newestHistoryItem: [], banner: [], remoteFrames: [] };
  const attributeOf = (testId: string, attribute: string) =>
    document.querySelector(`[data-testid="${testId}"]`)?.getAttribute(attribute) ?? 'absent';
  const note = (observations: Observation[], value: string) => {
    if (observations.at(-1)?.value !== value) observations.push({ value, at: Date.now() });
  };
  const look = () => {
    note(recording.callStatus, attributeOf('call-status', 'data-state'));
    note(recording.connection, attributeOf('connection-state', 'data-state'));
    note(recording.newestHistoryItem, attributeOf('call-history-item', 'data-status'));
    const banner = document.querySelector<HTMLElement>('[data-testid="call-banner"]');
    note(recording.banner, banner && !banner.hidden ? (banner.textContent ?? '') : '');
  };
  look();
  new MutationObserver(look).observe(document.body, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['data-state', 'data-status', 'hidden'],
  });

  const video = document.querySelector<HTMLVideoElement>('[data-testid="remote-video"]');
  if (!video) throw new Error('no remote video on the call screen');
  const framePresented = () => {
    recording.remoteFrames.push(Date.now());
    video.requestVideoFrameCallback(framePresented);
  };
  video.requestVideoFrameCallback(framePresented);
  window.__callRecording = recording;
}

async function recordingOf(user: UserPage): Promise<CallRecording> {
  return user.page.evaluate(() => window.__callRecording);
}

interface SocketReplacement {
  droppedAt: number;
  backAt: number;
}

/** Each time the page's socket went away and came back: `reconnecting` -> `connected`. */
function socketReplacements(recording: CallRecording): SocketReplacement[] {
  return recording.connection.flatMap((observation, index) => {
    const before = recording.connection[index - 1];
    return observation.value === 'connected' && before?.value === 'reconnecting' ? [{ droppedAt: before.at, backAt: observation.at }] : [];
  });
}

/** Why `name`'s page is not at a good moment to hang up, or undefined when it is. */
function notReadyToHangUp(name: string, recording: CallRecording, now: number): string | undefined {
  const connection = recording.connection.at(-1);
  if (connection?.value !== 'connected') return `${name}'s socket is down`;
  const age = now - connection.at;
  if (age < HANG_UP_SOCKET_MARGIN_MS) return `${name}'s socket has only just opened`;
  if (age > MAX_CONNECTION_MS - HANG_UP_SOCKET_MARGIN_MS) return `${name}'s socket is about to be closed`;
  return undefined;
}

/** The longest stretch in [from, to] with no new frame. */
function longestFreeze(frames: number[], from: number, to: number): number {
  const times = [from, ...frames.filter((at) => at >= from && at <= to), to];
  return Math.max(...times.slice(1).map((at, index) => at - times[index]!));
}

const framesBetween = (frames: number[], from: number, to: number) => frames.filter((at) => at >= from && at <= to).length;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `blocker` until it returns undefined; on timeout, the error says everything that stood in the way. */
async function waitUntil(goal: string, timeoutMs: number, blocker: () => Promise<string | undefined>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const obstacles = new Set<string>();
  for (;;) {
    const reason = await blocker();
    if (reason === undefined) return;
    obstacles.delete(reason);
    obstacles.add(reason); // the latest last
    if (Date.now() > deadline) throw new Error(`${goal}: not within ${timeoutMs} ms; in the way: ${[...obstacles].join('; ')}`);
    await sleep(100);
  }
}

describe.runIf(runs)('long calls in Chromium', () => {
  let world: World;
  let gatewayLog: GatewayLog;

  beforeAll(async () => {
    world = await World.start({ gatewayArgs: ['--max-connection', String(MAX_CONNECTION_SECONDS)] });
    gatewayLog = new GatewayLog(world.gateway);
  });
  afterAll(async () => {
    gatewayLog?.stop();
    await world?.close();
  });

  it('a video call stays connected, with video both ways, while the server replaces each side’s socket again and again; hanging up ends it normally', async ({
    annotate,
  }) => {
    const bob = await world.signIn('Bob Stone', 'tutor', freshId());
    // The caller signs in last and dials at once: its socket is fresh, so it outlives the ringing
    // (a caller whose socket closes while ringing cancels the call, as it should).
    const alice = await world.signIn('Alice Martin', 'student', freshId());
    const aliceKey = `student_${alice.profile.profileId}`;
    const bobKey = `tutor_${bob.profile.profileId}`;

    const dialledAt = Date.now();
    await alice.call(bob, 'video');
    await bob.waitForIncoming();
    await bob.byTestId('accept-call').click();
    await Promise.all([alice.waitForCallStatus('connected'), bob.waitForCallStatus('connected')]);
    const connectedAt = Date.now();
    await Promise.all([alice.waitForVideoFrames('remote-video'), bob.waitForVideoFrames('remote-video')]);
    await Promise.all([alice.page.evaluate(recordCallInPage), bob.page.evaluate(recordCallInPage)]);
    const recordingFrom = Date.now();
    const callId = gatewayLog.newestCallOf(aliceKey);
    if (!callId) throw new Error('the gateway logged no ringing call from Alice');

    // The server closes both sockets, over and over; the pages reconnect on their own.
    await waitUntil(`each side's socket replaced ${REPLACEMENTS_PER_SIDE} times`, 6 * MAX_CONNECTION_MS, async () => {
      const counts = (await Promise.all([recordingOf(alice), recordingOf(bob)])).map((recording) => socketReplacements(recording).length);
      return counts.every((count) => count >= REPLACEMENTS_PER_SIDE) ? undefined : `replaced so far: Alice ${counts[0]}, Bob ${counts[1]}`;
    });

    // Hang up while both sockets are open and stay open a little longer, so the hang-up and its
    // notice to the peer travel at once (a hang-up that meets a closed socket is another story).
    // By then, neither page may show a notice about a connection: both are back.
    await waitUntil('both sockets open, and no connection notice on either page', 3 * MAX_CONNECTION_MS, async () => {
      const now = Date.now();
      const [aliceSaw, bobSaw] = await Promise.all([recordingOf(alice), recordingOf(bob)]);
      return (
        notReadyToHangUp('Alice', aliceSaw, now) ??
        notReadyToHangUp('Bob', bobSaw, now) ??
        [aliceSaw, bobSaw]
          .map((recording, index) =>
            recording.banner.at(-1)?.value
              ? `${index === 0 ? 'Alice' : 'Bob'}'s page still shows "${recording.banner.at(-1)?.value}"`
              : undefined,
          )
          .find(Boolean)
      );
    });
    const [aliceSaw, bobSaw] = await Promise.all([recordingOf(alice), recordingOf(bob)]);
    const closedByServer = {
      [aliceKey]: gatewayLog.closedSocketsOf(aliceKey, GOING_AWAY).length,
      [bobKey]: gatewayLog.closedSocketsOf(bobKey, GOING_AWAY).length,
    };
    const hungUpAt = Date.now();
    await alice.byTestId('end-call').click();

    // What each page showed during the call.
    for (const [saw, peerName] of [
      [aliceSaw, 'Bob Stone'],
      [bobSaw, 'Alice Martin'],
    ] as const) {
      // Connected the whole time: the status never left `connected`, and the screen never closed.
      expect(saw.callStatus.map((observation) => observation.value)).toEqual(['connected']);
      // While a socket was down, the notice said whose, and nothing else.
      const notices = new Set(saw.banner.map((observation) => observation.value));
      const expected = ['', ...OWN_CONNECTION_DROPPED, peerConnectionDropped(peerName)];
      expect([...notices].filter((notice) => !expected.includes(notice))).toEqual([]);
      expect([...notices]).toContain(peerConnectionDropped(peerName));
      // The history, reloaded after every reconnect, showed the call in progress, never over.
      expect(new Set(saw.newestHistoryItem.map((observation) => observation.value).filter((value) => value !== 'absent'))).toEqual(
        new Set(['answered']),
      );
    }

    // Video kept coming on both sides through every replacement, its own and the peer's.
    const replacements = { [aliceKey]: socketReplacements(aliceSaw), [bobKey]: socketReplacements(bobSaw) };
    const everyReplacement = [...replacements[aliceKey]!, ...replacements[bobKey]!];
    for (const [who, saw] of [
      ['Alice', aliceSaw],
      ['Bob', bobSaw],
    ] as const) {
      expect(longestFreeze(saw.remoteFrames, recordingFrom, hungUpAt), `${who}'s longest freeze (ms)`).toBeLessThan(LONGEST_FREEZE_MS);
      for (const { droppedAt, backAt } of everyReplacement) {
        const moment = `a socket down from ${new Date(droppedAt).toISOString()} to ${new Date(backAt).toISOString()}`;
        expect(framesBetween(saw.remoteFrames, droppedAt, backAt), `${who}'s frames while ${moment}`).toBeGreaterThan(0);
        expect(framesBetween(saw.remoteFrames, backAt, hungUpAt), `${who}'s frames after ${moment}`).toBeGreaterThan(0);
      }
    }

    // Hanging up from one page ends the call normally for both.
    await alice.waitForMainView(1_000);
    expect(await bob.waitForToast('peer_hangup')).toContain('Alice Martin ended the call');
    await bob.waitForMainView();

    // The server: each page's replacements were its own 1001 closes, each new socket resumed the
    // call, nothing else ended it, and the end is Alice's hang-up.
    await waitUntil('the server logged the end of the call', 5_000, async () =>
      gatewayLog.routing(callId).some((line) => line.outcome === 'ended') ? undefined : 'no end yet',
    );
    const routing = gatewayLog.routing(callId);
    const endIndex = routing.findIndex((line) => line.outcome === 'ended');
    const beforeTheEnd = routing.slice(0, endIndex);
    const resumesOf = (key: string) =>
      beforeTheEnd.filter((line: RoutingLine) => line.outcome === 'resumed' && gatewayLog.ownerOf(line.connection_id) === key).length;
    for (const [key, replaced] of Object.entries(replacements)) {
      await annotate(
        `${key}: ${replaced.length} socket replacements seen by the page during the call; ${closedByServer[key]} sockets closed ${GOING_AWAY} by the server and ${resumesOf(key)} call_resume since sign-in`,
      );
      await annotate(`${key}: sockets down for ${replaced.map(({ droppedAt, backAt }) => backAt - droppedAt).join(', ')} ms`);
      expect(replaced.length).toBeGreaterThanOrEqual(REPLACEMENTS_PER_SIDE);
      expect(closedByServer[key]).toBeGreaterThanOrEqual(replaced.length);
      expect(resumesOf(key)).toBeGreaterThanOrEqual(replaced.length);
    }
    await annotate(`connected ${((hungUpAt - connectedAt) / 1000).toFixed(1)} s before the hang-up`);
    expect(
      beforeTheEnd.filter((line) => ['ended', 'missed', 'declined', 'refused'].includes(line.outcome) || line.reason === 'disconnected'),
    ).toEqual([]);
    expect(routing.filter((line) => line.outcome === 'ended').map((line) => line.reason)).toEqual(['hangup']);

    // Both histories show the call over, and its duration covers all of it.
    const shortestPossible = Math.floor((hungUpAt - connectedAt) / 1000);
    const longestPossible = Math.ceil((Date.now() - dialledAt) / 1000);
    for (const user of [alice, bob]) {
      const ended = user.page.locator('[data-testid="call-history-item"][data-status="ended"]').first();
      await ended.waitFor();
      expect(await user.byTestId('call-history-item').first().getAttribute('data-status')).toBe('ended');
      const summary = (await ended.locator('.history-detail').textContent()) ?? '';
      const [, minutes, seconds] = /(\d+):(\d{2})$/.exec(summary) ?? [];
      const duration = Number(minutes) * 60 + Number(seconds);
      expect(duration, summary).toBeGreaterThanOrEqual(shortestPossible);
      expect(duration, summary).toBeLessThanOrEqual(longestPossible);
    }
  }, 40_000);
});
