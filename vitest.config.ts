import { defineConfig } from 'vitest/config';

// Two projects, as in node-pg-migrate: `unit` is pure and fast; `integration` talks to a real
// PostgreSQL (started by the global setup when DATABASE_URL is unset) and to the emulator over HTTP.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/helpers/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
    ],
  },
});
