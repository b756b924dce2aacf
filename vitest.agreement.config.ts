import { defineConfig } from 'vitest/config';

// The agreement tests of the PyTorch export (src/**/*.agreement.test.ts): they need Python with torch,
// so they run in the `python` suite of `npm test` (scripts/test-all.mjs), not with the unit tests.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['src/**/*.agreement.test.ts'],
    setupFiles: ['src/test/setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
