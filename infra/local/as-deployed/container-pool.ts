/**
 * Lambda's concurrency model for the functions of the deployed stack: each container is a child
 * process that loads one function's bundle and runs one invocation at a time. Invocations wait in
 * order for a free container of their function; while all are busy, another is started (a cold
 * start), up to the cap. Idle containers are recycled, a timed-out invocation takes its container
 * down with it (Lambda tears the sandbox down), and a container that dies fails what it was
 * running and is replaced by the next start the queue asks for.
 *
 * One thing differs on purpose, for a machine with a few cores rather than a fleet: only a few
 * containers boot at once, gateway-wide, and a waiting invocation takes whichever container is
 * free first, warm or just started. A burst then costs a few cold starts instead of dozens of
 * processes booting on the same cores at once, and the cap still bounds each function.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import type { Context } from 'aws-lambda';
import { TimeoutError } from '../invoker';
import type { GatewayLog } from '../log';
import {
  errorFromShape,
  HANDLER_ENV,
  TASK_ROOT_ENV,
  type FromContainer,
  type InvocationContext,
  type ToContainer,
} from './container-protocol';

/** One deployed function, as its containers run it. */
export interface ContainerSpec {
  /** The function table id, for log lines. */
  id: string;
  /** The function's deployed name, as its `Context` reports it. */
  functionName: string;
  /** A private copy of the function's bundle (its `/var/task`). */
  taskRoot: string;
  /** The template's `Handler`, `index.handler`. */
  handler: string;
  /** Everything the container's process sees in `process.env`, and nothing else. */
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMb: number;
  /**
   * Its concurrency limit (`function-concurrency.ts`), which bounds its containers: one invocation
   * each, as on Lambda. Default the pool's `maxContainersPerFunction`.
   */
  maxContainers?: number;
}

export interface ContainerPoolSettings {
  /** The bundled bootstrap (`lambda-runtime.ts`), run with plain node. */
  bootstrapPath: string;
  /** For a function whose spec gives no `maxContainers`. */
  maxContainersPerFunction: number;
  /** An idle container is stopped after this long. */
  idleMs: number;
  /** Containers booting at once, over all functions; default twice the cores. */
  maxConcurrentStarts?: number;
  log: GatewayLog;
  /** Each line a container writes, with the function it belongs to. */
  output(spec: ContainerSpec, stream: 'stdout' | 'stderr', line: string): void;
}

export interface ContainerInfo {
  function: string;
  pid: number | undefined;
  state: ContainerState;
}

type ContainerState = 'starting' | 'idle' | 'busy';

interface Pending {
  event: unknown;
  context: Context;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

interface Running extends Pending {
  id: number;
  timer: NodeJS.Timeout;
}

interface Container {
  child: ChildProcess;
  state: ContainerState;
  running: Running | undefined;
  initTimer: NodeJS.Timeout | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  /** Gives back the start slot; once. */
  started(): void;
  exited: Promise<void>;
}

/**
 * Node options for every container, space-separated, read from the gateway's own environment (the
 * CPU profile, `npm run bench:profile`: `--cpu-prof --cpu-prof-dir=DIR`). With them set, shutting
 * down ends containers with SIGTERM, on which the bootstrap exits cleanly and node writes the profile.
 */
export const CONTAINER_NODE_ARGS_ENV = 'CALLSIGNAL_CONTAINER_NODE_ARGS';
const containerNodeArgs = (): string[] => (process.env[CONTAINER_NODE_ARGS_ENV] ?? '').split(/\s+/).filter(Boolean);

/** Lambda's limit on a function's init phase. */
const INIT_LIMIT_MS = 10_000;
/** How long close waits for a killed container to be gone. */
const EXIT_WAIT_MS = 5_000;
const PROFILED_EXIT_WAIT_MS = 60_000;

class ContainerFailure extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** What Lambda says when the runtime process ends in the middle of an invocation. */
function exitError(requestId: string, code: number | null, signal: NodeJS.Signals | null): ContainerFailure {
  const how = signal ? `signal: ${signal}` : `exit status ${code ?? 'unknown'}`;
  return new ContainerFailure('Runtime.ExitError', `RequestId: ${requestId} Error: Runtime exited with error: ${how}`);
}

const shuttingDown = (functionId: string): Error => new Error(`${functionId}: the gateway is shutting down`);

/** Turns for booting a container, shared by every function. */
class StartSlots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  /** Resolves with the function that gives the slot back. */
  async take(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}

/** The containers of one function. */
export class FunctionContainers {
  private readonly containers = new Set<Container>();
  /** Killed, not yet exited: close waits for them. */
  private readonly dying = new Set<Container>();
  private readonly queue: Pending[] = [];
  /** Starts asked for that wait for a slot; they count against the cap. */
  private awaitingSlot = 0;
  private nextInvocationId = 1;
  private closed = false;
  private readonly maxContainers: number;

  constructor(
    readonly spec: ContainerSpec,
    private readonly settings: ContainerPoolSettings,
    private readonly slots: StartSlots,
  ) {
    this.maxContainers = spec.maxContainers ?? settings.maxContainersPerFunction;
  }

  /** Runs one invocation in a container of this function; rejects as Lambda fails it. */
  invoke(event: unknown, context: Context): Promise<unknown> {
    if (this.closed) return Promise.reject(shuttingDown(this.spec.id));
    return new Promise((resolve, reject) => {
      this.queue.push({ event, context, resolve, reject });
      this.dispatch();
    });
  }

  info(): ContainerInfo[] {
    return [...this.containers].map((container) => ({ function: this.spec.id, pid: container.child.pid, state: container.state }));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(shuttingDown(this.spec.id));
    for (const container of [...this.containers]) {
      const { running } = container;
      this.discard(container, containerNodeArgs().length > 0 ? 'SIGTERM' : 'SIGKILL');
      if (running) {
        clearTimeout(running.timer);
        running.reject(shuttingDown(this.spec.id));
      }
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.dying].map((container) => container.exited)),
      new Promise((resolve) => {
        // A profiled container writes its profile as it exits, which takes a while with many at once.
        timer = setTimeout(resolve, containerNodeArgs().length > 0 ? PROFILED_EXIT_WAIT_MS : EXIT_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    for (const container of this.dying)
      if (container.child.exitCode === null && container.child.signalCode === null) container.child.kill('SIGKILL');
  }

  /** Hands waiting invocations to idle containers, and asks for more while under the cap. */
  private dispatch(): void {
    while (this.queue.length > 0) {
      const idle = this.takeIdle();
      if (!idle) break;
      this.run(idle, this.queue.shift()!);
    }
    // Enough starts under way for what waits (each new container takes the head of the queue).
    while (this.queue.length > this.startsUnderWay() && this.containers.size + this.awaitingSlot < this.maxContainers) {
      this.awaitingSlot++;
      void this.slots.take().then((giveBack) => {
        this.awaitingSlot--;
        if (this.closed || this.queue.length <= this.startsUnderWay()) {
          // Served meanwhile by a container that came free.
          giveBack();
          return;
        }
        this.start(giveBack);
      });
    }
  }

  private startsUnderWay(): number {
    let starting = this.awaitingSlot;
    for (const container of this.containers) if (container.state === 'starting') starting++;
    return starting;
  }

  /** The container that went idle last, so the others age out when load drops. */
  private takeIdle(): Container | undefined {
    let newest: Container | undefined;
    for (const container of this.containers) if (container.state === 'idle') newest = container;
    if (newest) clearTimeout(newest.idleTimer);
    return newest;
  }

  private start(giveBack: () => void): void {
    const { spec } = this;
    const child = fork(this.settings.bootstrapPath, [], {
      cwd: spec.taskRoot,
      env: { ...spec.environment, [TASK_ROOT_ENV]: spec.taskRoot, [HANDLER_ENV]: spec.handler },
      // Plain node, none of the gateway's own flags (tsx's loader); the heap capped near the
      // function's memory, so a handler that outgrows its MemorySize fails here too.
      execArgv: [`--max-old-space-size=${Math.max(32, Math.floor(spec.memoryMb * 0.9))}`, ...containerNodeArgs()],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
      // A group of its own: Ctrl+C or a SIGTERM to the gateway's group must not end a container
      // before the gateway has drained what it runs. It still ends with the gateway (see the bootstrap).
      detached: true,
    });
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited(container, code, signal);
        resolve();
      });
    });
    const container: Container = {
      child,
      state: 'starting',
      running: undefined,
      initTimer: undefined,
      idleTimer: undefined,
      started: giveBack,
      exited,
    };
    this.containers.add(container);
    const startedAt = performance.now();

    for (const [stream, readable] of [
      ['stdout', child.stdout],
      ['stderr', child.stderr],
    ] as const) {
      if (readable)
        createInterface({ input: readable, crlfDelay: Infinity }).on('line', (line) => this.settings.output(spec, stream, line));
    }
    child.on('error', (error) =>
      this.settings.log.warn('container_error', { function: spec.id, pid: child.pid ?? null, error: error.message }),
    );
    child.on('message', (message: FromContainer) => this.received(container, message, startedAt));
    container.initTimer = setTimeout(() => {
      this.discard(container);
      // The oldest waiting invocation is the one this start was for.
      this.queue
        .shift()
        ?.reject(new ContainerFailure('Runtime.InitError', `${spec.id}: init did not finish within ${INIT_LIMIT_MS / 1000} s`));
      this.dispatch();
    }, INIT_LIMIT_MS);
  }

  private received(container: Container, message: FromContainer, startedAt: number): void {
    if (!this.containers.has(container)) return;
    switch (message.type) {
      case 'ready': {
        clearTimeout(container.initTimer);
        container.started();
        this.settings.log.debug('container_started', {
          function: this.spec.id,
          pid: container.child.pid ?? null,
          init_ms: message.initMs,
          start_ms: Math.round(performance.now() - startedAt),
        });
        this.becomeIdle(container);
        this.dispatch();
        return;
      }
      case 'init_failed': {
        this.discard(container);
        // As on Lambda, the invocation that met the failed init fails with its error.
        this.queue.shift()?.reject(errorFromShape(message.error));
        this.dispatch();
        return;
      }
      case 'result': {
        const running = container.running;
        if (!running || running.id !== message.id) return;
        clearTimeout(running.timer);
        container.running = undefined;
        if (message.ok) running.resolve(message.result);
        else running.reject(errorFromShape(message.error));
        this.becomeIdle(container);
        this.dispatch();
        return;
      }
    }
  }

  private run(container: Container, pending: Pending): void {
    const { spec } = this;
    const id = this.nextInvocationId++;
    const timeoutMs = spec.timeoutSeconds * 1000;
    // Lambda counts the timeout from when a container takes the invocation.
    const deadlineMs = Date.now() + timeoutMs;
    const timer = setTimeout(() => {
      if (container.running?.id !== id) return;
      this.discard(container);
      pending.reject(new TimeoutError(spec.timeoutSeconds));
      this.dispatch();
    }, timeoutMs);
    container.state = 'busy';
    container.running = { ...pending, id, timer };
    const context: InvocationContext = {
      awsRequestId: pending.context.awsRequestId,
      functionName: spec.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: pending.context.invokedFunctionArn,
      memoryLimitInMB: String(spec.memoryMb),
      logGroupName: pending.context.logGroupName,
      logStreamName: pending.context.logStreamName,
      deadlineMs,
    };
    const message: ToContainer = { type: 'invoke', id, event: pending.event, context };
    try {
      container.child.send(message);
    } catch (error) {
      // The channel is gone: the container died; its exit fails the invocation.
      this.settings.log.warn('container_unreachable', { function: spec.id, pid: container.child.pid ?? null, error: String(error) });
    }
  }

  private becomeIdle(container: Container): void {
    container.state = 'idle';
    clearTimeout(container.idleTimer);
    container.idleTimer = setTimeout(() => {
      if (container.state !== 'idle') return;
      this.settings.log.debug('container_recycled', {
        function: this.spec.id,
        pid: container.child.pid ?? null,
        idle_seconds: this.settings.idleMs / 1000,
      });
      this.discard(container);
    }, this.settings.idleMs);
    container.idleTimer.unref();
  }

  /** Takes a container out of service and kills it (it may be mid-invocation: the caller settles that). */
  private discard(container: Container, signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.containers.delete(container)) return;
    clearTimeout(container.initTimer);
    clearTimeout(container.idleTimer);
    container.started();
    container.running = undefined;
    this.dying.add(container);
    void container.exited.then(() => this.dying.delete(container));
    if (container.child.exitCode === null && container.child.signalCode === null) container.child.kill(signal);
  }

  /** A container ended; if it was not taken down on purpose, what it ran fails as on Lambda. */
  private exited(container: Container, code: number | null, signal: NodeJS.Signals | null): void {
    if (!this.containers.has(container)) return;
    const { running, state } = container;
    this.discard(container);
    this.settings.log.warn('container_exited', { function: this.spec.id, pid: container.child.pid ?? null, code, signal });
    if (running) {
      clearTimeout(running.timer);
      running.reject(exitError(running.context.awsRequestId, code, signal));
    } else if (state === 'starting') {
      const waiting = this.queue.shift();
      waiting?.reject(exitError(waiting.context.awsRequestId, code, signal));
    }
    this.dispatch();
  }
}

/** The containers of every function of the stack. */
export class ContainerPool {
  private readonly functions = new Map<string, FunctionContainers>();
  private readonly slots: StartSlots;

  constructor(private readonly settings: ContainerPoolSettings) {
    if (!Number.isInteger(settings.maxContainersPerFunction) || settings.maxContainersPerFunction < 1) {
      throw new Error(`maxContainers must be a positive whole number, got ${settings.maxContainersPerFunction}`);
    }
    if (!(settings.idleMs > 0)) throw new Error(`the container idle time must be positive, got ${settings.idleMs} ms`);
    this.slots = new StartSlots(settings.maxConcurrentStarts ?? 2 * availableParallelism());
  }

  add(spec: ContainerSpec): FunctionContainers {
    if (this.functions.has(spec.id)) throw new Error(`Two functions with the id ${spec.id}`);
    // A limit of 0 (reserved concurrency 0) is the invoker's to throttle; no container is ever asked for.
    if (spec.maxContainers !== undefined && !(Number.isInteger(spec.maxContainers) && spec.maxContainers >= 0)) {
      throw new Error(`${spec.id}: maxContainers must be a whole number, got ${spec.maxContainers}`);
    }
    const containers = new FunctionContainers(spec, this.settings, this.slots);
    this.functions.set(spec.id, containers);
    return containers;
  }

  info(): ContainerInfo[] {
    return [...this.functions.values()].flatMap((containers) => containers.info());
  }

  async close(): Promise<void> {
    await Promise.all([...this.functions.values()].map((containers) => containers.close()));
  }
}
