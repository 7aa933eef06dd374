/**
 * The as-deployed mode's containers, over small bundles written here: each container is its own
 * process running one invocation at a time, bursts start more up to the cap and queue beyond it,
 * idle ones are recycled, and a timeout or a crash takes a container down with its invocation.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bundleBootstrap } from '../../infra/local/as-deployed/bootstrap-bundle';
import { ContainerPool, type ContainerSpec } from '../../infra/local/as-deployed/container-pool';
import { lambdaContext } from '../../infra/local/events';
import { TimeoutError } from '../../infra/local/invoker';
import type { GatewayLog } from '../../infra/local/log';
import { PROJECT_ROOT } from '../../infra/local/paths';

const BUNDLES: Record<string, string> = {
  echo: `exports.handler = async (event, context) => ({
    pid: process.pid,
    event,
    requestId: context.awsRequestId,
    functionName: context.functionName,
    memory: context.memoryLimitInMB,
    remainingMs: context.getRemainingTimeInMillis(),
    setting: process.env.SETTING ?? null,
    home: process.env.HOME ?? null,
  });`,
  slow: `let running = 0;
  exports.handler = async (event) => {
    running++;
    const overlapping = running;
    await new Promise((resolve) => setTimeout(resolve, event.ms));
    running--;
    return { pid: process.pid, overlapping, order: event.order };
  };`,
  hang: `exports.handler = () => new Promise(() => undefined);`,
  crash: `exports.handler = async () => { process.exit(3); };`,
  thrower: `exports.handler = async () => { const error = new Error('boom'); error.name = 'CustomError'; throw error; };`,
  callback: `exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { via: 'callback' }), 5); };`,
  modules: `exports.handler = async () => {
    const required = typeof require('@aws-sdk/client-dynamodb').DynamoDBClient;
    let imported;
    try { await import('@aws-sdk/client-dynamodb'); imported = 'resolved'; } catch (error) { imported = error.code; }
    return { required, imported };
  };`,
};

const api = { apiId: 'local', stage: 'local', region: 'us-east-1', accountId: '000000000000' };
let dir: string;
let bootstrapPath: string;
const pools: ContainerPool[] = [];
const logged: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
const log: GatewayLog = {
  debug: (msg, fields = {}) => logged.push({ level: 'debug', msg, fields: { ...fields } }),
  info: (msg, fields = {}) => logged.push({ level: 'info', msg, fields: { ...fields } }),
  warn: (msg, fields = {}) => logged.push({ level: 'warn', msg, fields: { ...fields } }),
  error: (msg, fields = {}) => logged.push({ level: 'error', msg, fields: { ...fields } }),
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'container-pool-test-'));
  bootstrapPath = await bundleBootstrap(dir);
  for (const [name, code] of Object.entries(BUNDLES)) {
    await mkdir(join(dir, name));
    await writeFile(join(dir, name, 'index.js'), code);
  }
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
  logged.length = 0;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function functionOf(name: string, overrides: Partial<ContainerSpec> = {}, pool: { max?: number; idleMs?: number } = {}) {
  const containers = new ContainerPool({
    bootstrapPath,
    maxContainersPerFunction: pool.max ?? 10,
    idleMs: pool.idleMs ?? 60_000,
    log,
    output: () => undefined,
  });
  pools.push(containers);
  const spec: ContainerSpec = {
    id: name,
    functionName: `Stack-${name}`,
    taskRoot: join(dir, name),
    handler: 'index.handler',
    environment: {},
    timeoutSeconds: 10,
    memoryMb: 256,
    ...overrides,
  };
  const fn = containers.add(spec);
  let request = 0;
  return {
    pool: containers,
    invoke: <T>(event: unknown = {}) =>
      fn.invoke(event, lambdaContext(api, spec.functionName, `request-${++request}`, spec.timeoutSeconds * 1000)) as Promise<T>,
  };
}

interface Echo {
  pid: number;
  event: unknown;
  requestId: string;
  functionName: string;
  memory: string;
  remainingMs: number;
  setting: string | null;
  home: string | null;
}

describe('a container', () => {
  it('runs the bundle in a process of its own, with a Lambda context and only the environment it was given', async () => {
    const { invoke } = functionOf('echo', { environment: { SETTING: 'from the template' }, memoryMb: 512 });
    const result = await invoke<Echo>({ hello: 'world' });
    expect(result.pid).not.toBe(process.pid);
    expect(result).toMatchObject({
      event: { hello: 'world' },
      requestId: 'request-1',
      functionName: 'Stack-echo',
      memory: '512',
      setting: 'from the template',
      // The gateway's own environment stays out.
      home: null,
    });
    expect(result.remainingMs).toBeGreaterThan(0);
    expect(result.remainingMs).toBeLessThanOrEqual(10_000);
  });

  it('is reused while warm: one invocation after another lands in the same process', async () => {
    const { invoke } = functionOf('echo');
    const first = await invoke<Echo>();
    const second = await invoke<Echo>();
    expect(second.pid).toBe(first.pid);
    expect(logged.filter((line) => line.msg === 'container_started')).toHaveLength(1);
    expect(logged.find((line) => line.msg === 'container_started')?.fields).toMatchObject({
      function: 'echo',
      pid: first.pid,
      init_ms: expect.any(Number),
    });
  });

  it('runs callback-style handlers too', async () => {
    const { invoke } = functionOf('callback');
    expect(await invoke()).toEqual({ via: 'callback' });
  });

  it("reports a handler's error by name, message and stack", async () => {
    const { invoke } = functionOf('thrower');
    const error = await invoke().catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'CustomError', message: 'boom' });
    expect((error as Error).stack).toContain(join(dir, 'thrower', 'index.js'));
  });

  it('fails every invocation with Runtime.HandlerNotFound when the handler is not exported', async () => {
    const { invoke } = functionOf('echo', { handler: 'index.nothing' });
    await expect(invoke()).rejects.toMatchObject({
      name: 'Runtime.HandlerNotFound',
      message: 'index.nothing is undefined or not exported',
    });
    await expect(invoke()).rejects.toMatchObject({ name: 'Runtime.HandlerNotFound' });
  });

  it('resolves require() of a runtime package through NODE_PATH, but not a dynamic import()', async () => {
    const { invoke } = functionOf('modules', { environment: { NODE_PATH: join(PROJECT_ROOT, 'node_modules') } });
    expect(await invoke()).toEqual({ required: 'function', imported: 'ERR_MODULE_NOT_FOUND' });
  });
});

describe('concurrency', () => {
  it('starts more containers for a burst, never more than the cap, and serves the rest in order as containers free up', async () => {
    const { invoke, pool } = functionOf('slow', {}, { max: 3 });
    let mostContainers = 0;
    const watching = setInterval(() => (mostContainers = Math.max(mostContainers, pool.info().length)), 5);
    // Orders each container served, in the order it served them (one at a time, so this is exact).
    const servedBy = new Map<number, number[]>();
    const results = await Promise.all(
      Array.from({ length: 9 }, (_, order) =>
        invoke<{ pid: number; overlapping: number; order: number }>({ ms: 150, order }).then((result) => {
          servedBy.set(result.pid, [...(servedBy.get(result.pid) ?? []), result.order]);
          return result;
        }),
      ),
    );
    clearInterval(watching);
    expect(new Set(results.map((result) => result.pid)).size).toBe(3);
    expect(mostContainers).toBe(3);
    // One invocation at a time in each container.
    expect(results.every((result) => result.overlapping === 1)).toBe(true);
    // The queue went out first in, first out, so every container served rising orders (which
    // container boots or frees first is up to the machine's load).
    for (const orders of servedBy.values()) expect(orders).toEqual([...orders].sort((a, b) => a - b));
  });

  it('boots only so many containers at once over all functions, and a waiting invocation takes the first container free', async () => {
    const pool = new ContainerPool({
      bootstrapPath,
      maxContainersPerFunction: 3,
      idleMs: 60_000,
      maxConcurrentStarts: 1,
      log,
      output: () => undefined,
    });
    pools.push(pool);
    const functions = ['slow', 'echo'].map((name) =>
      pool.add({
        id: name,
        functionName: name,
        taskRoot: join(dir, name),
        handler: 'index.handler',
        environment: {},
        timeoutSeconds: 10,
        memoryMb: 256,
      }),
    );
    let mostBooting = 0;
    const watching = setInterval(() => {
      mostBooting = Math.max(mostBooting, pool.info().filter((container) => container.state === 'starting').length);
    }, 2);
    const context = (n: number) => lambdaContext(api, 'fn', `request-${n}`, 10_000);
    await Promise.all(Array.from({ length: 6 }, (_, n) => functions[n % 2]!.invoke({ ms: 50, order: n }, context(n))));
    clearInterval(watching);
    expect(mostBooting).toBe(1);
  });

  it('recycles a container left idle, so the next invocation is a cold start in a new process', async () => {
    const { invoke } = functionOf('echo', {}, { idleMs: 200 });
    const first = await invoke<Echo>();
    await expect.poll(() => logged.some((line) => line.msg === 'container_recycled'), { timeout: 3_000 }).toBe(true);
    const second = await invoke<Echo>();
    expect(second.pid).not.toBe(first.pid);
    expect(logged.filter((line) => line.msg === 'container_started')).toHaveLength(2);
  });
});

describe('failures', () => {
  it('times an invocation out at the function timeout and kills its container', async () => {
    const { invoke, pool } = functionOf('hang', { timeoutSeconds: 0.3 });
    const error = await invoke().catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toBe('Task timed out after 0.30 seconds');
    expect(pool.info()).toEqual([]);
  });

  it('fails the invocation of a container that crashes with Runtime.ExitError, and replaces the container', async () => {
    const { invoke } = functionOf('crash');
    await expect(invoke()).rejects.toMatchObject({
      name: 'Runtime.ExitError',
      message: 'RequestId: request-1 Error: Runtime exited with error: exit status 3',
    });
    await expect(invoke()).rejects.toMatchObject({ name: 'Runtime.ExitError', message: expect.stringContaining('request-2') });
    expect(logged.filter((line) => line.msg === 'container_started')).toHaveLength(2);
  });

  it('exits when the process that started it is killed with SIGKILL', async () => {
    const parent = spawn(
      process.execPath,
      ['--import', 'tsx', join(PROJECT_ROOT, 'tests/gateway/fixtures/pool-parent.ts'), bootstrapPath, join(dir, 'echo')],
      {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise((resolve) => parent.once('exit', resolve));
    try {
      const containerPid = await new Promise<number>((resolve, reject) => {
        parent.once('exit', (code) => reject(new Error(`the parent exited with ${code}`)));
        createInterface({ input: parent.stdout }).once('line', (line) => resolve(Number(line)));
      });
      expect(isAlive(containerPid)).toBe(true);
      parent.kill('SIGKILL');
      await exited;
      await expect.poll(() => isAlive(containerPid), { timeout: 5_000 }).toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
