/**
 * Defends the gateway against DNS rebinding: a web page on another site whose name is made to
 * resolve to this machine must not reach `/dev/token` (or anything else) as if it were same-origin.
 * So only requests addressed to a name or address the server is really reachable by are served:
 * loopback names, the address it is bound to (every address of this machine's interfaces for a
 * wildcard bind), and the names the operator lists (`--allowed-host`). This holds whatever the bind:
 * an attacker's name is never one of them.
 */
import { networkInterfaces } from 'node:os';

const LOOPBACK_HOSTNAMES = new Set(['localhost', '::1', '[::1]']);

const normalized = (hostname: string): string => hostname.toLowerCase().replace(/\.$/, '');

export function isLoopbackHostname(hostname: string): boolean {
  const name = normalized(hostname);
  return LOOPBACK_HOSTNAMES.has(name) || name.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(name);
}

/** The unspecified address (all zeros, IPv4 or IPv6): every interface. */
export const isWildcardAddress = (address: string): boolean => /^[0.:]+$/.test(address);

/** The hostname of a Host header (`[::1]:8080` → `[::1]`, `localhost:8080` → `localhost`). */
export function hostnameOf(hostHeader: string): string {
  return hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.replace(/:\d*$/, '');
}

/** An address as it appears in a Host header: IPv6 in brackets. */
const asHostname = (address: string): string => normalized(address.includes(':') && !address.startsWith('[') ? `[${address}]` : address);

/** This machine's interface addresses, without IPv6 zone ids (a Host header never carries one). */
export function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((entries) => (entries ?? []).map((entry) => entry.address.replace(/%.*$/, '')));
}

export interface HostPolicy {
  /** Whether a request with this Host header is served. */
  accepts(hostHeader: string | undefined): boolean;
}

export interface HostPolicyInput {
  /** The address the server is bound to (`127.0.0.1`, `0.0.0.0`, `192.168.1.5`, `::`). */
  bindAddress: string;
  /** Extra names the server is reached by (`--allowed-host`), e.g. a LAN name. */
  allowedHosts?: readonly string[];
  /** For a wildcard bind; default: this machine's interfaces when the server starts. */
  machineAddresses?: readonly string[];
}

export function hostPolicy(input: HostPolicyInput): HostPolicy {
  const addresses = isWildcardAddress(input.bindAddress) ? (input.machineAddresses ?? interfaceAddresses()) : [input.bindAddress];
  const accepted = new Set([...addresses, ...(input.allowedHosts ?? [])].map(asHostname));
  return {
    accepts: (hostHeader) => {
      if (hostHeader === undefined) return false;
      const hostname = hostnameOf(hostHeader);
      return isLoopbackHostname(hostname) || accepted.has(normalized(hostname));
    },
  };
}
