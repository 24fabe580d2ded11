/**
 * Vitest setup file: selects the tfjs backend named by TFJS_BACKEND
 * (set per project in vitest.config.ts) before any test runs, and fails
 * loudly if it cannot be selected (tfjs's setBackend returns false silently).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll } from 'vitest';

tf.env().set('PROD', true);

beforeAll(async () => {
  const wanted = process.env['TFJS_BACKEND'] ?? 'cpu';
  const selected = await tf.setBackend(wanted);
  if (!selected || tf.getBackend() !== wanted) {
    throw new Error(`test setup: could not select the tfjs backend '${wanted}' (got '${tf.getBackend()}')`);
  }
});
