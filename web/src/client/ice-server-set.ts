/**
 * The ICE servers calls start with: the configured ones (`config.json`), replaced by the server's
 * `ice_servers` answer. TURN credentials expire: a set past half its lifetime (or never answered) is
 * asked for again before a call and waited for, briefly; if that fails the call starts with what
 * there is, minus credentials past their end (STUN-only at worst).
 */
export interface IceServersAnswer {
  ice_servers: RTCIceServer[];
  ttl: number;
}

/** How long a call waits for a fresh set before it starts with what it has (the answer still lands for the next one). */
export const DEFAULT_ICE_REFRESH_WAIT_MS = 1_500;

export class IceServerSet {
  private current: RTCIceServer[];
  private refreshAtMs = 0;
  private expiresAtMs = Number.POSITIVE_INFINITY;
  private pending: Promise<void> | undefined;

  constructor(
    private readonly configured: RTCIceServer[],
    private readonly ask: () => Promise<IceServersAnswer>,
    private readonly waitMs = DEFAULT_ICE_REFRESH_WAIT_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.current = configured;
  }

  /** What a peer connection made now should use: never a credential past its end. */
  get servers(): RTCIceServer[] {
    if (this.now() < this.expiresAtMs) return this.current;
    const withoutCredentials = this.current.filter((server) => server.username === undefined && server.credential === undefined);
    return withoutCredentials.length > 0 ? withoutCredentials : this.configured;
  }

  get isStale(): boolean {
    return this.now() >= this.refreshAtMs;
  }

  /** Asks again in the background when stale (one question at a time). */
  refresh(): Promise<void> {
    if (!this.isStale) return Promise.resolve();
    this.pending ??= this.ask()
      .then(
        (answer) => {
          const received = this.now();
          if (answer.ice_servers.length > 0) this.current = answer.ice_servers;
          this.expiresAtMs = received + answer.ttl * 1000;
          this.refreshAtMs = received + (answer.ttl * 1000) / 2;
        },
        () => undefined, // What there is stays in use.
      )
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /** Before a call: the set, refreshed first when stale, waiting at most `waitMs` for it. */
  async fresh(): Promise<RTCIceServer[]> {
    if (this.isStale) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waited = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.waitMs);
      });
      await Promise.race([this.refresh(), waited]);
      clearTimeout(timer);
    }
    return this.servers;
  }
}
