/**
 * An e2e world across the split network (support/split-network.ts): the real `npm start -- --turn`
 * gateway and coturn in the middle namespace, and one headless Chromium per peer namespace, so
 * the two people can reach the service and the TURN server but never each other.
 */
import { chromium, type Browser } from 'playwright-core';
import { ensureWebClientBuilt } from '../../../web/build';
import { findTurnBinary, TURN_INSTALL_COMMAND } from '../../../infra/local/turn-server';
import { e2eEnvironment } from './environment';
import { startIsolatedGateway, type IsolatedGateway } from './isolated-gateway';
import { buildSplitNetwork, GATEWAY_ADDRESS, TURN_ADDRESS, TURN_RELAY_ADDRESS, type PeerName, type SplitNetwork } from './split-network';
import { UserPage } from './user-page';
import { CHROMIUM_FLAGS, recordPeerConnections } from './world';

/**
 * Whether these tests can run: the e2e environment, root (to build namespaces joined by veths) and
 * coturn. Like `requireE2eEnvironment`, a skip is loud, and under `CI=true` a failure.
 */
export function requireSplitNetworkEnvironment(suite: string): boolean {
  const { missing: e2eMissing, namespace } = e2eEnvironment();
  const missing =
    e2eMissing ??
    (namespace !== 'root'
      ? 'building network namespaces joined by veth pairs needs root'
      : findTurnBinary() === undefined
        ? `coturn's turnserver is not installed (${TURN_INSTALL_COMMAND})`
        : undefined);
  if (!missing) return true;
  if (process.env.CI === 'true') throw new Error(`End-to-end tests (${suite}) cannot run under CI=true: ${missing}`);
  const line = '!'.repeat(100);
  process.stderr.write(`\n${line}\n!! SKIPPING the end-to-end browser tests (${suite}): ${missing}\n${line}\n\n`);
  return false;
}

export class SplitWorld {
  private constructor(
    readonly network: SplitNetwork,
    readonly gateway: IsolatedGateway,
    private readonly browsers: Record<PeerName, Browser>,
  ) {}

  static async start(): Promise<SplitWorld> {
    const environment = e2eEnvironment();
    if (!environment.chromium || environment.namespace !== 'root') throw new Error(environment.missing ?? 'needs root');
    await ensureWebClientBuilt();
    const network = await buildSplitNetwork({ chromium: environment.chromium });
    let gateway: IsolatedGateway | undefined;
    const launched: Browser[] = [];
    try {
      gateway = await startIsolatedGateway({
        namespace: environment.namespace,
        chromium: environment.chromium,
        joinNamespaceOf: network.middlePid,
        args: [
          '--host',
          GATEWAY_ADDRESS,
          // Beyond loopback dev sign-in must be asked for; here "beyond" is the test's own namespaces.
          '--dev-login',
          '--turn',
          '--turn-address',
          TURN_ADDRESS,
          '--turn-relay-address',
          TURN_RELAY_ADDRESS,
        ],
      });
      const origin = new URL(gateway.httpUrl).origin;
      const args = [
        // The peers have real addresses here; loopback candidates would only be noise.
        ...CHROMIUM_FLAGS.filter((flag) => flag !== '--allow-loopback-in-peer-connection'),
        // The camera and microphone need a secure context, which plain http is only on loopback.
        `--unsafely-treat-insecure-origin-as-secure=${origin}`,
      ];
      const launch = async (peer: PeerName): Promise<Browser> => {
        const browser = await chromium.launch({ executablePath: network.peers[peer].chromium, args, timeout: 30_000 });
        launched.push(browser);
        return browser;
      };
      return new SplitWorld(network, gateway, { a: await launch('a'), b: await launch('b') });
    } catch (error) {
      for (const browser of launched) await browser.close().catch(() => undefined);
      await gateway?.close();
      await network.close();
      throw error;
    }
  }

  /** Opens the page in a new browser profile on `peer`'s network and signs in through the form. */
  async signIn(peer: PeerName, name: string, profileType: string, profileId: number): Promise<UserPage> {
    const context = await this.browsers[peer].newContext({ viewport: { width: 1280, height: 800 }, baseURL: this.gateway.httpUrl });
    await context.addInitScript(recordPeerConnections);
    const user = new UserPage(await context.newPage(), { name, profileType, profileId: String(profileId) });
    await user.signIn();
    return user;
  }

  async close(): Promise<void> {
    for (const browser of Object.values(this.browsers)) await browser.close().catch(() => undefined);
    await this.gateway.close();
    await this.network.close();
  }
}
