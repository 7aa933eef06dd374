/**
 * Two people on two networks with no route between them, and the service between both: three
 * network namespaces this test makes and removes.
 *
 *   peer a (10.13.1.2) ──veth── middle ──veth── peer b (10.13.2.2)
 *
 * The middle namespace holds the gateway (10.13.0.1), the TURN server's listening address
 * (10.13.0.2) and its relayed ports (10.13.0.3), all on its own `lo`, and forwards nothing. Each
 * peer has a route to the gateway and to the TURN server, and to nothing else: not to the other
 * peer, not to the relayed ports. So a call connects only TURN relay to TURN relay, the way two
 * people behind strict NATs do. Chromium for each peer runs inside the peer's namespace.
 *
 * Every namespace is held by a `cat` reading a pipe from this process: when the test process ends,
 * however it ends, the pipes close, the holders exit and the namespaces (with their veths) go.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { runIn } from './isolated-gateway';

export const GATEWAY_ADDRESS = '10.13.0.1';
export const TURN_ADDRESS = '10.13.0.2';
export const TURN_RELAY_ADDRESS = '10.13.0.3';

/** The veth inside a peer's namespace. */
const PEER_LINK = 'eth0';

export type PeerName = 'a' | 'b';

export interface PeerNetwork {
  name: PeerName;
  /** The peer's own address on its veth. */
  address: string;
  /** The middle's address on the other end of the peer's veth. */
  gatewayHop: string;
  /** An address on the peer's link that nothing answers for. */
  deadEnd: string;
  /** nsenter's arguments that enter this namespace. */
  enter: string;
  /** A script that runs Chromium in this namespace: pass it as playwright's executablePath. */
  chromium: string;
  /** Runs a shell script in this namespace; rejects when it fails. */
  run(script: string): Promise<string>;
}

export interface SplitNetwork {
  /** The process holding the middle namespace: start the gateway in it (`joinNamespaceOf`). */
  middlePid: number;
  peers: Record<PeerName, PeerNetwork>;
  /** Runs a shell script in the middle namespace; rejects when it fails. */
  inMiddle(script: string): Promise<string>;
  /**
   * Sends the peer's packets for the TURN server to a neighbour that never answers, or back to the
   * middle: its media path breaks (packets vanish, as when a Wi-Fi link dies, rather than failing
   * at once) or heals, while its signaling, to the gateway's address, carries on.
   */
  setTurnReachable(peer: PeerName, reachable: boolean): Promise<void>;
  close(): Promise<void>;
}

type Holder = ChildProcessByStdio<Writable, null, Readable>;

/** `ip link set lo up`, then wait on stdin: the namespace lives as long as the pipe. */
const HOLD = 'ip link set lo up && exec cat >/dev/null';

const enterArgs = (pid: number): string => `--net=/proc/${pid}/ns/net`;

/** A new network namespace (as root: moving a veth's end into another namespace needs it). */
async function hold(): Promise<Holder> {
  const child = spawn('unshare', ['-n', 'sh', '-c', HOLD], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolveSpawn, reject) => {
    child.once('spawn', () => resolveSpawn());
    child.once('error', reject);
  });
  // The namespace exists once `lo` is up in it; a holder that failed has exited by then.
  for (let attempt = 0; attempt < 50 && child.exitCode === null; attempt++) {
    const state = await runIn(enterArgs(child.pid ?? 0), ['ip', '-o', 'link', 'show', 'lo']).catch(() => undefined);
    if (state?.stdout.includes('UP')) return child;
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
  child.stdin.end();
  throw new Error(`could not make a network namespace (unshare -n): ${stderr}`);
}

async function release(holder: Holder): Promise<void> {
  if (holder.exitCode !== null || holder.signalCode !== null) return;
  const exited = new Promise<void>((resolveExit) => holder.once('exit', () => resolveExit()));
  holder.stdin.end();
  const timer = setTimeout(() => holder.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function runScript(enter: string, script: string): Promise<string> {
  const result = await runIn(enter, ['sh', '-ec', script]);
  if (result.code !== 0) throw new Error(`in namespace (${enter}) this failed (${result.code}):\n${script}\n${result.stderr}`);
  return result.stdout;
}

export async function buildSplitNetwork(options: { chromium: string }): Promise<SplitNetwork> {
  const holders: Holder[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'callsignal-split-network-'));
  const close = async (): Promise<void> => {
    for (const holder of holders.reverse()) await release(holder);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const middle = await hold();
    holders.push(middle);
    const middlePid = middle.pid ?? 0;
    const middleEnter = enterArgs(middlePid);
    const inMiddle = (script: string): Promise<string> => runScript(middleEnter, script);
    await inMiddle(
      [
        'echo 0 > /proc/sys/net/ipv4/ip_forward',
        `ip addr add ${GATEWAY_ADDRESS}/32 dev lo`,
        `ip addr add ${TURN_ADDRESS}/32 dev lo`,
        `ip addr add ${TURN_RELAY_ADDRESS}/32 dev lo`,
      ].join('\n'),
    );

    const addPeer = async (name: PeerName, index: number): Promise<PeerNetwork> => {
      const holder = await hold();
      holders.push(holder);
      const pid = holder.pid ?? 0;
      const enter = enterArgs(pid);
      const subnet = `10.13.${index + 1}`;
      const address = `${subnet}.2`;
      const gatewayHop = `${subnet}.1`;
      const deadEnd = `${subnet}.99`;
      const middleLink = `to-${name}`;
      await inMiddle(
        [
          `ip link add ${middleLink} type veth peer name ${PEER_LINK} netns ${pid}`,
          `ip addr add ${gatewayHop}/24 dev ${middleLink}`,
          `ip link set ${middleLink} up`,
        ].join('\n'),
      );
      const run = (script: string): Promise<string> => runScript(enter, script);
      await run(
        [
          `ip addr add ${address}/24 dev ${PEER_LINK}`,
          `ip link set ${PEER_LINK} up`,
          `ip route add ${GATEWAY_ADDRESS}/32 via ${gatewayHop}`,
          `ip route add ${TURN_ADDRESS}/32 via ${gatewayHop}`,
        ].join('\n'),
      );
      const chromium = join(dir, `chromium-${name}`);
      await writeFile(chromium, `#!/bin/sh\nexec nsenter ${enter} -- ${JSON.stringify(options.chromium)} "$@"\n`);
      await chmod(chromium, 0o755);
      return { name, address, gatewayHop, deadEnd, enter, chromium, run };
    };
    const peers: Record<PeerName, PeerNetwork> = { a: await addPeer('a', 0), b: await addPeer('b', 1) };

    return {
      middlePid,
      peers,
      inMiddle,
      setTurnReachable: async (name, reachable) => {
        const peer = peers[name];
        await peer.run(`ip route replace ${TURN_ADDRESS}/32 via ${reachable ? peer.gatewayHop : peer.deadEnd}`);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
