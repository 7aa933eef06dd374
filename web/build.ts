/**
 * Builds the web client into `web/dist/`: `web/src/main.ts` and `web/src/styles.css` bundled and
 * minified by esbuild with source maps, under content-hashed names so browsers never mix an old
 * script with a new page, and `index.html` pointing at them.
 *
 *   tsx web/build.ts           build once, print sizes
 *   buildWebClient()           the same, from code
 *   ensureWebClientBuilt()     build only when dist is missing or older than its sources (npm start)
 */
import { build, type Metafile } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const WEB_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(WEB_DIR, '..');
export const WEB_DIST = join(WEB_DIR, 'dist');
/** Written last: its presence and age say whether dist is complete and current. */
const MANIFEST = 'build.json';
/** What the bundle is made of; a change to any of them makes dist stale. */
const SOURCES = [
  join(WEB_DIR, 'src'),
  join(WEB_DIR, 'index.html'),
  join(WEB_DIR, 'build.ts'),
  join(ROOT, 'shared'),
  join(ROOT, 'package-lock.json'),
];

export interface WebBuildResult {
  outDir: string;
  /** Files written, relative to `outDir`. */
  files: string[];
  script: string;
  styles: string;
  jsBytes: number;
  jsGzipBytes: number;
  cssBytes: number;
  cssGzipBytes: number;
  /**
   * The parts loaded on demand, each with the chunks it needs beyond the startup ones: those of the
   * chat page right after it starts (the call screen, the settings), the session page on its own page.
   */
  onDemand: { name: string; jsGzipBytes: number }[];
  durationMs: number;
}

export interface WebBuildOptions {
  outDir?: string;
  /** Default true; false keeps names readable for debugging. */
  minify?: boolean;
}

export async function buildWebClient({ outDir = WEB_DIST, minify = true }: WebBuildOptions = {}): Promise<WebBuildResult> {
  const started = performance.now();
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { app: join(WEB_DIR, 'src/main.ts'), styles: join(WEB_DIR, 'src/styles.css') },
    outdir: join(outDir, 'assets'),
    entryNames: '[name]-[hash]',
    // Parts only some pages need (the tutoring session's page) load on demand, in chunks of their own.
    splitting: true,
    chunkNames: 'chunk-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome111', 'edge111', 'firefox115', 'safari16.4'],
    minify,
    sourcemap: 'linked',
    sourcesContent: true,
    legalComments: 'linked',
    charset: 'utf8',
    metafile: true,
    write: false,
    logLevel: 'silent',
  });

  const script = outputNamed(result.metafile, 'app', '.js');
  const styles = outputNamed(result.metafile, 'styles', '.css');
  // What the page loads before it runs: the entry and the chunks it imports statically (fetched
  // together through modulepreload); chunks imported on demand are left out.
  const startup = [script, ...staticImports(result.metafile, script)];
  const preloads = startup
    .slice(1)
    .map((chunk) => `<link rel="modulepreload" href="assets/${basename(chunk)}" />`)
    .join('\n    ');
  const template = await readFile(join(WEB_DIR, 'index.html'), 'utf8');
  const html = template
    .replace('%SCRIPT%', `assets/${basename(script)}`)
    .replace('%STYLES%', `assets/${basename(styles)}`)
    .replace('%PRELOADS%', preloads);

  // Replace dist as a whole, so no stale hashed files pile up.
  await rm(outDir, { recursive: true, force: true });
  await mkdir(join(outDir, 'assets'), { recursive: true });
  const files: string[] = [];
  for (const file of result.outputFiles) {
    await writeFile(file.path, file.contents);
    files.push(relative(outDir, file.path));
  }
  await writeFile(join(outDir, 'index.html'), html);
  files.push('index.html');

  const contentsOf = (path: string) => result.outputFiles.find((file) => file.path.endsWith(`/${basename(path)}`))?.contents;
  const gzipBytes = (contents: Uint8Array) => gzipSync(contents, { level: 9 }).byteLength;
  const js = startup.map(contentsOf);
  const css = contentsOf(styles);
  if (js.some((contents) => contents === undefined) || !css) throw new Error('esbuild produced no script or stylesheet');
  const jsContents = js.flatMap((contents) => (contents ? [contents] : []));
  const onDemand = dynamicImports(result.metafile, script).map((chunk) => ({
    name: basename(result.metafile.outputs[chunk]?.entryPoint ?? chunk).replace(/\.[jt]s$/, ''),
    jsGzipBytes: [chunk, ...staticImports(result.metafile, chunk)]
      .filter((path) => !startup.includes(path))
      .reduce((sum, path) => sum + gzipBytes(contentsOf(path) ?? new Uint8Array()), 0),
  }));
  const summary: WebBuildResult = {
    outDir,
    files: files.sort(),
    script: `assets/${basename(script)}`,
    styles: `assets/${basename(styles)}`,
    jsBytes: jsContents.reduce((sum, contents) => sum + contents.byteLength, 0),
    jsGzipBytes: jsContents.reduce((sum, contents) => sum + gzipBytes(contents), 0),
    cssBytes: css.byteLength,
    cssGzipBytes: gzipBytes(css),
    onDemand,
    durationMs: Math.round(performance.now() - started),
  };
  await writeFile(
    join(outDir, MANIFEST),
    `${JSON.stringify({ builtAt: new Date().toISOString(), ...summary, outDir: undefined }, null, 2)}\n`,
  );
  return summary;
}

/** The chunks `entry` imports statically, directly or through each other. */
function staticImports(metafile: Metafile, entry: string): string[] {
  const found = new Set<string>();
  const visit = (path: string) => {
    for (const imported of metafile.outputs[path]?.imports ?? []) {
      if (imported.kind !== 'import-statement' || found.has(imported.path)) continue;
      found.add(imported.path);
      visit(imported.path);
    }
  };
  visit(entry);
  return [...found];
}

/** The chunks `entry` (or a chunk it imports statically) imports on demand. */
function dynamicImports(metafile: Metafile, entry: string): string[] {
  return [entry, ...staticImports(metafile, entry)].flatMap(
    (path) =>
      metafile.outputs[path]?.imports.filter((imported) => imported.kind === 'dynamic-import').map((imported) => imported.path) ?? [],
  );
}

function outputNamed(metafile: Metafile, name: string, extension: string): string {
  const path = Object.keys(metafile.outputs).find((output) => basename(output).startsWith(`${name}-`) && output.endsWith(extension));
  if (!path) throw new Error(`esbuild produced no ${name}${extension}`);
  return path;
}

/** The newest modification time among `paths` (directories are walked). */
async function newestChange(paths: string[]): Promise<number> {
  let newest = 0;
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) continue;
    if (info.isDirectory()) {
      const entries = await readdir(path, { recursive: true, withFileTypes: true });
      for (const entry of entries) {
        if (!entry.isFile()) continue;
        const file = await stat(join(entry.parentPath, entry.name)).catch(() => undefined);
        if (file) newest = Math.max(newest, file.mtimeMs);
      }
    } else {
      newest = Math.max(newest, info.mtimeMs);
    }
  }
  return newest;
}

/** True when dist is missing, incomplete, or older than any source. */
export async function isWebClientStale(outDir = WEB_DIST): Promise<boolean> {
  const manifest = await stat(join(outDir, MANIFEST)).catch(() => undefined);
  if (!manifest) return true;
  return (await newestChange(SOURCES)) > manifest.mtimeMs;
}

/**
 * Builds when needed; resolves with the build's summary, or undefined when dist was current.
 * Safe to call from several processes at once (parallel test files, `npm start` beside a test run):
 * one builds, the others wait for it and find dist current.
 */
export async function ensureWebClientBuilt(options: WebBuildOptions = {}): Promise<WebBuildResult | undefined> {
  if (!(await isWebClientStale(options.outDir))) return undefined;
  return withBuildLock(async () => ((await isWebClientStale(options.outDir)) ? buildWebClient(options) : undefined));
}

/** One build at a time per checkout, through an exclusive lock file outside the repository. */
async function withBuildLock<T>(run: () => Promise<T>): Promise<T> {
  const lock = join(tmpdir(), `callsignal-web-build-${createHash('sha256').update(WEB_DIR).digest('hex').slice(0, 12)}.lock`);
  const giveUpAt = Date.now() + 60_000;
  for (;;) {
    try {
      await (await open(lock, 'wx')).close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = await stat(lock).catch(() => undefined);
      // A build takes well under a second; a lock this old was left by a process that died.
      if (held && Date.now() - held.mtimeMs > 30_000) await rm(lock, { force: true });
      else if (Date.now() > giveUpAt) throw new Error(`Timed out waiting for another web client build (lock ${lock})`);
      else await new Promise((resolveWait) => setTimeout(resolveWait, 50));
    }
  }
  try {
    return await run();
  } finally {
    await rm(lock, { force: true });
  }
}

export function describeBuild(result: WebBuildResult): string {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  return (
    `Built the web client in ${result.durationMs} ms: ${relative(process.cwd(), result.outDir) || '.'}/\n` +
    `  ${result.script}  ${kb(result.jsBytes)} (${kb(result.jsGzipBytes)} gzipped, with the chunks it imports)\n` +
    `  loaded on demand: ${result.onDemand.map((part) => `${part.name} ${kb(part.jsGzipBytes)}`).join(', ')} gzipped\n` +
    `  ${result.styles}  ${kb(result.cssBytes)} (${kb(result.cssGzipBytes)} gzipped)\n`
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  withBuildLock(() => buildWebClient()).then(
    (result) => process.stdout.write(describeBuild(result)),
    (error: unknown) => {
      process.stderr.write(`Web client build failed:\n${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
