/**
 * axe-core, run inside a page as it is: its source is evaluated in the page (no script tag, so a
 * Content-Security-Policy cannot stop it), then `axe.run` checks the whole document.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AxeResults, ImpactValue, Result } from 'axe-core';
import type { Page } from 'playwright-core';

declare global {
  interface Window {
    axe?: { run: (context: Document, options: { resultTypes: string[] }) => Promise<AxeResults> };
  }
}

/** The impacts the bar is set on: anything at these levels fails. */
const BLOCKING: ReadonlySet<ImpactValue> = new Set(['serious', 'critical']);

let axeSource: Promise<string> | undefined;
function loadAxeSource(): Promise<string> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

/** One rule broken somewhere on the page: where (CSS selectors) and, for each place, axe's own words. */
export interface Violation {
  rule: string;
  impact: ImpactValue | null | undefined;
  help: string;
  nodes: { target: string; summary: string }[];
}

/** Every violation axe finds on the page as it is now. */
export async function axeViolations(page: Page): Promise<Violation[]> {
  const source = await loadAxeSource();
  // A string is run as a script in the page's own realm: `axe` becomes a global, as from a script tag.
  if (!(await page.evaluate(() => window.axe !== undefined))) await page.evaluate(source);
  const results = await page.evaluate(async () => {
    if (!window.axe) throw new Error('axe-core did not load into the page');
    const { violations } = await window.axe.run(document, { resultTypes: ['violations'] });
    return violations;
  });
  return results.map(describe);
}

/** Whether a violation fails the bar: serious or critical. */
export function isBlocking(violation: Violation): boolean {
  return violation.impact != null && BLOCKING.has(violation.impact);
}

function describe(result: Result): Violation {
  const nodes = result.nodes.map((node) => ({
    target: node.target.map(String).join(' >> '),
    summary: node.failureSummary?.replace(/\s+/g, ' ').trim() ?? '',
  }));
  return { rule: result.id, impact: result.impact, help: result.help, nodes };
}

/** How many places to list per rule: enough to see the pattern. */
const NODES_SHOWN = 5;

/** A failure message a person can act on: screen, rule, impact, where, and axe's first explanation. */
export function formatViolations(byScreen: ReadonlyMap<string, readonly Violation[]>): string {
  const lines: string[] = [];
  for (const [screen, violations] of byScreen) {
    for (const violation of violations) {
      lines.push(`${screen}: ${violation.rule} (${String(violation.impact)}): ${violation.help}`);
      for (const node of violation.nodes.slice(0, NODES_SHOWN)) lines.push(`    at ${node.target}: ${node.summary}`);
      if (violation.nodes.length > NODES_SHOWN) lines.push(`    … and ${violation.nodes.length - NODES_SHOWN} more`);
    }
  }
  return lines.join('\n');
}
