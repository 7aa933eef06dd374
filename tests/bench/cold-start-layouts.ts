/**
 * The cold-start model on measured figures: each handler's bundle and the grouped layout's shared
 * entries (lambdas/handlers/groups/) measured together, then the model run on the call's invocations per function. A
 * container's cold cost is its init plus what its first request adds (the SDK clients load on
 * first use), in CPU time: what a loaded machine disturbs least.
 */
import { join } from 'node:path';
import { deployedFunctionSpecs, FUNCTIONS } from '../../shared/routes';
import { measureColdStarts, type ColdStart } from './cold-start';
import { coldStartModel, groupedLayout, perRouteLayout, type ColdStartModel } from './cold-start-model';

export interface ColdStarts {
  /** One per deployed function. */
  functions: ColdStart[];
  /** The grouped layout's bundles that serve several functions (measured in full runs only). */
  groups: ColdStart[];
}

const GROUPED = groupedLayout(FUNCTIONS);

const coldCostMs = (measured: ColdStart): number => measured.initCpuMedianMs + (measured.firstUse?.cpuMedianMs ?? 0);

/** Measures the functions and, when all are measured, the groups of several the grouped layout deploys. */
export async function measureLayouts(
  projectRoot: string,
  workDir: string,
  functionIds: readonly string[] | 'all',
  runs: number,
): Promise<ColdStarts> {
  // The grouped layout's own entries (lambdas/handlers/groups/), as `-c functionLayout=grouped` deploys them.
  const entries =
    functionIds === 'all'
      ? deployedFunctionSpecs('grouped')
          .filter((spec) => spec.members.length > 1)
          .map((spec) => ({ id: spec.id, entry: spec.entry }))
      : [];
  const measured = await measureColdStarts(projectRoot, join(workDir, 'bundles'), functionIds, runs, entries);
  const groupIds = new Set(entries.map((entry) => entry.id));
  return {
    functions: measured.filter((entry) => !groupIds.has(entry.functionId)),
    groups: measured.filter((entry) => groupIds.has(entry.functionId)),
  };
}

/** The model, or null where a layout the call reaches has no measured bundle (the quick run). */
export function modelColdStarts(coldStarts: ColdStarts, invocationsPerCall: Readonly<Record<string, number>>): ColdStartModel | null {
  const initMs = Object.fromEntries([...coldStarts.functions, ...coldStarts.groups].map((entry) => [entry.functionId, coldCostMs(entry)]));
  const perRoute = perRouteLayout(FUNCTIONS.map((fn) => fn.id));
  const reached = (group: { id: string; functionIds: readonly string[] }): boolean =>
    group.functionIds.some((id) => (invocationsPerCall[id] ?? 0) > 0);
  const layouts = [perRoute, GROUPED];
  if (layouts.some((layout) => layout.groups.some((group) => reached(group) && initMs[group.id] === undefined))) return null;
  return coldStartModel({
    invocationsPerCall,
    initMs,
    layouts,
    sources: [
      "Invocations per call: the bench's per-call counts (one call, two sockets)",
      "A container's cold cost: its init plus the SDK clients its first request loads, CPU median of fresh-process loads of the deployed bundle (SDK left to the runtime); a group's bundle is its entry in lambdas/handlers/groups/, which loads every member's module",
    ],
  });
}
