/**
 * Adapters built on first use: the module behind one (and the SDK client it brings) is loaded when
 * the function first calls it, so a container's cold start loads only what it runs. Every port the
 * core talks through is asynchronous, which is what lets a stand-in forward each call unchanged.
 */

/** A port whose every member is a method answering with a promise. */
export type AsyncPort<T> = { [K in keyof T]: (...args: never[]) => Promise<unknown> };

/** The value `make` gives, made once on first call; a failed make is tried again on the next call. */
export function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make().catch((error: unknown) => {
      made = undefined;
      throw error;
    });
    return made;
  };
}

/** A stand-in for the adapter `load` makes: each method call waits for it once, then forwards. */
export function onFirstUse<T extends AsyncPort<T>>(load: () => Promise<T>): T {
  const adapter = once(load);
  const forwarders = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  const forwarderOf = (name: string) => {
    let forward = forwarders.get(name);
    if (!forward) {
      forward = async (...args: unknown[]) => {
        const target = await adapter();
        const method: unknown = Reflect.get(target, name);
        if (typeof method !== 'function') throw new TypeError(`The adapter has no method ${name}`);
        return Reflect.apply(method, target, args);
      };
      forwarders.set(name, forward);
    }
    return forward;
  };
  const standIn = new Proxy<object>(Object.create(null), {
    // Not a thenable, and no symbol members: awaiting or inspecting the stand-in loads nothing.
    get: (_target, property) => (typeof property === 'symbol' || property === 'then' ? undefined : forwarderOf(property)),
  });
  // The proxy answers every method name of T with a forwarder of the same signature.
  return standIn as T;
}

/**
 * A port the function's declared access does not grant (`shared/routes.ts`): calling it is a wiring
 * fault, refused as AWS would refuse it (AccessDenied), without loading any client.
 */
export function notGranted<T extends AsyncPort<T>>(functionId: string, what: string): T {
  return onFirstUse<T>(() => Promise.reject(new Error(`${functionId} declares no access to ${what} (shared/routes.ts)`)));
}
