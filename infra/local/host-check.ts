/**
 * Defends a loopback-only gateway against DNS rebinding: a web page on another site whose name
 * resolves to 127.0.0.1 must not reach `/dev/token` (or anything else) as if it were same-origin.
 * So while listening on loopback, only requests addressed to a loopback name are served.
 */

const LOOPBACK_HOSTNAMES = new Set(['localhost', '::1', '[::1]']);

export function isLoopbackHostname(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return LOOPBACK_HOSTNAMES.has(name) || name.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(name);
}

/** The hostname of a Host header (`[::1]:8080` → `[::1]`, `localhost:8080` → `localhost`). */
export function hostnameOf(hostHeader: string): string {
  return hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.replace(/:\d*$/, '');
}

export function acceptsHostHeader(hostHeader: string | undefined, listeningOnLoopback: boolean): boolean {
  if (!listeningOnLoopback) return true;
  return hostHeader !== undefined && isLoopbackHostname(hostnameOf(hostHeader));
}
