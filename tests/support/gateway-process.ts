/**
 * The local gateway as `npm start` runs it: a child process that can be killed and restarted, in
 * this run's mode (`gateway-mode.ts`). Its `handler_failed` and `iam_denied` lines fail `stop()` and
 * `kill()`; `kill()` counts only the lines written before the kill, since a process killed on
 * purpose may report the invocations it was running as they die with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PROJECT_ROOT } from '../../infra/local/paths';
import { describeProblems, problemInLine, type ProblemLine } from '../../infra/local/problems';
import { ENV } from '../../shared/env';
import { asDeployedArgs } from './gateway-mode';

const TSX = join(PROJECT_ROOT, 'node_modules/.bin/tsx');
const START_TIMEOUT_MS = 30_000;

export interface GatewayProcess {
  child: ChildProcess;
  /** The page (`/config.json`, `/dev/token`, `/dev/call-grant`). */
  httpUrl: string;
  websocketUrl: string;
  dynamodbEndpoint: string;
  /** Ends the process group at once, as a crash would: no `$disconnect`, no clean shutdown. */
  kill(): Promise<void>;
  /** SIGTERM, and waits for the exit. */
  stop(): Promise<void>;
  /** The `handler_failed` and `iam_denied` lines so far. */
  problems(): readonly ProblemLine[];
}

/** A port that was free a moment ago (the gateway must come back on the same one after a crash). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function groupAlive(groupId: number): boolean {
  try {
    process.kill(-groupId, 0);
    return true;
  } catch {
    return false;
  }
}

export async function signingSecretOf(dataDir: string): Promise<string> {
  return (await readFile(join(dataDir, 'jwt-secret'), 'utf8')).trim();
}

export async function startGatewayProcess(args: string[], extraEnv: Record<string, string> = {}): Promise<GatewayProcess> {
  const env = { ...process.env, ...extraEnv };
  // The child reads its own secret from its data dir, and writes its start line at info level.
  delete env[ENV.jwtSecret];
  delete env[ENV.logLevel];
  const child = spawn(TSX, ['infra/local/main.ts', ...asDeployedArgs(), ...args], {
    cwd: PROJECT_ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const problems: ProblemLine[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (stream)
      createInterface({ input: stream }).on('line', (line) => {
        const problem = problemInLine(line);
        if (problem) problems.push(problem);
      });
  }
  const failOnProblems = (seen: readonly ProblemLine[]): void => {
    if (seen.length > 0) throw new Error(`The gateway process logged ${seen.length} problem line(s):\n${describeProblems(seen)}`);
  };

  const started = await new Promise<{ http_url: string; websocket_url: string; dynamodb_endpoint: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${stderr}`)), START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.includes('"gateway_started"')) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as { http_url: string; websocket_url: string; dynamodb_endpoint: string });
    });
  }).catch((error: unknown) => {
    // A gateway that never said it started must not outlive the test that started it.
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    throw error;
  });

  const signal = async (name: NodeJS.Signals) => {
    // SIGTERM to the launcher alone, which passes it on to the gateway: sent to the whole group it
    // could also catch a container being forked at that instant, before it is in a group of its own.
    if (child.exitCode === null && child.signalCode === null) process.kill(name === 'SIGKILL' ? -child.pid! : child.pid!, name);
    await exited;
    // The group's other processes (the runtime under the tsx launcher) end a moment later.
    for (let waited = 0; waited < 5_000 && groupAlive(child.pid!); waited += 50) await sleep(50);
  };
  return {
    child,
    httpUrl: started.http_url,
    websocketUrl: started.websocket_url,
    dynamodbEndpoint: started.dynamodb_endpoint,
    async kill() {
      const beforeTheKill = [...problems];
      await signal('SIGKILL');
      failOnProblems(beforeTheKill);
    },
    async stop() {
      await signal('SIGTERM');
      failOnProblems(problems);
    },
    problems: () => [...problems],
  };
}
