import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
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
