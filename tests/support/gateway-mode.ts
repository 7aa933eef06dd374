/**
 * Which gateway a test run starts: the handler sources in process (`source`, the default) or the
 * synthesized bundles in Lambda-like containers (`as-deployed`), chosen by the environment so the
 * same suites run in both (see `tests/vitest.config.ts`).
 */
import type { AsDeployedOptions } from '../../infra/local/as-deployed/options';

export const GATEWAY_MODE_ENV = 'CALLSIGNAL_GATEWAY_MODE';
/** The cloud assembly the as-deployed gateways run, synthesized once per test run. */
export const CDK_OUT_ENV = 'CALLSIGNAL_CDK_OUT';
/** Containers per function for the run's as-deployed gateways (the gateway's default otherwise). */
export const MAX_CONTAINERS_ENV = 'CALLSIGNAL_MAX_CONTAINERS';

export type GatewayMode = 'source' | 'as-deployed';

export function gatewayMode(env: NodeJS.ProcessEnv = process.env): GatewayMode {
  const mode = env[GATEWAY_MODE_ENV] ?? 'source';
  if (mode !== 'source' && mode !== 'as-deployed') throw new Error(`${GATEWAY_MODE_ENV} must be "source" or "as-deployed", got "${mode}"`);
  return mode;
}

/** The `asDeployed` option of this run's gateways, or undefined in source mode. */
export function asDeployedOptions(env: NodeJS.ProcessEnv = process.env): AsDeployedOptions | undefined {
  if (gatewayMode(env) !== 'as-deployed') return undefined;
  const cdkOut = env[CDK_OUT_ENV];
  const maxContainers = env[MAX_CONTAINERS_ENV];
  return { ...(cdkOut ? { cdkOut } : {}), ...(maxContainers ? { maxContainers: Number(maxContainers) } : {}) };
}

/** The `npm start` flags of this run's gateways. */
export function asDeployedArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  const options = asDeployedOptions(env);
  if (!options) return [];
  return [
    '--as-deployed',
    ...(options.cdkOut ? ['--cdk-out', options.cdkOut] : []),
    ...(options.maxContainers ? ['--max-containers', String(options.maxContainers)] : []),
  ];
}
