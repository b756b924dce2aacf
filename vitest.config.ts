import { configDefaults, defineConfig } from 'vitest/config';

// Unit tests run in Node; GPU tests use Dawn (`webgpu` package) on SwiftShader, i.e. the "GPU" is
// the CPU (2 cores here): generous timeouts, and one test file at a time so GPU tests do not
// compete for the cores (and each file gets its own device without contention).
export default defineConfig({
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'app/**/*.test.{ts,tsx}', 'scripts/**/*.test.ts'],
    // Need Python with torch: the `python` suite of npm test runs them (vitest.agreement.config.ts).
    exclude: [...configDefaults.exclude, 'src/**/*.agreement.test.ts'],
    setupFiles: ['src/test/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
