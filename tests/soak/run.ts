/**
 * `npm run soak`: thousands of sockets and hundreds of simultaneous calls through one local gateway,
 * printed as tables; exits 1 when any check fails, or when the run outlives its time limit.
 *
 *   tsx tests/soak/run.ts [--sockets 2000] [--calls 500] [--call-timeout SECONDS] [--ping-interval SECONDS] [--time-limit SECONDS]
 *
 * Ctrl+C (or SIGTERM) stops the run and everything it started; a second one exits at once (the
 * gateway process also exits by itself when this one goes).
 */
import { parseArgs } from 'node:util';
import { FULL_SOAK } from './config';
import { soakReport } from './report';
import { runSoak, type SoakOptions } from './soak';

// The SDK's notice that its 2027 releases need Node 22 is noise here (the Lambda runtime is Node 22).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const DEFAULT_TIME_LIMIT_SECONDS = 5 * 60;
const USAGE = 'usage: tsx tests/soak/run.ts [--sockets N] [--calls N] [--call-timeout S] [--ping-interval S] [--time-limit S]';

function positiveNumber(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(`--${name} must be a positive number, got "${raw}"\n${USAGE}\n`);
    process.exit(2);
  }
  return value;
}

function parseFlags() {
  try {
    return parseArgs({
      options: {
        sockets: { type: 'string' },
        calls: { type: 'string' },
        'call-timeout': { type: 'string' },
        'ping-interval': { type: 'string' },
        'time-limit': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exit(2);
  }
}

const values = parseFlags();
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const secondsToMs = (value: number | undefined): number | undefined => (value === undefined ? undefined : value * 1000);
const timeLimitSeconds = positiveNumber('time-limit', values['time-limit']) ?? DEFAULT_TIME_LIMIT_SECONDS;

const stop = new AbortController();
const timeLimit = setTimeout(
  () => stop.abort(new Error(`the soak did not finish within its time limit of ${timeLimitSeconds} s (--time-limit); stopped it`)),
  timeLimitSeconds * 1000,
);
let interrupted = false;
const interrupt = (signal: NodeJS.Signals): void => {
  if (interrupted) process.exit(130);
  interrupted = true;
  process.stderr.write(`\n${signal}: stopping the soak and everything it started (again to exit at once) ...\n`);
  stop.abort(new Error(`interrupted by ${signal}`));
};
process.on('SIGINT', interrupt);
process.on('SIGTERM', interrupt);

const options: SoakOptions = {
  sockets: positiveNumber('sockets', values.sockets) ?? FULL_SOAK.sockets,
  calls: positiveNumber('calls', values.calls) ?? FULL_SOAK.calls,
  callTimeoutMs: secondsToMs(positiveNumber('call-timeout', values['call-timeout'])),
  pingIntervalMs: secondsToMs(positiveNumber('ping-interval', values['ping-interval'])),
  signal: stop.signal,
  log: (line) => process.stderr.write(`${line}\n`),
};

try {
  const result = await runSoak(options);
  process.stdout.write(soakReport(result));
  // Exit explicitly: a failed run may leave bounded waits behind that would hold the process open.
  process.exit(result.passed ? 0 : 1);
} catch (error) {
  process.stderr.write(`soak failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(interrupted ? 130 : 1);
} finally {
  clearTimeout(timeLimit);
}
