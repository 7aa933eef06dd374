/**
 * The routing lines the gateway writes to this process's stdout (its handlers' own, in process, or
 * relayed from the containers as deployed), kept from the moment `captureRoutingLines` is called;
 * stdout prints nothing meanwhile.
 */
import { vi } from 'vitest';
import type { RoutingLine } from '../../shared/routing-line';

export type LoggedRoutingLine = RoutingLine & { msg: 'routing' };

export interface RoutingLog {
  /** Every routing line written so far, in order. */
  lines(): LoggedRoutingLine[];
  /** Stdout prints again. */
  restore(): void;
}

const isRoutingLine = (entry: { msg?: unknown }): entry is LoggedRoutingLine => entry.msg === 'routing';

export function captureRoutingLines(): RoutingLog {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(...(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')).split('\n'));
    return true;
  });
  return {
    lines: () =>
      written
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { msg?: unknown })
        .filter(isRoutingLine),
    restore: () => spy.mockRestore(),
  };
}
