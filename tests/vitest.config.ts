import { configDefaults, defineConfig } from 'vitest/config';
import { GATEWAY_MODE_ENV, MAX_CONTAINERS_ENV } from './support/gateway-mode.js';

/** Tests of the mode itself, wherever they sit: they run only as deployed. */
const AS_DEPLOYED_TESTS = 'tests/**/as-deployed*.test.ts';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    // Each file starts its own gateway (handlers read their environment once per process).
    pool: 'forks',
    isolate: true,
    // Limits against hangs, not speed goals: a 2-core machine under load may take minutes to synth or boot.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'source',
          include: ['tests/**/*.test.ts'],
          exclude: [...configDefaults.exclude, AS_DEPLOYED_TESTS],
        },
      },
      {
        // The suites whose rules must hold on AWS, again against the synthesized bundles in
        // Lambda-like containers with the template's IAM (see infra/local/as-deployed/).
        extends: true,
        test: {
          name: 'as-deployed',
          include: ['tests/protocol/**/*.test.ts', 'tests/hardening/**/*.test.ts', 'tests/soak/**/*.test.ts', AS_DEPLOYED_TESTS],
          // Three containers per function still run side by side, without dozens of processes
          // booting on a 2-core machine (the reduced soak: 25 containers, 1.6 GB, instead of 80 and 4.9 GB at 10).
          env: { [GATEWAY_MODE_ENV]: 'as-deployed', [MAX_CONTAINERS_ENV]: '3' },
          globalSetup: ['tests/support/synth-once.ts'],
        },
      },
    ],
  },
});
