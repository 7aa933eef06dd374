/**
 * A client that speaks only the seed's formats (werift, in the gateway's namespace) and this
 * project's web client (Chromium) call each other both ways: the media connects, the seed client
 * gets its candidates one `candidate` at a time, and the web client gets them too.
 */
import { join } from 'node:path';
import type { WebSocket as PageSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURES_QUERY_PARAMETER } from '../../shared/connect-features';
import { loadSigningSecret } from '../../infra/local/signing-secret-file';
import { signToken } from '../../lambdas/auth/token';
import type { SeedPeerReport } from './support/seed-peer';
import { UserPage } from './support/user-page';
import { freshId, World } from './support/world';

let world: World;
let websocketUrl: string;

beforeAll(async () => {
  world = await World.start();
  // The page's own host serves the WebSocket too (`config.json`'s `websocket_url`).
  websocketUrl = `${new URL('/', world.gateway.httpUrl).href.replace(/^http/, 'ws')}`;
});
afterAll(async () => {
  await world?.close();
});

async function seedToken(profileId: number): Promise<string> {
  const { secret } = await loadSigningSecret({ dataDir: world.gateway.dataDir });
  return (await signToken(secret, { profile_type: 'student', profile_id: profileId, name: 'Seed Student' })).token;
}

/** Resolves once the gateway logs a socket of `profileKey` opening (the seed client is reachable). */
function socketOpened(profileKey: string): Promise<void> {
  return new Promise((resolveOpened) => {
    const stop = world.gateway.onLogLine((line) => {
      if (!line.includes('"msg":"connection_opened"') || !line.includes(`"principal_id":"${profileKey}"`)) return;
      stop();
      resolveOpened();
    });
  });
}

/** Runs the seed client in the namespace until its call ends; its report. */
async function seedPeer(args: readonly string[]): Promise<SeedPeerReport> {
  const run = await world.gateway.inNamespace([
    process.execPath,
    '--import',
    'tsx',
    join('tests', 'e2e', 'support', 'seed-peer.ts'),
    ...args,
  ]);
  const report = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as SeedPeerReport;
  expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);
  return report;
}

/**
 * Ada signed in on a new page, and the `ice_candidate` frames her page's socket receives, counted
 * as they arrive (the listener is on before the page opens its socket).
 */
async function signInCounting(): Promise<{ ada: UserPage; frames: { single: number; batches: number }; socketUrls: string[] }> {
  const page = await world.openPage();
  const frames = { single: 0, batches: 0 };
  const socketUrls: string[] = [];
  page.on('websocket', (socket: PageSocket) => {
    socketUrls.push(socket.url());
    socket.on('framereceived', ({ payload }) => {
      const message = JSON.parse(String(payload)) as { type?: string; candidate?: unknown; candidates?: unknown };
      if (message.type !== 'ice_candidate') return;
      if (message.candidates !== undefined) frames.batches++;
      if (message.candidate !== undefined) frames.single++;
    });
  });
  const ada = new UserPage(page, { name: 'Ada', profileType: 'tutor', profileId: String(freshId()) });
  await ada.signIn();
  return { ada, frames, socketUrls };
}

async function expectAudioBothWays(user: UserPage): Promise<void> {
  await user.waitForCallStatus('connected', 20_000);
  await expect.poll(async () => (await user.page.evaluate(inboundAudioPackets)) ?? 0, { timeout: 15_000 }).toBeGreaterThan(10);
}

/** Runs in the page: RTP packets received on the call's audio. */
function inboundAudioPackets(): Promise<number | undefined> {
  const pc = window.__peerConnections.at(-1);
  if (!pc) return Promise.resolve(undefined);
  return pc.getStats().then((stats) => {
    let packets = 0;
    stats.forEach((report: { type: string; kind?: string; packetsReceived?: number }) => {
      if (report.type === 'inbound-rtp' && report.kind === 'audio') packets += report.packetsReceived ?? 0;
    });
    return packets;
  });
}

describe('a seed-format client and this web client', () => {
  it('connect when the web client calls the seed client, each getting candidates in its own shape', async () => {
    const seedId = freshId();
    const { ada, frames, socketUrls } = await signInCounting();
    // The web client says at connect that it reads batches (the seed client, connecting without it, gets them split).
    const declared = socketUrls.map((url) => new URL(url).searchParams.get(FEATURES_QUERY_PARAMETER)?.split(','));
    expect(declared.length).toBeGreaterThan(0);
    expect(declared.every((features) => features?.includes('candidate_batches'))).toBe(true);
    const online = socketOpened(`student_${seedId}`);
    const seed = seedPeer(['answer', websocketUrl, await seedToken(seedId)]);
    await online;
    await ada.dial('student', seedId, 'voice');
    await expectAudioBothWays(ada);
    await ada.byTestId('end-call').click();

    const report = await seed;
    expect(report).toMatchObject({ connected: true, batches: 0, ended: true, errors: [] });
    expect(report.rtpReceived).toBeGreaterThan(10);
    // The web client's candidates ride in its offer (half-trickle), and whatever it trickles reaches
    // the seed client one per message, never as a batch (`batches: 0`); the seed client's own
    // trickled candidates reach the web client.
    expect(frames.single).toBeGreaterThan(0);
  });

  it('connect when the seed client calls the web client', async () => {
    const seedId = freshId();
    const { ada, frames } = await signInCounting();
    const seed = seedPeer(['call', websocketUrl, await seedToken(seedId), 'tutor', ada.profile.profileId]);
    expect(await ada.waitForIncoming(20_000)).toBe('Seed Student');
    await ada.byTestId('accept-call').click();
    await expectAudioBothWays(ada);
    await ada.byTestId('end-call').click();

    const report = await seed;
    expect(report).toMatchObject({ connected: true, batches: 0, ended: true, errors: [] });
    expect(report.rtpReceived).toBeGreaterThan(10);
    expect(frames.single).toBeGreaterThan(0);
  });
});
