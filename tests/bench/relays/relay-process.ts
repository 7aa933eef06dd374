/**
 * The bench's handle on a relay process: starts it (`node --import tsx relay-main.ts KIND`), waits
 * for `ready`, asks it for meter snapshots, reads its memory from /proc, and stops it, killing it
 * if it does not stop in time. Every wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MeterSnapshot } from '../meters/snapshots';
import { peakResidentBytes, resetPeak } from '../meters/process-memory';
import type { RelayKind, RelayMessage, RelayReady, RelayReply, RelayRequest, SweepResult } from './relay-protocol';

export const PROJECT_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const ENTRY = fileURLToPath(new URL('./relay-main.ts', import.meta.url));

const START_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
/** Enough of a failing relay's stderr to say why. */
const STDERR_KEPT_CHARS = 4_000;

export interface RelayProcess {
  kind: RelayKind;
  pid: number;
  port: number;
  storeEndpoint: string | null;
  /** The meters now; each invocation's duration only `withDurations` (they add up over a long run). */
  snapshot(withDurations?: boolean): Promise<MeterSnapshot>;
  sweep(runs: number): Promise<SweepResult>;
  /** Starts a new memory peak; false where the kernel does not allow it. */
  resetPeakMemory(): Promise<boolean>;
  peakMemoryBytes(): Promise<number | undefined>;
  /** The end of what the process wrote to stderr (handler failures, warnings), to say why a run went wrong. */
  stderrTail(): string;
  stop(): Promise<void>;
}

type RequestBody = RelayRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export interface RelayProcessOptions {
  /** Extra environment (the gateways' signing secret, the log level). */
  env?: Record<string, string>;
  /** How often the gateway's scheduled sweeper runs (AWS: once a minute). */
  sweepIntervalMs?: number;
  /** Node options before the entry (`--cpu-prof`, which NODE_OPTIONS may not carry). */
  nodeArgs?: readonly string[];
  /** Another checkout of the project whose relay to run (a baseline to compare with); this one by default. */
  projectRoot?: string;
}

export async function startRelayProcess(kind: RelayKind, options: RelayProcessOptions = {}): Promise<RelayProcess> {
  const root = options.projectRoot ?? PROJECT_ROOT;
  const entry = options.projectRoot ? join(options.projectRoot, relative(PROJECT_ROOT, ENTRY)) : ENTRY;
  const child: ChildProcess = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), '--import', 'tsx', entry, kind, String(options.sweepIntervalMs ?? 60_000)],
    {
      cwd: root,
      // Handler logs go where `npm start` would send them, minus the terminal: written, not read.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, ...options.env },
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_KEPT_CHARS);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const pending = new Map<number, (reply: RelayReply) => void>();
  let nextId = 1;
  let readyResolve: ((ready: RelayReady) => void) | undefined;
  const ready = new Promise<RelayReady>((resolve) => {
    readyResolve = resolve;
  });
  child.on('message', (message: RelayMessage) => {
    if (message.type === 'ready') return readyResolve?.(message);
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });

  const failure = (what: string): Error => new Error(`${kind} relay ${what}${stderr ? `:\n${stderr}` : ''}`);
  const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(failure(`did not ${what} within ${ms} ms`)), ms);
      }),
      exited.then((code) => {
        throw failure(`exited with code ${code} before it could ${what}`);
      }),
    ]).finally(() => clearTimeout(timer));
  };

  let started: RelayReady;
  try {
    started = await within(ready, START_TIMEOUT_MS, 'start');
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const pid = child.pid;
  if (pid === undefined) throw failure('has no process id');

  const request = (body: RequestBody): Promise<RelayReply> => {
    const id = nextId++;
    const reply = new Promise<RelayReply>((resolve) => pending.set(id, resolve));
    child.send({ ...body, id } as RelayRequest);
    return within(reply, REQUEST_TIMEOUT_MS, `answer ${body.type}`).finally(() => pending.delete(id));
  };

  return {
    kind,
    pid,
    port: started.port,
    storeEndpoint: started.storeEndpoint,
    async snapshot(withDurations = false) {
      const reply = await request({ type: 'snapshot', withDurations });
      if (reply.type !== 'snapshot') throw failure(`could not report its meters (${reply.type === 'failed' ? reply.message : reply.type})`);
      return reply.snapshot;
    },
    async sweep(runs) {
      const reply = await request({ type: 'sweep', runs });
      if (reply.type !== 'sweep') throw failure(`could not run its sweeper (${reply.type === 'failed' ? reply.message : reply.type})`);
      return reply.result;
    },
    resetPeakMemory: () => resetPeak(pid),
    peakMemoryBytes: () => peakResidentBytes(pid),
    stderrTail: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        await request({ type: 'stop' });
        await within(exited, STOP_TIMEOUT_MS, 'exit');
      } catch {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
