/**
 * Call setup as a person feels it, in one gateway mode: real video calls between two headless
 * Chromium pages (fake media, loopback-only namespace), driven through the UI's test ids as the e2e
 * tests drive it. Two figures per call, both on the shared epoch clock, from the click event's own
 * timestamp in the clicking page to the moment the target state entered the other page's DOM:
 *   - click Call (caller) -> the incoming call screen in the DOM (callee);
 *   - click Accept (callee) -> both pages' call screens read "connected": the later of the two,
 *     since a call is set up for a person only when each side hears the other.
 * Also measured, from the browser's own RTCPeerConnection events: the caller's answer applied ->
 * its peer connection "connected" (ICE checks and the DTLS handshake, here on loopback), and every
 * handler's own duration on the path, from the gateway's routing lines (`ms`).
 */
import type { BrowserContext } from 'playwright-core';
import { percentile } from '../../tests/bench/stats';
import type { IsolatedGateway } from '../../tests/e2e/support/isolated-gateway';
import type { UserPage } from '../../tests/e2e/support/user-page';
import { freshId, World } from '../../tests/e2e/support/world';
import { clearPageMarks, PAGE_MARKS_SCRIPT, readPageMarks, type PageMarks } from './page-marks';

export type SetupMode = 'source' | 'as-deployed';

export interface Distribution {
  count: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
}

export interface CallSetupSample {
  callToIncomingMs: number;
  acceptToConnectedMs: number;
  /** Accept -> each page's own "connected" (the figure above is the later). */
  acceptToCalleeConnectedMs: number;
  acceptToCallerConnectedMs: number;
  /** Caller: answer applied -> its peer connection connected. */
  iceDtlsMs: number;
}

/** One route's invocations on the path, from the routing lines. */
export interface PathHandler {
  route: string;
  /** Invocations per call in that phase's window. */
  perCall: number;
  medianMs: number;
}

export interface ModeSetupLatency {
  mode: SetupMode;
  calls: number;
  callToIncoming: Distribution;
  acceptToConnected: Distribution;
  iceDtls: Distribution;
  /** From the Call click to the Accept click. */
  callPhaseHandlers: PathHandler[];
  /** From the Accept click to both pages connected (what ran after that is not on the path). */
  acceptPhaseHandlers: PathHandler[];
  samples: CallSetupSample[];
}

interface LoggedInvocation {
  route: string;
  ms: number;
  /** When the line reached the bench (epoch ms). */
  seenAt: number;
}

const STEP_TIMEOUT_MS = 15_000;
/** A page stamp outside the bench's own before/after window by more than this means the clocks differ. */
const CLOCK_TOLERANCE_MS = 5;
/**
 * A routing line is written after its handler's last post, so it reaches the bench a little after
 * the page it served moved on: a handler counts as on the Accept path when its line arrived by then.
 */
const PATH_LINE_GRACE_MS = 20;
/** Before hanging up: the call's last lines (its trailing candidates) are logged, not mixed into the next call's windows. */
const BETWEEN_CALLS_MS = 200;

export const epochNow = (): number => performance.timeOrigin + performance.now();

export function distribution(samples: readonly number[]): Distribution {
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    count: samples.length,
    p50: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    min: round(Math.min(...samples)),
    max: round(Math.max(...samples)),
  };
}

function routingInvocation(line: string, seenAt: number): LoggedInvocation | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const entry = JSON.parse(line) as { msg?: unknown; route?: unknown; ms?: unknown };
    if (entry.msg !== 'routing' || typeof entry.route !== 'string' || typeof entry.ms !== 'number') return undefined;
    return { route: entry.route, ms: entry.ms, seenAt };
  } catch {
    return undefined;
  }
}

function first<T>(items: readonly T[], what: string): T {
  const item = items[0];
  if (item === undefined) throw new Error(`no ${what} was recorded`);
  return item;
}

function clickAt(marks: PageMarks, testId: string): number {
  return first(
    marks.clicks.filter((click) => click.testId === testId),
    `click on ${testId}`,
  ).at;
}

function connectedAt(marks: PageMarks): number {
  return first(
    marks.statuses.filter((status) => status.state === 'connected'),
    '"connected" call status',
  ).at;
}

/** The page stamps must fall inside the bench's own window: they are on one clock, or the figures are void. */
function checkOneClock(stamps: readonly number[], before: number, after: number): void {
  for (const stamp of stamps) {
    if (stamp < before - CLOCK_TOLERANCE_MS || stamp > after + CLOCK_TOLERANCE_MS) {
      throw new Error(`a page stamp (${stamp.toFixed(1)}) lies outside the bench's window [${before.toFixed(1)}, ${after.toFixed(1)}]`);
    }
  }
}

function pathHandlers(invocations: readonly LoggedInvocation[], windows: readonly [number, number][]): PathHandler[] {
  const inWindows = invocations.filter((invocation) => windows.some(([from, to]) => invocation.seenAt >= from && invocation.seenAt < to));
  const routes = [...new Set(inWindows.map((invocation) => invocation.route))].sort();
  return routes.map((route) => {
    const durations = inWindows.filter((invocation) => invocation.route === route).map((invocation) => invocation.ms);
    return { route, perCall: Math.round((durations.length / windows.length) * 10) / 10, medianMs: percentile(durations, 50) };
  });
}

async function benchUser(world: World, name: string, profileType: string): Promise<UserPage> {
  const context: BrowserContext = await world.newContext();
  await context.addInitScript({ content: PAGE_MARKS_SCRIPT });
  return world.signIn(name, profileType, freshId(), context);
}

/** Gateway flags of a mode; the as-deployed gateway runs the given cloud assembly. */
export function gatewayArgsOf(mode: SetupMode, cdkOut: string | undefined): string[] {
  if (mode === 'source') return [];
  if (!cdkOut) throw new Error('the as-deployed mode needs a synthesized cloud assembly');
  return ['--as-deployed', '--cdk-out', cdkOut];
}

/**
 * `calls` video calls one after another in a fresh world of `mode`; the world is closed whatever
 * happens. `track` receives the world as soon as it exists, so a signal handler can close it too.
 */
export async function measureSetupLatency(
  mode: SetupMode,
  calls: number,
  warmupCalls: number,
  cdkOut: string | undefined,
  track: (world: World | undefined) => void = () => undefined,
): Promise<ModeSetupLatency> {
  const world = await World.start({ gatewayArgs: gatewayArgsOf(mode, cdkOut) });
  track(world);
  try {
    return await runCalls(world.gateway, world, mode, calls, warmupCalls);
  } finally {
    await world.close();
    track(undefined);
  }
}

async function runCalls(
  gateway: IsolatedGateway,
  world: World,
  mode: SetupMode,
  calls: number,
  warmupCalls: number,
): Promise<ModeSetupLatency> {
  const invocations: LoggedInvocation[] = [];
  const stopListening = gateway.onLogLine((line) => {
    const invocation = routingInvocation(line, epochNow());
    if (invocation) invocations.push(invocation);
  });
  try {
    const caller = await benchUser(world, 'Bench Caller', 'student');
    const callee = await benchUser(world, 'Bench Callee', 'tutor');
    const samples: CallSetupSample[] = [];
    const callWindows: [number, number][] = [];
    const acceptWindows: [number, number][] = [];
    for (let i = 0; i < warmupCalls + calls; i++) {
      await Promise.all([caller.page.evaluate(clearPageMarks), callee.page.evaluate(clearPageMarks)]);

      const beforeCall = epochNow();
      await caller.call(callee, 'video');
      await callee.waitForIncoming(STEP_TIMEOUT_MS);
      const afterIncoming = epochNow();
      const calling = await caller.page.evaluate(readPageMarks);
      const ringing = await callee.page.evaluate(readPageMarks);
      const callClickedAt = clickAt(calling, 'call-video');
      const incomingAt = first(ringing.incomingShownAt, 'incoming call screen');
      checkOneClock([callClickedAt, incomingAt], beforeCall, afterIncoming);

      const beforeAccept = epochNow();
      await callee.byTestId('accept-call').click();
      await Promise.all([caller.waitForCallStatus('connected', STEP_TIMEOUT_MS), callee.waitForCallStatus('connected', STEP_TIMEOUT_MS)]);
      const afterConnected = epochNow();
      const callerMarks = await caller.page.evaluate(readPageMarks);
      const calleeMarks = await callee.page.evaluate(readPageMarks);
      const acceptClickedAt = clickAt(calleeMarks, 'accept-call');
      const callerConnectedAt = connectedAt(callerMarks);
      const calleeConnectedAt = connectedAt(calleeMarks);
      const answerAppliedAt = first(callerMarks.remoteDescriptionAt, "caller's remote description (the answer)");
      const callerPeerConnectedAt = first(callerMarks.peerConnectedAt, "caller's peer connection connected");
      checkOneClock([acceptClickedAt, callerConnectedAt, calleeConnectedAt], beforeAccept, afterConnected);
      const bothConnectedAt = Math.max(callerConnectedAt, calleeConnectedAt);

      const measuredCall = i >= warmupCalls;
      if (measuredCall)
        samples.push({
          callToIncomingMs: incomingAt - callClickedAt,
          acceptToConnectedMs: bothConnectedAt - acceptClickedAt,
          acceptToCalleeConnectedMs: calleeConnectedAt - acceptClickedAt,
          acceptToCallerConnectedMs: callerConnectedAt - acceptClickedAt,
          iceDtlsMs: callerPeerConnectedAt - answerAppliedAt,
        });
      if (measuredCall) {
        callWindows.push([callClickedAt, acceptClickedAt]);
        acceptWindows.push([acceptClickedAt, bothConnectedAt + PATH_LINE_GRACE_MS]);
      }

      await new Promise((resolve) => setTimeout(resolve, BETWEEN_CALLS_MS));
      await caller.byTestId('end-call').click();
      await Promise.all([callee.waitForMainView(STEP_TIMEOUT_MS), caller.waitForMainView(STEP_TIMEOUT_MS)]);
    }
    return {
      mode,
      calls,
      callToIncoming: distribution(samples.map((sample) => sample.callToIncomingMs)),
      acceptToConnected: distribution(samples.map((sample) => sample.acceptToConnectedMs)),
      iceDtls: distribution(samples.map((sample) => sample.iceDtlsMs)),
      callPhaseHandlers: pathHandlers(invocations, callWindows),
      acceptPhaseHandlers: pathHandlers(invocations, acceptWindows),
      samples: samples.map(roundSample),
    };
  } finally {
    stopListening();
  }
}

function roundSample(sample: CallSetupSample): CallSetupSample {
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    callToIncomingMs: round(sample.callToIncomingMs),
    acceptToConnectedMs: round(sample.acceptToConnectedMs),
    acceptToCalleeConnectedMs: round(sample.acceptToCalleeConnectedMs),
    acceptToCallerConnectedMs: round(sample.acceptToCallerConnectedMs),
    iceDtlsMs: round(sample.iceDtlsMs),
  };
}
