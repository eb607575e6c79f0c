import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The full load test runs with `npm run test:load` (vitest.load.config.ts); its small size is in test/e2e.
    exclude: [...configDefaults.exclude, 'test/load/**'],
    // Integration and e2e tests talk to a real emulator and terraform; give them room.
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Two cores: run files in parallel, but not more than the machine has.
    maxWorkers: 2,
    minWorkers: 1,
    reporters: ['default'],
    restoreMocks: true,
  },
});
