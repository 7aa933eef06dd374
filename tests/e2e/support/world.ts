/**
 * One e2e "world": the built web client, the real gateway in a loopback-only namespace, and a
 * headless Chromium with fake camera and microphone in the same namespace. Users sign in through
 * the UI, exactly as a person would.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ensureWebClientBuilt } from '../../../web/build';
import { e2eEnvironment } from './environment';
import { startIsolatedGateway, type IsolatedGateway } from './isolated-gateway';
import { UserPage } from './user-page';

export const CHROMIUM_FLAGS = [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  // Inside the namespace only 127.0.0.1 exists; without this flag Chrome gathers no candidates.
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-gpu',
  '--disable-quic',
  '--disable-dev-shm-usage',
  // A page whose response a test rewrote (to add a Content-Security-Policy) loses its address
  // space and would then count as a public page reaching into 127.0.0.1. Everything here is loopback.
  '--disable-features=LocalNetworkAccessChecks',
];

export interface WorldOptions {
  /** Extra `npm start` flags, e.g. a short ring timeout. */
  gatewayArgs?: string[];
}

/** Unique profile ids per test run, so tests never see each other's calls. */
let nextId = 1000 + Math.floor(Math.random() * 1000) * 100;
export const freshId = (): number => nextId++;

export class World {
  private readonly contexts: BrowserContext[] = [];
  /** A second browser whose camera and microphone prompts are refused, launched when first needed. */
  private refusingBrowser: Promise<Browser> | undefined;

  private constructor(
    readonly gateway: IsolatedGateway,
    readonly browser: Browser,
  ) {}

  static async start(options: WorldOptions = {}): Promise<World> {
    const environment = e2eEnvironment();
    if (!environment.chromium || !environment.namespace) throw new Error(environment.missing);
    await ensureWebClientBuilt();
    const gateway = await startIsolatedGateway({
      namespace: environment.namespace,
      chromium: environment.chromium,
      ...(options.gatewayArgs ? { args: options.gatewayArgs } : {}),
    });
    return World.over(gateway);
  }

  /** A world over a gateway the test started itself (one it restarts, say); closing the world closes it. */
  static async over(gateway: IsolatedGateway): Promise<World> {
    try {
      const browser = await chromium.launch({ executablePath: gateway.chromiumInNamespace, args: CHROMIUM_FLAGS, timeout: 30_000 });
      return new World(gateway, browser);
    } catch (error) {
      await gateway.close();
      throw error;
    }
  }

  /**
   * A new browser profile (its own storage), as another person on another computer. With
   * `refuseMedia`, it is a browser that answers the camera/microphone prompt with "Block"
   * (headless Chromium refuses prompts when it is not told to accept them).
   */
  async newContext({ refuseMedia = false }: { refuseMedia?: boolean } = {}): Promise<BrowserContext> {
    const browser = refuseMedia ? await this.browserRefusingMedia() : this.browser;
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: this.gateway.httpUrl });
    await context.addInitScript(recordPeerConnections);
    this.contexts.push(context);
    return context;
  }

  /** Opens the page in `context` (a new one by default) and signs in through the form. */
  async signIn(name: string, profileType: string, profileId: number | string, context?: BrowserContext): Promise<UserPage> {
    const page = await (context ?? (await this.newContext())).newPage();
    const user = new UserPage(page, { name, profileType, profileId: String(profileId) });
    await user.signIn();
    return user;
  }

  async openPage(context?: BrowserContext): Promise<Page> {
    return (context ?? (await this.newContext())).newPage();
  }

  private browserRefusingMedia(): Promise<Browser> {
    this.refusingBrowser ??= chromium.launch({
      executablePath: this.gateway.chromiumInNamespace,
      args: CHROMIUM_FLAGS.filter((flag) => flag !== '--use-fake-ui-for-media-stream'),
      timeout: 30_000,
    });
    return this.refusingBrowser;
  }

  async close(): Promise<void> {
    for (const context of this.contexts) await context.close().catch(() => undefined);
    await this.browser.close().catch(() => undefined);
    if (this.refusingBrowser) await (await this.refusingBrowser).close().catch(() => undefined);
    await this.gateway.close();
  }
}

/**
 * Runs in every page before the app: keeps each RTCPeerConnection the app creates in
 * `window.__peerConnections`, so a test can read the real sender tracks and stats.
 */
export function recordPeerConnections(): void {
  const Native = window.RTCPeerConnection;
  const created: RTCPeerConnection[] = [];
  Object.defineProperty(window, '__peerConnections', { value: created });
  window.RTCPeerConnection = class extends Native {
    constructor(configuration?: RTCConfiguration) {
      super(configuration);
      created.push(this);
    }
  };
}
