/**
 * PROTOCOL.md "Limits": offers and lookups are counted per profile in the store, across all its
 * sockets and whichever container takes each message, and a socket over a limit hears
 * `rate_limited` once per episode while the rest of its refused frames are dropped (each still
 * logged). The file slows the per-profile budgets' refill to one token in 1,000 s, keeping their
 * bursts of 10, so no machine is slow enough for a token to come back during a test.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ENV } from '../../shared/env';
import type { ServerMessage } from '../../shared/protocol';
import { offer, startHarness, type Harness } from '../support/harness';
import { callInvariantViolations } from '../support/invariants';
import { captureRoutingLines, type RoutingLog } from '../support/routing-lines';
import type { TestSocket } from '../support/test-socket';

const BURST = 10;
const SETTINGS = {
  [ENV.profileRateLimitOffers]: '0.001',
  [ENV.profileRateLimitOffersBurst]: String(BURST),
  [ENV.rateLimitLookups]: '0.001',
  [ENV.rateLimitLookupsBurst]: String(BURST),
};

let h: Harness;
const previous = Object.fromEntries(Object.keys(SETTINGS).map((name) => [name, process.env[name]]));
let log: RoutingLog;
let nextId = 9500;

beforeAll(async () => {
  Object.assign(process.env, SETTINGS);
  // The routing lines show that every dropped frame is still logged.
  log = captureRoutingLines();
  h = await startHarness({ quiet: false });
});
afterAll(async () => {
  if (h) expect(await callInvariantViolations(h.db)).toEqual([]);
  await h?.close();
  log?.restore();
  for (const [name, value] of Object.entries(previous)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const WAIT_MS = 30_000;
const isRateLimited = (message: ServerMessage): boolean => message.type === 'error' && message.code === 'rate_limited';

/** What the sockets received of `types`, once at least `count` have arrived (or the wait is over). */
async function collect(sockets: readonly TestSocket[], matches: (message: ServerMessage) => boolean, count: number) {
  await vi.waitFor(() => expect(sockets.flatMap((socket) => socket.received.filter(matches)).length).toBeGreaterThanOrEqual(count), {
    timeout: WAIT_MS,
    interval: 20,
  });
  return sockets.flatMap((socket) => socket.received.filter(matches));
}

/** `count` sockets of a new student profile. */
async function profileSockets(count: number): Promise<{ key: string; sockets: TestSocket[] }> {
  const profileId = nextId++;
  const sockets = await Promise.all(Array.from({ length: count }, () => h.connect('student', profileId)));
  return { key: `student_${profileId}`, sockets };
}

describe('limits per profile, across its sockets', () => {
  it("a profile with 3 sockets cannot multiply its offer rate: of 15 offers, 5 from each socket at once, only the profile's 10 are handled", async () => {
    const { sockets } = await profileSockets(3);
    // Each to another offline tutor, so only the rate limits refuse anything (and every handled one answers at once).
    for (const socket of sockets) {
      for (let i = 0; i < 5; i++) {
        socket.send({ type: 'call_invitation', call_type: 'voice', to_profile_id: nextId++, to_profile_type: 'tutor', offer: offer() });
      }
    }
    // Handled: declined offline, or already_in_call where another of the profile's offers held its line.
    const handled = (message: ServerMessage) => message.type === 'call_declined' || (message.type === 'error' && !isRateLimited(message));
    expect(await collect(sockets, handled, BURST)).toHaveLength(BURST);
    for (const socket of sockets) expect(await socket.quietFor(300, ['call_declined'])).toEqual([]);
    // Each socket's own budget is 5 at once: without the profile's counter all 15 would have gone through.
    expect(sockets.flatMap((socket) => socket.received.filter(handled))).toHaveLength(BURST);
    expect((await collect(sockets, isRateLimited, 1))[0]).toMatchObject({ request_type: 'call_invitation' });
  });

  it("a profile's sockets share its lookups: of 15 presence queries from 3 sockets, 10 are answered", async () => {
    const { sockets } = await profileSockets(3);
    for (const socket of sockets) {
      for (let i = 0; i < 5; i++) socket.send({ type: 'presence_query', profiles: [{ profile_id: nextId++, profile_type: 'tutor' }] });
    }
    const answered = (message: ServerMessage) => message.type === 'presence';
    expect(await collect(sockets, answered, BURST)).toHaveLength(BURST);
    for (const socket of sockets) expect(await socket.quietFor(300, ['presence'])).toEqual([]);
    expect(sockets.flatMap((socket) => socket.received.filter(answered))).toHaveLength(BURST);
    expect((await collect(sockets, isRateLimited, 1))[0]).toMatchObject({ request_type: 'presence_query' });
  });
});

describe('refused frames beyond the limit', () => {
  it('a flood of 100 over-limit frames gets a handful of errors, not 100, and every one is in the routing log', async () => {
    const {
      key,
      sockets: [socket],
    } = await profileSockets(1);
    for (let i = 0; i < BURST; i++) socket!.send({ type: 'call_history', limit: 1 });
    expect(await collect([socket!], (message) => message.type === 'call_history', BURST)).toHaveLength(BURST);

    for (let i = 0; i < 100; i++) socket!.send({ type: 'call_history', limit: 1 });
    const limitedLines = () =>
      log.lines().filter((line) => line.route === 'call_history' && line.from === key && line.reason === 'rate_limited');
    await vi.waitFor(() => expect(limitedLines()).toHaveLength(100), { timeout: WAIT_MS, interval: 50 });
    const told = limitedLines().filter((line) => line.outcome === 'refused').length;
    expect(limitedLines().filter((line) => line.outcome === 'dropped')).toHaveLength(100 - told);
    // A refusal's reply goes out just before its line is written.
    await vi.waitFor(() => expect(socket!.received.filter(isRateLimited)).toHaveLength(told), { timeout: WAIT_MS });

    // One error for the first refusal in each container the socket's frames landed in; the rest dropped.
    expect(told).toBeGreaterThanOrEqual(1);
    expect(told).toBeLessThanOrEqual(h.gateway.asDeployed?.maxContainers ?? 1);
    expect(socket!.received.filter((message) => message.type === 'call_history')).toHaveLength(BURST);
  });
});
