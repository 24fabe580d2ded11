/**
 * Vitest setup file: every fast-check property runs with one fixed seed, so a
 * run is reproducible; FC_SEED overrides it to explore other inputs locally.
 */
import fc from 'fast-check';

// Properties are `it.prop(...)` from @fast-check/vitest; its plain `test()` would run a plain
// test numRuns times (test/architecture.test.ts checks that no test file takes it).
fc.configureGlobal({ seed: Number(process.env['FC_SEED'] ?? 20261129), numRuns: 60 });
