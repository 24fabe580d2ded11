import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Every unit and property test runs twice, once per tfjs backend this
// machine has: `cpu` (plain JS, float64 accumulation in sums) and `wasm`
// (float32 accumulation). test/support/backend.ts selects the backend.
// The files share one module graph per worker (tfjs is imported once per
// worker, not once per file), except those that need a process's first use
// of a module: they run isolated, in the `…-fresh` projects.
// The fused kernels (src/kernels/) are on everywhere; the `…-composite`
// projects run the cross-cutting suites (float64 references, fuzzing,
// cpu against wasm) again with them off, so the composite path that other
// backends take stays tested.
const FRESH = ['test/layers/fit.test.ts'];
// The examples run on wasm, their default backend (examples/lib/cli.ts): their
// --quick runs check the examples, not the backend, which the suites above do.
const EXAMPLES = ['test/examples.test.ts', 'test/examples/**/*.test.ts'];
const CROSS_CUTTING = ['test/losses/**/*.test.ts', 'test/fuzz.test.ts', 'test/backends.test.ts'];
const backendProject = (backend: 'cpu' | 'wasm', variant?: 'fresh' | 'composite') => ({
  extends: true as const,
  test: {
    name: variant === undefined ? backend : `${backend}-${variant}`,
    include: variant === 'fresh' ? FRESH : variant === 'composite' ? CROSS_CUTTING : ['test/**/*.test.ts'],
    exclude: variant === undefined ? ['test/package/**', 'test/browser/**', ...FRESH, ...(backend === 'cpu' ? EXAMPLES : [])] : [],
    env: { TFJS_BACKEND: backend, ENTROPY_FUSED_KERNELS: variant === 'composite' ? 'false' : 'true' },
    setupFiles: ['test/support/backend.ts', 'test/support/fast-check.ts'],
    isolate: variant === 'fresh',
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
      backendProject('cpu', 'fresh'),
      backendProject('wasm', 'fresh'),
      backendProject('cpu', 'composite'),
      backendProject('wasm', 'composite'),
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
