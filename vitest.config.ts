import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Handlers log through Powertools; tests assert answers and stored state instead.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/policy/**/*.test.ts', 'test/infra/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          // After each test: the domain events of every table it used match the table's facts.
          setupFiles: ['test/integration/events-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
    coverage: {
      provider: 'v8',
      include: ['shared/**/*.ts', 'functions/**/*.ts'],
      exclude: ['shared/policy/cli.ts'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: {
        lines: 80,
        branches: 75,
        'shared/policy/**/*.ts': { lines: 95, branches: 90, functions: 95, statements: 95 },
      },
    },
  },
});
