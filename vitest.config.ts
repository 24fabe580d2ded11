import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Every unit and property test runs twice, once per tfjs backend this
// machine has: `cpu` (plain JS, float64 accumulation in sums) and `wasm`
// (float32 accumulation). test/support/backend.ts selects the backend.
const backendProject = (backend: 'cpu' | 'wasm') => ({
  extends: true as const,
  test: {
    name: backend,
    include: ['test/**/*.test.ts'],
    exclude: ['test/package/**', 'test/browser/**'],
    env: { TFJS_BACKEND: backend },
    setupFiles: ['test/support/backend.ts', 'test/support/fast-check.ts'],
  },
});

export default defineConfig({
  resolve: {
    // The README's snippets import the package by name (test/readme.test.ts runs them).
    alias: [{ find: /^tfjs-entropy$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) }],
  },
  test: {
    // The JSON report is what .ci/run counts; the default reporter is for people.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    testTimeout: 30_000,
    projects: [
      backendProject('cpu'),
      backendProject('wasm'),
      {
        // Headless Chromium (test/browser/support/page.ts): the pages run tfjs; Node drives them.
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // One Chromium at a time: each runs its own WebGL on the CPU.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'package',
          include: ['test/package/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
