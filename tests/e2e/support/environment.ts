/**
 * Whether real-browser tests can run here: a Chromium binary, and a way to make a loopback-only
 * network namespace (`unshare -n` as root, `unshare -rn` otherwise). When either is missing the
 * tests are skipped with a loud message, except under `CI=true`, where that is a failure.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export type NamespaceMode = 'root' | 'user';

export interface E2eEnvironment {
  chromium: string | undefined;
  namespace: NamespaceMode | undefined;
  /** Why the tests cannot run; undefined when they can. */
  missing: string | undefined;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return executable(fromEnv) ? fromEnv : undefined;
  return CHROMIUM_CANDIDATES.find(executable);
}

function canUnshare(args: string[]): boolean {
  const result = spawnSync('unshare', [...args, 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore', timeout: 5_000 });
  return result.status === 0;
}

let cached: E2eEnvironment | undefined;

export function e2eEnvironment(): E2eEnvironment {
  if (cached) return cached;
  const chromium = findChromium();
  const namespace: NamespaceMode | undefined = canUnshare(['-n']) ? 'root' : canUnshare(['-r', '-n']) ? 'user' : undefined;
  const missing = !chromium
    ? "no Chromium found (install Debian's `chromium` package, or set CHROMIUM_PATH)"
    : !namespace
      ? 'cannot create a loopback-only network namespace (`unshare -n` needs root or unprivileged user namespaces, and `ip` from iproute2)'
      : undefined;
  cached = { chromium, namespace, missing };
  return cached;
}

/**
 * Call at the top of an e2e test file. Returns true when the tests should run; otherwise prints
 * a banner (and throws under CI, so a CI run without a browser cannot pass by skipping).
 */
export function requireE2eEnvironment(suite: string): boolean {
  const { missing } = e2eEnvironment();
  if (!missing) return true;
  if (process.env.CI === 'true') {
    throw new Error(`End-to-end tests (${suite}) cannot run under CI=true: ${missing}`);
  }
  const line = '!'.repeat(100);
  process.stderr.write(`\n${line}\n!! SKIPPING the end-to-end browser tests (${suite}): ${missing}\n${line}\n\n`);
  return false;
}
