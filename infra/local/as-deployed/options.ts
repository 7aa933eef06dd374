/** What the as-deployed mode can be told, and its defaults. */

export interface AsDeployedOptions {
  /** A synthesized cloud assembly, used as is; by default the project's `cdk.out`, synthesized when stale. */
  cdkOut?: string;
  /**
   * Containers per function, at most: the function's concurrency limit, the same setting as the
   * gateway's `functionConcurrency` (give either). Default the template's `ReservedConcurrentExecutions`, else 10.
   */
  maxContainers?: number;
  /** An idle container is recycled after this many seconds. Default 300. */
  containerIdleSeconds?: number;
}

export const DEFAULT_CONTAINER_IDLE_SECONDS = 300;
