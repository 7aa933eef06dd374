/**
 * The call core is passed its adapters and its settings; it never reaches for the runtime that wires
 * it (the container, the environment, the log) or for the AWS adapters. Checked on the import
 * specifiers of every file under `lambdas/core/`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CORE = join(ROOT, 'lambdas/core');
const FORBIDDEN = ['lambdas/runtime', 'lambdas/adapters'];

/** `import … from 'x'`, `export … from 'x'`, `import 'x'` and `import('x')`, across line breaks. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(path);
      return Promise.resolve(entry.name.endsWith('.ts') ? [path] : []);
    }),
  );
  return nested.flat();
}

function importsOf(source: string): string[] {
  return [...source.matchAll(SPECIFIER)].map((match) => match[1]!);
}

describe('the call core', () => {
  it('imports nothing from lambdas/runtime or lambdas/adapters', async () => {
    const files = await sourceFiles(CORE);
    expect(files.length).toBeGreaterThan(5);
    const offending: string[] = [];
    for (const file of files) {
      for (const specifier of importsOf(await readFile(file, 'utf8'))) {
        const target = specifier.startsWith('.') ? relative(ROOT, resolve(dirname(file), specifier)) : specifier;
        if (FORBIDDEN.some((dir) => target === dir || target.startsWith(`${dir}/`))) {
          offending.push(`${relative(ROOT, file)} imports ${specifier}`);
        }
      }
    }
    expect(offending).toEqual([]);
  });

  it('is checked on every form an import takes', () => {
    const source = [
      "import type { A } from '../runtime/log';",
      "import {\n  B,\n} from '../adapters/dynamo-store';",
      "export { C } from './c';",
      "import './side-effect';",
      "const d = await import('../runtime/config');",
    ].join('\n');
    expect(importsOf(source)).toEqual(['../runtime/log', '../adapters/dynamo-store', './c', './side-effect', '../runtime/config']);
  });
});
