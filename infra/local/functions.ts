/**
 * Loads the handler modules of the function table (`shared/routes.ts`), after the gateway has set
 * the environment they read at import time, and sorts them by trigger (the as-deployed mode sorts
 * its container-backed functions the same way).
 */
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { HttpRoute } from '../../shared/platform-api';
import type { FunctionDefinition } from '../../shared/routes';

export type LambdaHandler = (event: unknown, context: Context) => unknown;

export interface LoadedFunction {
  id: string;
  /** Where its code is: the module path (source mode) or the bundle's task root (as deployed). */
  entry: string;
  handler: LambdaHandler;
  /**
   * Set when the function runs in containers of its own (as deployed): they enforce its timeout,
   * counted from when a container takes the invocation, and its `Context` carries these.
   */
  deployed?: DeployedLimits;
}

export interface DeployedLimits {
  functionName: string;
  timeoutSeconds: number;
  memoryMb: number;
}

export interface GatewayFunctions {
  /** The `$connect` REQUEST authorizer; without one every connection is let in, as on API Gateway. */
  authorizer: LoadedFunction | undefined;
  /** The chat API's, by route key, including `$connect`, `$disconnect` and `$default`. */
  routes: ReadonlyMap<string, LoadedFunction>;
  /** The whiteboard API's (its own route table), by route key; empty when the table has none. */
  whiteboardRoutes: ReadonlyMap<string, LoadedFunction>;
  scheduled: readonly LoadedFunction[];
  /** The platform API's routes (`http` triggers), in function table order. */
  http: readonly HttpFunction[];
}

export interface HttpFunction {
  route: HttpRoute;
  fn: LoadedFunction;
}

/** The routes API Gateway always needs here: without them a socket cannot open, close or be refused. */
const REQUIRED_ROUTES = ['$connect', '$disconnect', '$default'] as const;

export class MissingHandlersError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(`Handler modules missing (from shared/routes.ts): ${missing.join(', ')}`);
    this.name = 'MissingHandlersError';
  }
}

/** Entries whose module file does not exist, checked before anything starts. */
export async function findMissingEntries(projectRoot: string, definitions: readonly FunctionDefinition[]): Promise<string[]> {
  const missing: string[] = [];
  for (const { entry } of definitions) {
    try {
      await access(resolve(projectRoot, entry));
    } catch {
      missing.push(entry);
    }
  }
  return missing;
}

async function importHandler(projectRoot: string, definition: FunctionDefinition): Promise<LoadedFunction> {
  let module: { handler?: unknown };
  try {
    module = (await import(pathToFileURL(resolve(projectRoot, definition.entry)).href)) as { handler?: unknown };
  } catch (error) {
    throw new Error(`Could not load ${definition.entry}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const { handler } = module;
  if (typeof handler !== 'function') throw new Error(`${definition.entry} does not export a function named "handler"`);
  return { id: definition.id, entry: definition.entry, handler: handler as LambdaHandler };
}

export async function loadFunctions(projectRoot: string, definitions: readonly FunctionDefinition[]): Promise<GatewayFunctions> {
  const missing = await findMissingEntries(projectRoot, definitions);
  if (missing.length > 0) throw new MissingHandlersError(missing);
  const loaded: { definition: FunctionDefinition; fn: LoadedFunction }[] = [];
  for (const definition of definitions) loaded.push({ definition, fn: await importHandler(projectRoot, definition) });
  return byTrigger(loaded);
}

/** Sorts functions by what triggers them, checking the table has what API Gateway needs. */
export function byTrigger(entries: readonly { definition: FunctionDefinition; fn: LoadedFunction }[]): GatewayFunctions {
  let authorizer: LoadedFunction | undefined;
  const routes = new Map<string, LoadedFunction>();
  const whiteboardRoutes = new Map<string, LoadedFunction>();
  const scheduled: LoadedFunction[] = [];
  const http: HttpFunction[] = [];
  for (const { definition, fn } of entries) {
    const { trigger } = definition;
    if (trigger.kind === 'authorizer') {
      if (authorizer) throw new Error(`Two authorizers in the function table: ${authorizer.id} and ${definition.id}`);
      authorizer = fn;
    } else if (trigger.kind === 'schedule') {
      scheduled.push(fn);
    } else if (trigger.kind === 'http') {
      if (http.some(({ route }) => route.method === trigger.method && route.path === trigger.path)) {
        throw new Error(`Route ${trigger.method} ${trigger.path} has two functions`);
      }
      http.push({ route: { method: trigger.method, path: trigger.path }, fn });
    } else {
      const table = trigger.api === 'whiteboard' ? whiteboardRoutes : routes;
      if (table.has(trigger.routeKey)) throw new Error(`Route ${trigger.routeKey} of the ${trigger.api} API has two functions`);
      table.set(trigger.routeKey, fn);
    }
  }
  const absent = REQUIRED_ROUTES.filter((routeKey) => !routes.has(routeKey));
  if (absent.length > 0) throw new Error(`The function table has no function for ${absent.join(', ')}`);
  const absentWhiteboard = whiteboardRoutes.size === 0 ? [] : REQUIRED_ROUTES.filter((routeKey) => !whiteboardRoutes.has(routeKey));
  if (absentWhiteboard.length > 0) throw new Error(`The function table has no whiteboard API function for ${absentWhiteboard.join(', ')}`);
  return { authorizer, routes, whiteboardRoutes, scheduled, http };
}
