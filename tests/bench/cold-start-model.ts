/**
 * How many cold starts a call meets at low traffic, for one function per route (as deployed)
 * versus fewer, larger functions: calls arrive as a Poisson process, a function's container
 * outlives its last invocation by an idle lifetime, and a call's invocations of one function come
 * close together (a five-minute call is shorter than the lifetime), so only its first can be cold.
 * A function is then cold for a call when no earlier call reached it within the idle lifetime:
 * P = exp(-λ · p · T), with λ calls per hour, p the share of calls that reach it, T the lifetime.
 * Concurrency is left out: at low traffic two calls rarely need one function at the same instant.
 */
import { deployedFunctionSpecs, type FunctionDefinition } from '../../shared/routes';

/** AWS documents no idle lifetime; this is the published measurement the model uses. */
export const IDLE_LIFETIME = {
  minutes: 10,
  source:
    'not documented by AWS; measured: idle instances recycled about 10 min after the last request (M. Shilkov, "AWS Lambda Cold Starts After 10 Minutes", mikhail.io, Aug 2019); 45-60 min was measured in 2017 (Y. Cui, theburningmonk.com), so 10 min is the cautious value',
} as const;

export const DEFAULT_CALLS_PER_HOUR: readonly number[] = [1, 3, 10, 30, 100, 300, 1000];

/** Which functions are deployed together: each group is one Lambda function serving its members' routes. */
export interface FunctionLayout {
  name: string;
  groups: readonly { id: string; functionIds: readonly string[] }[];
}

export interface ColdStartModelInput {
  /** Invocations of each function per call (the bench's per-call measurement); absent functions are not invoked by a call. */
  invocationsPerCall: Readonly<Record<string, number>>;
  /** Measured init (module load) of each group: a function id for one-function groups, the group id otherwise. */
  initMs: Readonly<Record<string, number>>;
  layouts: readonly FunctionLayout[];
  callsPerHour?: readonly number[];
  idleLifetime?: { minutes: number; source: string };
  /** Where `initMs` and `invocationsPerCall` come from, printed under the table. */
  sources?: readonly string[];
}

export interface ColdStartModelRow {
  layout: string;
  callsPerHour: number;
  /** Expected cold starts one call meets. */
  coldStartsPerCall: number;
  /** Expected init time one call waits for, summed over its cold starts. */
  initMsPerCall: number;
}

export interface ColdStartModel {
  idleLifetime: { minutes: number; source: string };
  callsPerHour: readonly number[];
  layouts: readonly string[];
  rows: ColdStartModelRow[];
  sources: readonly string[];
}

/** One per-route function per function id: the layout deployed today. */
export const perRouteLayout = (functionIds: readonly string[]): FunctionLayout => ({
  name: 'one function per route',
  groups: functionIds.map((id) => ({ id, functionIds: [id] })),
});

/** The share of calls that invoke a group at least once: a function invoked k < 1 times per call reaches a share k of calls. */
export function shareOfCallsReaching(memberInvocations: readonly number[]): number {
  const missed = memberInvocations.reduce((product, invocations) => product * (1 - Math.min(1, Math.max(0, invocations))), 1);
  return 1 - missed;
}

/** The chance that a call meets a cold container of a group reaching `share` of calls, at `callsPerHour`. */
export function coldChance(share: number, callsPerHour: number, idleMinutes: number): number {
  return share * Math.exp(-callsPerHour * share * (idleMinutes / 60));
}

export function coldStartModel(input: ColdStartModelInput): ColdStartModel {
  const idleLifetime = input.idleLifetime ?? IDLE_LIFETIME;
  const callsPerHour = input.callsPerHour ?? DEFAULT_CALLS_PER_HOUR;
  const rows: ColdStartModelRow[] = [];
  for (const layout of input.layouts) {
    for (const rate of callsPerHour) {
      let coldStartsPerCall = 0;
      let initMsPerCall = 0;
      for (const group of layout.groups) {
        const share = shareOfCallsReaching(group.functionIds.map((id) => input.invocationsPerCall[id] ?? 0));
        if (share === 0) continue;
        const init = input.initMs[group.id];
        if (init === undefined) throw new Error(`No measured init for ${group.id} (layout "${layout.name}")`);
        const cold = coldChance(share, rate, idleLifetime.minutes);
        coldStartsPerCall += cold;
        initMsPerCall += cold * init;
      }
      rows.push({ layout: layout.name, callsPerHour: rate, coldStartsPerCall, initMsPerCall });
    }
  }
  return { idleLifetime, callsPerHour, layouts: input.layouts.map((layout) => layout.name), rows, sources: input.sources ?? [] };
}

const figure = (value: number): string => (value >= 10 ? value.toFixed(0) : value >= 0.01 ? value.toFixed(2) : value.toExponential(1));

/** The model as a Markdown table (calls per hour down, each layout's cold starts and init per call across), its sources under it. */
export function renderColdStartModel(model: ColdStartModel): string {
  const header = ['calls/hour', ...model.layouts.flatMap((name) => [`${name}: cold starts/call`, `${name}: init ms/call`])];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const rate of model.callsPerHour) {
    const cells = model.layouts.flatMap((name) => {
      const row = model.rows.find((candidate) => candidate.layout === name && candidate.callsPerHour === rate);
      return row ? [figure(row.coldStartsPerCall), figure(row.initMsPerCall)] : ['', ''];
    });
    lines.push(`| ${rate} | ${cells.join(' | ')} |`);
  }
  lines.push('', `Idle lifetime ${model.idleLifetime.minutes} min: ${model.idleLifetime.source}.`);
  lines.push("Poisson arrivals; only a call's first invocation of a function can be cold; concurrency left out (low traffic).");
  for (const source of model.sources) lines.push(`${source}.`);
  return lines.join('\n');
}

/**
 * Fewer, larger functions, as `-c functionLayout=grouped` deploys them (`deployedFunctionSpecs`):
 * one for every chat WebSocket route, one for every whiteboard route, one for the platform API;
 * the authorizer and the schedules keep their own.
 */
export function groupedLayout(functions: readonly FunctionDefinition[]): FunctionLayout {
  return {
    name: 'one function per API',
    groups: deployedFunctionSpecs('grouped', functions).map((spec) => ({
      id: spec.id,
      functionIds: spec.members.map((member) => member.id),
    })),
  };
}
