import { defineConfig } from 'vitest/config';

// Two layers: `unit` (pure, fast, anywhere) and `lab` (real sshd devices; run inside the lab-host
// namespace by scripts/in-lab.mjs). The e2e layer is Playwright (playwright.config.ts).
export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        test: {
          name: 'lab',
          include: ['test/lab/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          // As for e2e: one retry in CI, where the machine may be slower; a reboot race must not sink a run.
          retry: process.env.CI ? 1 : 0,
          hookTimeout: 120_000,
          // Two cores: one lab file at a time keeps timings honest and devices few.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        // `npm run test:faults` (and `npm test`): faults through the lab, fuzzed injection, load.
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 300_000,
          retry: process.env.CI ? 1 : 0,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        // `npm run bench`: figures, not pass/fail tests; never part of `npm test`.
        test: {
          name: 'bench',
          include: ['bench/**/*.run.ts'],
          environment: 'node',
          testTimeout: 600_000,
          hookTimeout: 300_000,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
