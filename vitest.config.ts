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
  },
});
