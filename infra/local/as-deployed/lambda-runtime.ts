/**
 * The bootstrap of one container, as Lambda's Node.js runtime does it: loads the handler named by
 * `_HANDLER` (`index.handler` → `require($LAMBDA_TASK_ROOT/index.js).handler`) once, at cold start,
 * then runs one invocation at a time as the gateway sends them over IPC.
 *
 * Bundled to plain CommonJS at gateway start and run with plain `node`: nothing of the gateway's
 * own toolchain (tsx, its module hooks) is in the container. It exits when the gateway goes away,
 * however it goes (a closed IPC channel, or a new parent process after the old one was killed).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { errorShape, HANDLER_ENV, TASK_ROOT_ENV, type FromContainer, type InvocationContext, type ToContainer } from './container-protocol';

type Callback = (error?: unknown, result?: unknown) => void;
type Handler = (event: unknown, context: Context, callback: Callback) => unknown;

/** How often the container checks that the process that started it still exists. */
const PARENT_CHECK_MS = 500;

class RuntimeError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

function send(message: FromContainer): void {
  try {
    process.send?.(message);
  } catch (error) {
    // A result JSON cannot carry (a cycle, a BigInt) fails the invocation, as it does on Lambda.
    if (message.type !== 'result' || !message.ok) throw error;
    process.send?.({
      type: 'result',
      id: message.id,
      ok: false,
      error: errorShape(new RuntimeError('Runtime.MarshalError', 'Unable to stringify response body')),
    });
  }
}

/** `dir/file.export.path` → module `dir/file`, export path `export.path`, as the runtime splits it. */
function splitHandler(handler: string): { modulePath: string; exportPath: string[] } {
  const slash = handler.lastIndexOf('/');
  const base = handler.slice(slash + 1);
  const dot = base.indexOf('.');
  if (dot <= 0 || dot === base.length - 1) throw new RuntimeError('Runtime.MalformedHandlerName', `Bad handler ${handler}`);
  return { modulePath: handler.slice(0, slash + 1) + base.slice(0, dot), exportPath: base.slice(dot + 1).split('.') };
}

async function loadModule(taskRoot: string, modulePath: string): Promise<unknown> {
  const base = join(taskRoot, modulePath);
  const file = ['.js', '.mjs', '.cjs'].map((extension) => base + extension).find((candidate) => existsSync(candidate));
  if (file === undefined) throw new RuntimeError('Runtime.ImportModuleError', `Error: Cannot find module '${modulePath}'`);
  try {
    if (file.endsWith('.mjs')) return await import(pathToFileURL(file).href);
    return createRequire(join(taskRoot, 'bootstrap'))(file);
  } catch (error) {
    if (error instanceof SyntaxError) throw new RuntimeError('Runtime.UserCodeSyntaxError', `${error.name}: ${error.message}`);
    throw error;
  }
}

async function loadHandler(taskRoot: string, handlerName: string): Promise<Handler> {
  const { modulePath, exportPath } = splitHandler(handlerName);
  let value = await loadModule(taskRoot, modulePath);
  for (const key of exportPath) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  if (typeof value !== 'function') throw new RuntimeError('Runtime.HandlerNotFound', `${handlerName} is undefined or not exported`);
  return value as Handler;
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';

/** Runs the handler once: an async handler's promise, or a callback-style handler's callback. */
function runHandler(handler: Handler, event: unknown, invocation: InvocationContext): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const callback: Callback = (error, result) => (error !== undefined && error !== null ? reject(error) : resolve(result));
    const context: Context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: invocation.functionName,
      functionVersion: invocation.functionVersion,
      invokedFunctionArn: invocation.invokedFunctionArn,
      memoryLimitInMB: invocation.memoryLimitInMB,
      awsRequestId: invocation.awsRequestId,
      logGroupName: invocation.logGroupName,
      logStreamName: invocation.logStreamName,
      getRemainingTimeInMillis: () => Math.max(0, invocation.deadlineMs - Date.now()),
      done: (error, result) => callback(error, result),
      fail: (error) => callback(error ?? new Error('fail')),
      succeed: (result: unknown) => callback(undefined, result),
    };
    let returned: unknown;
    try {
      returned = handler(event, context, callback);
    } catch (error) {
      reject(error);
      return;
    }
    if (isThenable(returned)) returned.then(resolve, reject);
    else if (handler.length < 3) resolve(returned);
  });
}

function watchParent(): void {
  const parent = process.ppid;
  process.on('disconnect', () => process.exit(0));
  // Belt and braces: a parent killed with SIGKILL closes the channel, but a reparented process knows for sure.
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, PARENT_CHECK_MS).unref();
  process.on('SIGTERM', () => process.exit(0));
}

async function main(): Promise<void> {
  if (!process.send) {
    process.stderr.write('This is a container bootstrap; the gateway starts it with an IPC channel.\n');
    process.exit(2);
  }
  watchParent();
  const taskRoot = process.env[TASK_ROOT_ENV] ?? process.cwd();
  const handlerName = process.env[HANDLER_ENV] ?? 'index.handler';

  const started = performance.now();
  let handler: Handler;
  try {
    handler = await loadHandler(taskRoot, handlerName);
  } catch (error) {
    // The gateway fails the invocation that was waiting and discards this container.
    send({ type: 'init_failed', error: errorShape(error) });
    return;
  }
  let busy = false;
  process.on('message', (message: ToContainer) => {
    if (message.type !== 'invoke') return;
    if (busy) {
      send({ type: 'result', id: message.id, ok: false, error: errorShape(new RuntimeError('Runtime.Busy', 'One invocation at a time')) });
      return;
    }
    busy = true;
    runHandler(handler, message.event, message.context).then(
      (result) => {
        busy = false;
        send({ type: 'result', id: message.id, ok: true, result });
      },
      (error: unknown) => {
        busy = false;
        send({ type: 'result', id: message.id, ok: false, error: errorShape(error) });
      },
    );
  });
  send({ type: 'ready', initMs: Math.round((performance.now() - started) * 10) / 10 });
}

void main();
