/**
 * The gateway's stderr in a few words per line, for a report: its JSON log lines (handler
 * failures, warnings) as `handler_failed call_ended TimeoutError …`, anything else (an SDK's
 * warning) as written, each cut short.
 */

const MAX_LINE_CHARS = 200;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

function summarizeLine(line: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return line.slice(0, MAX_LINE_CHARS);
  }
  if (!isRecord(parsed)) return line.slice(0, MAX_LINE_CHARS);
  const words = [parsed.msg, parsed.function ?? parsed.route, parsed.error, parsed.error_message].filter(
    (word) => typeof word === 'string',
  );
  return words.join(' ').slice(0, MAX_LINE_CHARS);
}

export function summarizeStderr(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(summarizeLine);
}
