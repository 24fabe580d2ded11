/**
 * Vitest setup file: every fast-check property runs with one fixed seed, so a
 * run is reproducible; FC_SEED overrides it to explore other inputs locally.
 */
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env['FC_SEED'] ?? 20261129), numRuns: 60 });
