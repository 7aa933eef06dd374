/**
 * Notices the service answering again while the signaling socket is down, so the client need not
 * wait out a backoff that grew during the outage: it asks a cheap URL of the service's (the page's
 * own `config.json`) every second, and calls `onBack` each time it answers after failing.
 *
 * While the URL keeps answering, the outage is not one of reaching the service (its WebSocket API
 * is refusing, say): the backoff alone paces the retries then, as it should, and the probe slows
 * down the same way, back to every second after its next failure.
 */
export type ReachabilityProbe = () => Promise<boolean>;

export interface ReachabilityOptions {
  probe: ReachabilityProbe;
  /** Told when the service answers after it did not. */
  onBack: () => void;
  /** Between probes while the service does not answer. */
  intervalMs: number;
  /** Between probes at most, while it keeps answering. */
  maxIntervalMs: number;
}

export const DEFAULT_REACHABILITY: Pick<ReachabilityOptions, 'intervalMs' | 'maxIntervalMs'> = { intervalMs: 1_000, maxIntervalMs: 15_000 };
/** A probe that hangs counts as a failure, so the next one is never held up for long. */
const PROBE_TIMEOUT_MS = 3_000;

/** A HEAD request to `url`: a 2xx is the service answering; a 503 "starting" or no answer is not yet. */
export function headProbe(url: string): ReachabilityProbe {
  return async () => {
    try {
      const response = await fetch(url, { method: 'HEAD', cache: 'no-store', signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      return response.ok;
    } catch {
      return false;
    }
  };
}

export class ReachabilityWatch {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private watching = false;
  private unreachable = false;
  private answeredInARow = 0;
  /** Bumped on every start and stop, so the answer to an older probe is ignored. */
  private generation = 0;

  constructor(private readonly options: ReachabilityOptions) {}

  /** The socket is down: start probing (a no-op while already probing). */
  start(): void {
    if (this.watching) return;
    this.watching = true;
    this.unreachable = false;
    this.answeredInARow = 0;
    this.generation++;
    this.schedule();
  }

  /** The socket is back, or closed for good. */
  stop(): void {
    this.watching = false;
    this.generation++;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    const { intervalMs, maxIntervalMs } = this.options;
    const delay = Math.min(maxIntervalMs, intervalMs * 2 ** this.answeredInARow);
    const generation = this.generation;
    this.timer = setTimeout(() => void this.check(generation), delay);
  }

  private async check(generation: number): Promise<void> {
    const answered = await this.options.probe();
    if (generation !== this.generation) return;
    const back = answered && this.unreachable;
    this.unreachable = !answered;
    this.answeredInARow = answered ? this.answeredInARow + 1 : 0;
    this.schedule();
    if (back) this.options.onBack();
  }
}
