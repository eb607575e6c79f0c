import { defineConfig } from 'vitest/config';

/** `npm run test:load`: the full-size load test only (its small size runs in `npm test`). */
export default defineConfig({
  test: {
    include: ['test/load/**/*.test.ts'],
    testTimeout: 30 * 60_000,
    hookTimeout: 600_000,
    reporters: ['default'],
    restoreMocks: true,
  },
});
