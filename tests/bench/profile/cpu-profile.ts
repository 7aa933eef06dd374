/**
 * Reads V8's `.cpuprofile` files (`node --cpu-prof`) and adds their samples up: CPU time per
 * category (`categories.ts`) and the functions with the most self time. Frames of a bundle (the
 * as-deployed containers run minified `index.js` files) are mapped back to their sources through
 * the bundle's source map, so a container's time lands in the same categories as the source mode's.
 */
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { fileURLToPath } from 'node:url';
import { categoryOfStack, type Category, type FrameSource } from './categories';

/** The parts of V8's profile format this reads. */
export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

export interface SelfTime {
  functionName: string;
  /** Source file and line, relative to the project where it is inside it. */
  location: string;
  category: Category;
  cpuMs: number;
}

/** What one or more profiles add up to. */
export interface ProfileTotals {
  /** Sampled time, idle included. */
  sampledMs: number;
  byCategory: Map<Category, number>;
  selfTimes: Map<string, SelfTime>;
}

/** A stretch of time in V8's profile clock (microseconds of the system's monotonic clock, as `process.hrtime`). */
export interface Window {
  startUs: number;
  endUs: number;
}

/** Now, on the clock the profiles' timestamps use (the same in every process of the machine). */
export const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n);

export const emptyTotals = (): ProfileTotals => ({ sampledMs: 0, byCategory: new Map(), selfTimes: new Map() });

/** The profile, or undefined when it is not whole (its process was killed while writing it). */
export function readCpuProfile(path: string): CpuProfile | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  } catch {
    return undefined;
  }
}

/** Source maps by bundle path, read once (undefined: the file has none). */
class SourceMaps {
  private readonly maps = new Map<string, SourceMap | undefined>();

  /** The frame with its original file and line (the name stays the bundle's). */
  resolve(frame: CpuProfileNode['callFrame']): FrameSource & { line: number } {
    const plain = { functionName: frame.functionName, url: frame.url, line: frame.lineNumber + 1 };
    if (!frame.url.startsWith('file://') || !frame.url.endsWith('.js')) return plain;
    const map = this.mapOf(fileURLToPath(frame.url));
    if (!map) return plain;
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber);
    if (!('originalSource' in entry) || !entry.originalSource) return plain;
    return {
      functionName: frame.functionName,
      url: entry.originalSource,
      line: entry.originalLine + 1,
    };
  }

  /** A bundle's map read while the bundle still existed (a container's task root is gone once the gateway stops). */
  register(bundlePath: string, payload: SourceMapPayload): void {
    this.maps.set(bundlePath, new SourceMap(payload));
  }

  private mapOf(path: string): SourceMap | undefined {
    if (this.maps.has(path)) return this.maps.get(path);
    let map: SourceMap | undefined;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')) as SourceMapPayload);
    } catch {
      map = undefined;
    }
    this.maps.set(path, map);
    return map;
  }
}

const sourceMaps = new SourceMaps();

/** Keeps the source map of `bundlePath` (`…/index.js`) for frames of profiles read later; false if it has none. */
export function keepSourceMap(bundlePath: string): boolean {
  try {
    sourceMaps.register(bundlePath, JSON.parse(readFileSync(`${bundlePath}.map`, 'utf8')) as SourceMapPayload);
    return true;
  } catch {
    return false;
  }
}

/** Adds `from` to `into`, every figure times `factor` (sampled time scaled to the CPU the process used). */
export function addScaled(into: ProfileTotals, from: ProfileTotals, factor: number): void {
  into.sampledMs += from.sampledMs * factor;
  for (const [category, ms] of from.byCategory) into.byCategory.set(category, (into.byCategory.get(category) ?? 0) + ms * factor);
  for (const [key, self] of from.selfTimes) {
    const known = into.selfTimes.get(key);
    if (known) known.cpuMs += self.cpuMs * factor;
    else into.selfTimes.set(key, { ...self, cpuMs: self.cpuMs * factor });
  }
}

/** The process id in a profile's file name (`CPU.20260101.120000.PID.0.001.cpuprofile`). */
export function pidOfProfile(fileName: string): number | undefined {
  const pid = Number(/^CPU\.\d+\.\d+\.(\d+)\./.exec(fileName)?.[1]);
  return Number.isInteger(pid) ? pid : undefined;
}

/** A location relative to the project (`lambdas/core/calls.ts:42`), or the package path from `node_modules/`. */
function shortLocation(url: string, line: number, projectRoot: string): string {
  let path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const inPackages = path.lastIndexOf('node_modules/');
  if (inPackages >= 0) path = path.slice(inPackages + 'node_modules/'.length);
  else if (path.startsWith(projectRoot)) path = path.slice(projectRoot.length);
  else path = path.replace(/^(\.\.\/)+/, '');
  return path === '' ? '' : `${path}:${line}`;
}

/** Adds the samples of one profile that fall inside `windows` to `totals`. */
export function addProfile(totals: ProfileTotals, profile: CpuProfile, projectRoot: string, windows: readonly Window[]): void {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const frames = new Map(profile.nodes.map((node) => [node.id, sourceMaps.resolve(node.callFrame)]));
  // Each node's category is the same for every sample that ends there: work it out once.
  const categoryOfNode = new Map<number, Category>();
  const categoryOf = (id: number): Category => {
    const known = categoryOfNode.get(id);
    if (known) return known;
    const stack: FrameSource[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const frame = frames.get(at);
      if (frame) stack.push(frame);
    }
    const category = categoryOfStack(stack);
    categoryOfNode.set(id, category);
    return category;
  };

  const inWindow = (at: number): boolean => windows.some((window) => at >= window.startUs && at <= window.endUs);
  let at = profile.startTime;
  for (const [index, id] of profile.samples.entries()) {
    // A sample's delta is the time since the one before it: charged to this sample's stack.
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    const ms = delta / 1000;
    if (!nodes.has(id) || !inWindow(at)) continue;
    const category = categoryOf(id);
    totals.sampledMs += ms;
    totals.byCategory.set(category, (totals.byCategory.get(category) ?? 0) + ms);
    const frame = frames.get(id)!;
    const location = shortLocation(frame.url, frame.line, projectRoot);
    const key = `${frame.functionName}\n${location}`;
    const self = totals.selfTimes.get(key);
    if (self) self.cpuMs += ms;
    else totals.selfTimes.set(key, { functionName: frame.functionName || '(anonymous)', location, category, cpuMs: ms });
  }
}
