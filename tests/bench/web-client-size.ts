/**
 * The web client's JavaScript as a browser downloads it: minified, then gzipped (level 9). Built
 * afresh with the web build (`web/build.ts`, `buildWebClient`) into a scratch directory, so the
 * served `web/dist` is left alone; where that build cannot run, the scripts already in `web/dist`
 * are measured instead, and the result says which.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface WebClientSize {
  /** What the page loads before it runs (every script, where only web/dist could be measured). */
  jsBytes: number;
  jsGzipBytes: number;
  /** The parts loaded on demand, gzipped, as the build reports them (empty where it did not run). */
  onDemand: { name: string; jsGzipBytes: number }[];
  source: 'built' | 'web/dist' | 'missing';
  note: string | null;
}

type BuildWebClient = (options: { outDir?: string }) => Promise<Pick<WebClientSize, 'jsBytes' | 'jsGzipBytes' | 'onDemand'>>;

const isBuild = (value: unknown): value is BuildWebClient => typeof value === 'function';

async function loadBuild(projectRoot: string): Promise<BuildWebClient | undefined> {
  try {
    // Loaded by path: the web build belongs to web/ and is typed by its own configuration.
    const module: unknown = await import(pathToFileURL(join(projectRoot, 'web/build.ts')).href);
    const build = typeof module === 'object' && module !== null ? (module as Record<string, unknown>).buildWebClient : undefined;
    return isBuild(build) ? build : undefined;
  } catch {
    return undefined;
  }
}

async function measureDist(projectRoot: string, note: string): Promise<WebClientSize> {
  const assets = join(projectRoot, 'web/dist/assets');
  const names = (await readdir(assets).catch(() => [] as string[])).filter((name) => name.endsWith('.js'));
  if (names.length === 0)
    return { jsBytes: 0, jsGzipBytes: 0, onDemand: [], source: 'missing', note: `${note}; and web/dist has no scripts` };
  let jsBytes = 0;
  let jsGzipBytes = 0;
  for (const name of names) {
    const code = await readFile(join(assets, name));
    jsBytes += code.length;
    jsGzipBytes += gzipSync(code, { level: 9 }).length;
  }
  return { jsBytes, jsGzipBytes, onDemand: [], source: 'web/dist', note: `${note}; every script in web/dist, on-demand ones included` };
}

export async function measureWebClient(projectRoot: string, scratchDir: string): Promise<WebClientSize> {
  const build = await loadBuild(projectRoot);
  if (!build) return measureDist(projectRoot, 'web/build.ts has no buildWebClient');
  try {
    const result = await build({ outDir: scratchDir });
    return { jsBytes: result.jsBytes, jsGzipBytes: result.jsGzipBytes, onDemand: result.onDemand ?? [], source: 'built', note: null };
  } catch (error) {
    return measureDist(projectRoot, `the web build failed (${error instanceof Error ? error.message : String(error)})`);
  }
}
