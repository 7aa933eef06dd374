/**
 * The log lines that say something went wrong which no test may pass over: an invocation that
 * failed (`handler_failed`, from the gateway's invoker or from a handler itself) and an AWS call
 * refused by IAM (`iam_denied`). The gateway keeps every such line it logged or relayed.
 */
import type { GatewayLog } from './log';

export const PROBLEM_MESSAGES = ['iam_denied', 'handler_failed'] as const;
export type ProblemMessage = (typeof PROBLEM_MESSAGES)[number];

export interface ProblemLine {
  msg: ProblemMessage;
  /** The function it concerns, when known. */
  function: string | null;
  /** The whole line, as logged. */
  fields: Readonly<Record<string, unknown>>;
}

const isProblemMessage = (value: unknown): value is ProblemMessage => PROBLEM_MESSAGES.some((msg) => msg === value);
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function problemOf(fields: Record<string, unknown>, functionId?: string): ProblemLine | undefined {
  if (!isProblemMessage(fields.msg)) return undefined;
  const named = typeof fields.function === 'string' ? fields.function : undefined;
  return { msg: fields.msg, function: named ?? functionId ?? null, fields };
}

/** The problem a JSON log line reports, if it reports one. */
export function problemInLine(line: string, functionId?: string): ProblemLine | undefined {
  if (!line.startsWith('{') || !PROBLEM_MESSAGES.some((msg) => line.includes(msg))) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  return isRecord(parsed) ? problemOf(parsed, functionId) : undefined;
}

/** One line per problem: what, which function, and the error or refused action. */
export function describeProblems(problems: readonly ProblemLine[]): string {
  return problems
    .map(({ msg, function: fn, fields }) => {
      const detail = [fields.route, fields.error, fields.error_message, fields.action, fields.resource].filter(
        (value) => typeof value === 'string',
      );
      return `  ${msg} ${fn ?? '?'}: ${detail.join(' ')}`;
    })
    .join('\n');
}

/** The gateway's log, also keeping its problem lines (whatever the level printed). */
export function keepingProblems(log: GatewayLog, keep: (problem: ProblemLine) => void): GatewayLog {
  return {
    ...log,
    error: (msg, fields = {}) => {
      const problem = problemOf({ msg, ...fields });
      if (problem) keep(problem);
      log.error(msg, fields);
    },
  };
}
