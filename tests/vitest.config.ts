import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['tests/**/*.test.ts'],
    // Each file starts its own gateway (handlers read their environment once per process).
    pool: 'forks',
    isolate: true,
    testTimeout: 15_000,
    hookTimeout: 30_000,
  },
});
