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
      // PLACEHOLDER, the floor of what `vitest run --coverage test/unit` reached (lines 70.41,
      // functions 65.41, branches 59.29, statements 67.35 %); to be set from a full run.
      thresholds: { lines: 70, functions: 65, branches: 59, statements: 67 },
    },
  },
});
